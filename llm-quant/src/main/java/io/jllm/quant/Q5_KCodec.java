package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_K {@code {fp16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}} per 256 elements: Q4_K
 * plus a fifth bit per element from qh.
 */
final class Q5_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 176;
    static final int SC = 4;
    static final int QH = 16;
    static final int QS = 48;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            float min = Le.f16(src, b + 2);
            int y = dstOff + i * QK;
            int u1 = 1;
            int u2 = 2;
            for (int c = 0; c < 4; c++, u1 <<= 2, u2 <<= 2) {
                float d1 = d * Q4_KCodec.scaleK4(src, b + SC, 2 * c);
                float m1 = min * Q4_KCodec.minK4(src, b + SC, 2 * c);
                float d2 = d * Q4_KCodec.scaleK4(src, b + SC, 2 * c + 1);
                float m2 = min * Q4_KCodec.minK4(src, b + SC, 2 * c + 1);
                long q = b + QS + 32L * c;
                for (int l = 0; l < 32; l++) {
                    int ql = Le.u8(src, q + l);
                    int qh = Le.u8(src, b + QH + l);
                    dst[y + l] = d1 * ((ql & 0xF) + ((qh & u1) != 0 ? 16 : 0)) - m1;
                    dst[y + 32 + l] = d2 * ((ql >>> 4) + ((qh & u2) != 0 ? 16 : 0)) - m2;
                }
                y += 64;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q5_K_ref}. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        KQuantScales.quantizeQ4Q5(src, srcOff, dst, dstOff, blocks, 31, -0.5f, 0.1f, 15, BYTES);
    }
}
