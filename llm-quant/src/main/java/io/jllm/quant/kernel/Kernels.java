package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.util.EnumMap;
import java.util.Map;

/**
 * The registry of weight kernels: one scalar reference kernel per supported weight type (F32,
 * F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K–Q6_K, IQ4_NL, IQ4_XS), each computing exactly
 * what ggml's scalar CPU vec_dot computes after converting activations the x86 way.
 * {@link MatMul} uses the faster SIMD path where available.
 */
public final class Kernels {
    private static final Map<GgmlType, WeightKernel> KERNELS = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Kernel());
        register(new HalfKernel(false));
        register(new HalfKernel(true));
        register(new LegacyQuantKernels.Q4_0());
        register(new LegacyQuantKernels.Q4_1());
        register(new LegacyQuantKernels.Q5_0());
        register(new LegacyQuantKernels.Q5_1());
        register(new LegacyQuantKernels.Q8_0());
        register(new LegacyQuantKernels.IQ4_NL());
        register(new KQuantKernels.Q2_K());
        register(new KQuantKernels.Q3_K());
        register(new KQuant456Kernels.Q4_K());
        register(new KQuant456Kernels.Q5_K());
        register(new KQuant456Kernels.Q6_K());
        register(new KQuant456Kernels.IQ4_XS());
    }

    private Kernels() {}

    private static void register(WeightKernel k) {
        KERNELS.put(k.type(), k);
    }

    /** True when a kernel exists for {@code type}. */
    public static boolean supports(GgmlType type) {
        return KERNELS.containsKey(type);
    }

    /** The kernel for {@code type}; an {@link UnsupportedOperationException} naming the type if none. */
    public static WeightKernel forType(GgmlType type) {
        WeightKernel k = KERNELS.get(type);
        if (k == null) {
            throw new UnsupportedOperationException("no matrix kernel for tensor type " + type);
        }
        return k;
    }
}
