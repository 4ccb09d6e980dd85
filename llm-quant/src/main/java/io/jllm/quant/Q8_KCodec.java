package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_K {@code {f32 d; i8 qs[256]; i16 bsums[16]}}: {@code y = d·q} (an activation type). */
final class Q8_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 292;
    static final int BSUMS = 260;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f32(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK; j++) {
                dst[y + j] = d * Le.i8(src, b + 4 + j);
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q8_K_ref}: {@code iscale = −127/max}, f32 {@code d}, group sums. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float max = 0;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                float ax = Math.abs(src[x + j]);
                if (ax > amax) {
                    amax = ax;
                    max = src[x + j];
                }
            }
            if (amax == 0) {
                // ggml leaves bsums untouched here; zero them so the output is deterministic
                dst.asSlice(b, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -127f / max;
            for (int g = 0; g < QK / 16; g++) {
                int sum = 0;
                for (int ii = 0; ii < 16; ii++) {
                    int q = (byte) Math.min(127, QuantMath.nearestInt(iscale * src[x + 16 * g + ii]));
                    Le.putU8(dst, b + 4 + 16 * g + ii, q);
                    sum += q;
                }
                Le.putI16(dst, b + BSUMS + 2L * g, sum);
            }
            Le.putF32(dst, b, 1 / iscale);
        }
    }
}
