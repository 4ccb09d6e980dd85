package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.KQuantKernels.Q8K_BSUMS;
import static io.jllm.quant.kernel.KQuantKernels.Q8K_QS;
import static io.jllm.quant.kernel.Mem.f16;
import static io.jllm.quant.kernel.Mem.f32;
import static io.jllm.quant.kernel.Mem.i16;
import static io.jllm.quant.kernel.Mem.i8;
import static io.jllm.quant.kernel.Mem.u16;
import static io.jllm.quant.kernel.Mem.u8;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Reference kernels of Q4_K, Q5_K, Q6_K and IQ4_XS against Q8_K activations (see {@link KQuantKernels}). */
final class KQuant456Kernels {
    private KQuant456Kernels() {}

    /** get_scale_min_k4: 6-bit scale (which=0) or min (which=1) j of the 12 bytes at {@code sc}. */
    static int scaleMin(MemorySegment w, long sc, int j, int which) {
        if (j < 4) {
            return u8(w, sc + j + 4L * which) & 63;
        }
        if (which == 0) {
            return (u8(w, sc + j + 4) & 0xF) | ((u8(w, sc + j - 4) >> 6) << 4);
        }
        return (u8(w, sc + j + 4) >> 4) | ((u8(w, sc + j) >> 6) << 4);
    }

    /** Shared Q4_K/Q5_K: {@code d·Σ(sc·Σq·q8) − dmin·Σ(m·bsum)}; q from {@link #q}. */
    abstract static class Q45 extends BlockKernel {
        private final int scOff;

        Q45(GgmlType t) {
            super(t, GgmlType.Q8_K);
            scOff = 4;
        }

        /** Element e's unsigned quant. */
        abstract int q(MemorySegment w, long wo, int e);

        @Override
        final float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int isum = 0;
            int summs = 0;
            for (int j = 0; j < 8; j++) {
                int s = 0;
                for (int e = 32 * j; e < 32 * j + 32; e++) {
                    s += q(w, wo, e) * i8(a, ao + Q8K_QS + e);
                }
                isum += scaleMin(w, wo + scOff, j, 0) * s;
                int bs = i16(a, ao + Q8K_BSUMS + 4L * j) + i16(a, ao + Q8K_BSUMS + 4L * j + 2);
                summs += scaleMin(w, wo + scOff, j, 1) * bs;
            }
            float yd = f32(a, ao);
            float d = f16(w, wo) * yd;
            float dmin = f16(w, wo + 2) * yd;
            return sumf + (d * isum - dmin * summs);
        }

        @Override
        final void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            float min = f16(w, wo + 2);
            for (int j = 0; j < 8; j++) {
                float d1 = d * scaleMin(w, wo + scOff, j, 0);
                float m1 = min * scaleMin(w, wo + scOff, j, 1);
                for (int e = 32 * j; e < 32 * j + 32; e++) {
                    dst[dOff + e] = d1 * q(w, wo, e) - m1;
                }
            }
        }
    }

    /** {d, dmin; sc[12]; qs[128]}: element 64c+l = qs[32c+l] & 0xF, 64c+32+l = qs[32c+l] >> 4. */
    static final class Q4_K extends Q45 {
        Q4_K() {
            super(GgmlType.Q4_K);
        }

        @Override
        int q(MemorySegment w, long wo, int e) {
            int c = e / 64;
            int l = e % 32;
            int b = u8(w, wo + 16 + 32 * c + l);
            return (e % 64) < 32 ? b & 0xF : b >> 4;
        }
    }

    /** {d, dmin; sc[12]; qh[32]; qs[128]}: Q4_K plus 16 when bit (e/32) of qh[e%32] is set. */
    static final class Q5_K extends Q45 {
        Q5_K() {
            super(GgmlType.Q5_K);
        }

        @Override
        int q(MemorySegment w, long wo, int e) {
            int c = e / 64;
            int l = e % 32;
            int b = u8(w, wo + 48 + 32 * c + l);
            int low = (e % 64) < 32 ? b & 0xF : b >> 4;
            int hi = (u8(w, wo + 16 + l) >> (e / 32)) & 1;
            return low | (hi << 4);
        }
    }

    /** {ql[128]; qh[64]; int8 scales[16]; d}: 6-bit quants − 32; y = (d·scale)·q. */
    static final class Q6_K extends BlockKernel {
        Q6_K() {
            super(GgmlType.Q6_K, GgmlType.Q8_K);
        }

        static int q(MemorySegment w, long wo, int e) {
            int n = e / 128;
            int r = e % 128;
            int quarter = r / 32;
            int l = r % 32;
            int ql = u8(w, wo + 64 * n + l + (quarter % 2 == 1 ? 32 : 0));
            int low = quarter < 2 ? ql & 0xF : ql >> 4;
            int hi = (u8(w, wo + 128 + 32 * n + l) >> (2 * quarter)) & 3;
            return (low | (hi << 4)) - 32;
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int isum = 0;
            for (int i = 0; i < 16; i++) {
                int s = 0;
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    s += q(w, wo, e) * i8(a, ao + Q8K_QS + e);
                }
                isum += i8(w, wo + 192 + i) * s;
            }
            float d = f16(w, wo + 208) * f32(a, ao);
            return sumf + d * isum;
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo + 208);
            for (int e = 0; e < 256; e++) {
                dst[dOff + e] = d * i8(w, wo + 192 + e / 16) * q(w, wo, e);
            }
        }
    }

    /**
     * {d; scales_h u16; scales_l[4]; qs[128]}: 8 sub-blocks of 32 in the Q4_0 nibble layout,
     * 6-bit scale ls, y = d·(ls−32)·kvalues[q]. The dot follows ggml's scalar order: one float
     * term d·y.d·(ls−32) per sub-block.
     */
    static final class IQ4_XS extends BlockKernel {
        IQ4_XS() {
            super(GgmlType.IQ4_XS, GgmlType.Q8_K);
        }

        static int ls(MemorySegment w, long wo, int ib) {
            int low = (u8(w, wo + 4 + ib / 2) >> (4 * (ib % 2))) & 0xF;
            int high = (u16(w, wo + 2) >> (2 * ib)) & 3;
            return low | (high << 4);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            float d4d8 = f16(w, wo) * f32(a, ao);
            for (int ib = 0; ib < 8; ib++) {
                float dl = d4d8 * (ls(w, wo, ib) - 32);
                int sumi1 = 0;
                int sumi2 = 0;
                for (int j = 0; j < 16; j++) {
                    int b = u8(w, wo + 8 + 16 * ib + j);
                    sumi1 += i8(a, ao + Q8K_QS + 32 * ib + j) * KVALUES[b & 0xF];
                    sumi2 += i8(a, ao + Q8K_QS + 32 * ib + 16 + j) * KVALUES[b >> 4];
                }
                sumf += dl * (sumi1 + sumi2);
            }
            return sumf;
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            for (int ib = 0; ib < 8; ib++) {
                float dl = d * (ls(w, wo, ib) - 32);
                for (int j = 0; j < 16; j++) {
                    int b = u8(w, wo + 8 + 16 * ib + j);
                    dst[dOff + 32 * ib + j] = dl * KVALUES[b & 0xF];
                    dst[dOff + 32 * ib + 16 + j] = dl * KVALUES[b >> 4];
                }
            }
        }
    }
}
