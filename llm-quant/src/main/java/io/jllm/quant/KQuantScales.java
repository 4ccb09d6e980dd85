package io.jllm.quant;

import java.lang.foreign.MemorySegment;

/**
 * The shared body of {@code quantize_row_q4_K_ref} and {@code quantize_row_q5_K_ref}: 8
 * sub-blocks of 32 searched with make_qkx2_quants (weights {@code av_x + |x|}), 6-bit scales
 * and mins, then levels recomputed from the stored values.
 */
final class KQuantScales {
    private static final int QK = 256;

    private KQuantScales() {}

    static void quantizeQ4Q5(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks,
                             int nmax, float rmin, float rdelta, int nstep, int blockBytes) {
        byte[] L = new byte[QK];
        byte[] laux = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[QK / 32];
        float[] scales = new float[QK / 32];
        int[] sc = new int[12];
        int[] qh = new int[32];
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * blockBytes;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < QK / 32; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) {
                    float v = src[x + 32 * j + l];
                    sumX2 += v * v;
                }
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    weights[l] = avX + Math.abs(src[x + 32 * j + l]);
                }
                scales[j] = QuantMath.makeQkx2Quants(32, nmax, src, x + 32 * j, weights, L, 32 * j, mins, j,
                        laux, rmin, rdelta, nstep, false);
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            java.util.Arrays.fill(sc, 0);
            for (int j = 0; j < QK / 32; j++) {
                int ls = Math.min(63, QuantMath.nearestInt(invScale * scales[j]) & 0xFF);
                int lm = Math.min(63, QuantMath.nearestInt(invMin * mins[j]) & 0xFF);
                Q4_KCodec.packScaleMin(sc, j, ls, lm);
            }
            Le.putF16(dst, b, maxScale / 63f);
            Le.putF16(dst, b + 2, maxMin / 63f);
            for (int j = 0; j < 12; j++) {
                Le.putU8(dst, b + 4 + j, sc[j]);
            }
            float dStored = Le.f16(dst, b);
            float mStored = Le.f16(dst, b + 2);
            for (int j = 0; j < QK / 32; j++) {
                float d = dStored * Q4_KCodec.scaleK4(dst, b + 4, j);
                if (d == 0) {
                    continue;
                }
                float dm = mStored * Q4_KCodec.minK4(dst, b + 4, j);
                for (int ii = 0; ii < 32; ii++) {
                    int l = QuantMath.nearestInt((src[x + 32 * j + ii] + dm) / d);
                    L[32 * j + ii] = (byte) Math.max(0, Math.min(nmax, l));
                }
            }
            if (nmax == 15) {
                for (int j = 0; j < QK; j += 64) {
                    for (int l = 0; l < 32; l++) {
                        Le.putU8(dst, b + 16 + j / 2 + l, L[j + l] | (L[j + l + 32] << 4));
                    }
                }
            } else {
                packQ5(L, qh, dst, b);
            }
        }
    }

    /** Q5_K's split of 5-bit levels into low nibbles (qs) and high bits (qh). */
    private static void packQ5(byte[] L, int[] qh, MemorySegment dst, long b) {
        java.util.Arrays.fill(qh, 0);
        int m1 = 1;
        int m2 = 2;
        for (int n = 0; n < QK; n += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    qh[j] |= m1;
                }
                int l2 = L[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    qh[j] |= m2;
                }
                Le.putU8(dst, b + Q5_KCodec.QS + n / 2 + j, l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
        }
        for (int j = 0; j < 32; j++) {
            Le.putU8(dst, b + Q5_KCodec.QH + j, qh[j]);
        }
    }
}
