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
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK; j++) {
                dst[y + j] = Le.i8(src, b + 4 + j) * d;
            }
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
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(src[x + j]));
            }
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Le.putF16(dst, b, d);
            int sum = 0;
            for (int j = 0; j < QK; j++) {
                int q = (byte) QuantMath.truncX86(QuantMath.roundf(src[x + j] * id));
                Le.putU8(dst, b + 4 + j, q);
                sum += q;
            }
            Le.putF16(dst, b + 2, sum * d);
        }
    }
}
