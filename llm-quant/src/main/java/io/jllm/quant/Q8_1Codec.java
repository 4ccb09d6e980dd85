package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_1 {@code {fp16 d, s; i8 qs[32]}} with {@code s = fp16(d·Σq)}: {@code y = q·d} (an activation type). */
final class Q8_1Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 36;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_1;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            Q8_0Codec.toFloatBlock(src, srcOff + (long) i * BYTES, 4, dst, dstOff + i * QK);
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q8_1_ref}: Q8_0's rounding plus {@code s = fp16(Σq·d)}. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = dstOff + (long) i * BYTES;
            float d = Q8_0Codec.fromFloatBlock(src, srcOff + i * QK, dst, b, 4);
            int sum = 0;
            for (int j = 0; j < QK; j++) {
                sum += Le.i8(dst, b + 4 + j);
            }
            Le.putF16(dst, b + 2, sum * d);
        }
    }
}
