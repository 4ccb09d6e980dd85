package io.jllm.quant;

import java.lang.foreign.MemorySegment;

/**
 * {@code quantize_row_iq4_nl_impl} without an importance matrix (weights x², ntry = 7), shared by
 * IQ4_NL (one 32-value block) and IQ4_XS (8 blocks under a 6-bit scale each), and
 * {@code best_index_int8} as of llama.cpp build 4748.
 */
final class Iq4Search {
    private static final byte[] V = IQ4_NLCodec.KVALUES;
    private static final int NTRY = 7;

    private Iq4Search() {}

    /** Nearest codebook index: binary search, ties to the upper entry, as ggml computes it in float. */
    static int bestIndex(float x) {
        if (x <= V[0]) {
            return 0;
        }
        if (x >= V[15]) {
            return 15;
        }
        int ml = 0;
        int mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (x < V[mav]) {
                mu = mav;
            } else {
                ml = mav;
            }
        }
        return x - V[mu - 1] < V[mu] - x ? mu - 1 : mu;
    }

    /** The best scale of one 32-value block at {@code x[xo..]}, levels in {@code L[lo..]}; 0 for an all-zero block. */
    static float blockScale(float[] x, int xo, byte[] L, int lo) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 32; j++) {
            float ax = Math.abs(x[xo + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + j];
            }
        }
        if (amax < QuantMath.GROUP_MAX_EPS) {
            return 0;
        }
        float d = -max / V[0];
        float id = 1 / d;
        float sumqx = 0;
        float sumq2 = 0;
        for (int j = 0; j < 32; j++) {
            float xj = x[xo + j];
            int l = bestIndex(id * xj);
            L[lo + j] = (byte) l;
            float q = V[l];
            float w = xj * xj;
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        for (int itry = -NTRY; itry <= NTRY; itry++) {
            id = (itry + V[0]) / max;
            sumqx = 0;
            sumq2 = 0;
            for (int j = 0; j < 32; j++) {
                float xj = x[xo + j];
                float q = V[bestIndex(id * xj)];
                float w = xj * xj;
                sumqx += w * q * xj;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /** Packs 32 levels (low nibbles: elements 0..15) into 16 bytes at {@code dst[off]}. */
    static void pack(byte[] L, int lo, MemorySegment dst, long off) {
        for (int j = 0; j < 16; j++) {
            Le.putU8(dst, off + j, L[lo + j] | (L[lo + 16 + j] << 4));
        }
    }
}
