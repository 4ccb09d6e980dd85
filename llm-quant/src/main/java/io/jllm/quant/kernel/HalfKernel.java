package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * F16 and BF16 weights: activations are rounded to the same 16-bit type (fp16 with
 * {@link Float#floatToFloat16}, bf16 with ggml's round-to-nearest-even and NaN quieting), and the
 * dot product sums the (exact) float products in double, as ggml's scalar
 * {@code ggml_vec_dot_f16/bf16}.
 */
final class HalfKernel implements WeightKernel {
    private final boolean bf16;

    HalfKernel(boolean bf16) {
        this.bf16 = bf16;
    }

    @Override
    public GgmlType type() {
        return bf16 ? GgmlType.BF16 : GgmlType.F16;
    }

    @Override
    public GgmlType activationType() {
        return type();
    }

    @Override
    public void convertActivations(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            float v = Mem.f32(x, xOff + 4L * i);
            dst.set(Mem.I16, dstOff + 2L * i, bf16 ? Mem.floatToBf16(v) : Float.floatToFloat16(v));
        }
    }

    float value(MemorySegment s, long off) {
        return bf16 ? Mem.bf16ToFloat(Mem.i16(s, off)) : Mem.f16(s, off);
    }

    @Override
    public float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += value(w, wOff + 2L * i) * value(a, aOff + 2L * i);
        }
        return (float) sum;
    }
}
