package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** F32: a plain copy both ways. */
final class F32Codec implements TypeCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        MemorySegment.copy(src, Le.F32, srcOff, dst, dstOff, blocks);
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        MemorySegment.copy(src, srcOff, dst, Le.F32, dstOff, blocks);
    }
}
