package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q2_K {@code {u8 scales[16]; u8 qs[64]; fp16 d, dmin}} per 256 elements: 16 sub-blocks of 16
 * with 4-bit scale and min, {@code y = (d·scale)·q − (dmin·min)}.
 */
final class Q2_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 84;
    static final int QS = 16;
    static final int D = 80;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b + D);
            float min = Le.f16(src, b + D + 2);
            int y = dstOff + i * QK;
            int is = 0;
            for (int n = 0; n < 2; n++) {
                long q = b + QS + 32L * n;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 2; half++) {
                        int sc = Le.u8(src, b + is++);
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >>> 4);
                        for (int l = 0; l < 16; l++) {
                            dst[y++] = dl * ((Le.u8(src, q + 16 * half + l) >>> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q2_K_ref}: make_qkx2_quants per 16 (weights |x|, MAD), 4-bit scales and mins. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        byte[] L = new byte[QK];
        byte[] laux = new byte[16];
        float[] weights = new float[16];
        float[] mins = new float[QK / 16];
        float[] scales = new float[QK / 16];
        int[] sc = new int[QK / 16];
        final float q4scale = 15f;
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < QK / 16; j++) {
                for (int l = 0; l < 16; l++) {
                    weights[l] = Math.abs(src[x + 16 * j + l]);
                }
                scales[j] = QuantMath.makeQkx2Quants(16, 3, src, x + 16 * j, weights, L, 16 * j, mins, j, laux,
                        -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            if (maxScale > 0) {
                float iscale = q4scale / maxScale;
                for (int j = 0; j < QK / 16; j++) {
                    sc[j] = QuantMath.nearestInt(iscale * scales[j]) & 0xFF;
                }
                Le.putF16(dst, b + D, maxScale / q4scale);
            } else {
                java.util.Arrays.fill(sc, 0);
                Le.putF16(dst, b + D, 0f);
            }
            if (maxMin > 0) {
                float iscale = q4scale / maxMin;
                for (int j = 0; j < QK / 16; j++) {
                    sc[j] = (sc[j] | (QuantMath.nearestInt(iscale * mins[j]) << 4)) & 0xFF;
                }
                Le.putF16(dst, b + D + 2, maxMin / q4scale);
            } else {
                Le.putF16(dst, b + D + 2, 0f);
            }
            float dStored = Le.f16(dst, b + D);
            float mStored = Le.f16(dst, b + D + 2);
            for (int j = 0; j < QK / 16; j++) {
                Le.putU8(dst, b + j, sc[j]);
                float d = dStored * (sc[j] & 0xF);
                if (d == 0) {
                    continue;
                }
                float dm = mStored * (sc[j] >>> 4);
                for (int ii = 0; ii < 16; ii++) {
                    int l = QuantMath.nearestInt((src[x + 16 * j + ii] + dm) / d);
                    L[16 * j + ii] = (byte) Math.max(0, Math.min(3, l));
                }
            }
            for (int j = 0; j < QK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    Le.putU8(dst, b + QS + j / 4 + l,
                            L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
                }
            }
        }
    }
}
