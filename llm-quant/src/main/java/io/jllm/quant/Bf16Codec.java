package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** BF16: the top half of an f32; from f32 rounding to nearest even, NaN kept quiet (ggml's rule). */
final class Bf16Codec implements TypeCodec {
    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst[dstOff + i] = Le.fromBf16(src.get(Le.I16, srcOff + 2L * i));
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst.set(Le.I16, dstOff + 2L * i, Le.toBf16(src[srcOff + i]));
        }
    }
}
