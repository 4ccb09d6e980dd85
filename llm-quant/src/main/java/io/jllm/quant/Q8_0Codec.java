package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_0 {@code {fp16 d; i8 qs[32]}}: {@code y = q·d}. */
final class Q8_0Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            toFloatBlock(src, srcOff + (long) i * BYTES, 2, dst, dstOff + i * QK);
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q8_0_ref}: {@code d = amax/127}, {@code q = roundf(x/d)} (halves away from zero). */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            fromFloatBlock(src, srcOff + i * QK, dst, dstOff + (long) i * BYTES, 2);
        }
    }

    /** One block {@code y = q·d}: fp16 d at {@code b}, the 32 int8 quants at {@code b + qsOff} (Q8_0 and Q8_1). */
    static void toFloatBlock(MemorySegment src, long b, int qsOff, float[] dst, int y) {
        float d = Le.f16(src, b);
        for (int j = 0; j < QK; j++) {
            dst[y + j] = Le.i8(src, b + qsOff + j) * d;
        }
    }

    /**
     * One block of {@code quantize_row_q8_0_ref} (shared with Q8_1): stores fp16 d at {@code b}
     * and the quants at {@code b + qsOff}; returns d (unrounded) and leaves Σq to the caller.
     */
    static float fromFloatBlock(float[] src, int x, MemorySegment dst, long b, int qsOff) {
        float amax = 0;
        for (int j = 0; j < QK; j++) {
            amax = Math.max(amax, Math.abs(src[x + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        Le.putF16(dst, b, d);
        for (int j = 0; j < QK; j++) {
            Le.putU8(dst, b + qsOff + j, QuantMath.truncX86(QuantMath.roundf(src[x + j] * id)));
        }
        return d;
    }
}
