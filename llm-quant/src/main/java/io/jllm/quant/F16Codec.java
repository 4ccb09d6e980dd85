package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** F16: IEEE binary16; to f32 exactly, from f32 rounding to nearest even (ggml's F16C path). */
final class F16Codec implements TypeCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst[dstOff + i] = Le.f16(src, srcOff + 2L * i);
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            Le.putF16(dst, dstOff + 2L * i, src[srcOff + i]);
        }
    }
}
