package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.util.EnumMap;
import java.util.Map;

/** The registry of weight kernels: one per supported weight type. */
public final class Kernels {
    private static final Map<GgmlType, WeightKernel> KERNELS = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Kernel());
    }

    private Kernels() {}

    private static void register(WeightKernel k) {
        KERNELS.put(k.type(), k);
    }

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
