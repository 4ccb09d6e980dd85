package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_K {@code {fp16 d, dmin; u8 scales[12]; u8 qs[128]}} per 256 elements: 8 sub-blocks of 32
 * with 6-bit scale and min, {@code y = (d·scale)·q − (dmin·min)}.
 */
final class Q4_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 144;
    static final int SC = 4;
    static final int QS = 16;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    /** ggml's {@code get_scale_min_k4}: the 6-bit scale of sub-block j. */
    static int scaleK4(MemorySegment s, long sc, int j) {
        return j < 4 ? Le.u8(s, sc + j) & 63
                : (Le.u8(s, sc + j + 4) & 0xF) | ((Le.u8(s, sc + j - 4) >>> 6) << 4);
    }

    /** ggml's {@code get_scale_min_k4}: the 6-bit min of sub-block j. */
    static int minK4(MemorySegment s, long sc, int j) {
        return j < 4 ? Le.u8(s, sc + j + 4) & 63
                : (Le.u8(s, sc + j + 4) >>> 4) | ((Le.u8(s, sc + j) >>> 6) << 4);
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            float min = Le.f16(src, b + 2);
            int y = dstOff + i * QK;
            for (int c = 0; c < 4; c++) {
                float d1 = d * scaleK4(src, b + SC, 2 * c);
                float m1 = min * minK4(src, b + SC, 2 * c);
                float d2 = d * scaleK4(src, b + SC, 2 * c + 1);
                float m2 = min * minK4(src, b + SC, 2 * c + 1);
                long q = b + QS + 32L * c;
                for (int l = 0; l < 32; l++) {
                    dst[y + l] = d1 * (Le.u8(src, q + l) & 0xF) - m1;
                    dst[y + 32 + l] = d2 * (Le.u8(src, q + l) >>> 4) - m2;
                }
                y += 64;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q4_K_ref}. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        KQuantScales.quantizeQ4Q5(src, srcOff, dst, dstOff, blocks, 15, -1f, 0.1f, 20, BYTES);
    }

    /** Packs 8 six-bit scales and mins into 12 bytes the way {@code get_scale_min_k4} reads them. */
    static void packScaleMin(int[] sc, int j, int ls, int lm) {
        if (j < 4) {
            sc[j] = ls;
            sc[j + 4] = lm;
        } else {
            sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
            sc[j - 4] |= (ls >>> 4) << 6;
            sc[j] |= (lm >>> 4) << 6;
        }
    }
}
