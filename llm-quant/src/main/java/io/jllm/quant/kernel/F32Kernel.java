package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** F32 weights × F32 activations (no conversion). Scalar placeholder until the SIMD kernels land. */
final class F32Kernel implements WeightKernel {
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public GgmlType activationType() {
        return GgmlType.F32;
    }

    @Override
    public void convertActivations(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        MemorySegment.copy(x, xOff, dst, dstOff, 4L * n);
    }

    @Override
    public float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += w.get(F32, wOff + 4L * i) * a.get(F32, aOff + 4L * i);
        }
        return (float) sum;
    }
}
