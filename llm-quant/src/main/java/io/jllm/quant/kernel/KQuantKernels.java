package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.Mem.f16;
import static io.jllm.quant.kernel.Mem.f32;
import static io.jllm.quant.kernel.Mem.i16;
import static io.jllm.quant.kernel.Mem.i8;
import static io.jllm.quant.kernel.Mem.u8;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Reference kernels of the 2- and 3-bit K-quants against Q8_K activations ({d f32 @0,
 * qs[256] @4, bsums[16] @260}). Per 256-element block: exact integer sums per 16-element
 * sub-block weighted by the integer scales, combined as {@code d·Σ(scale·Σq·q8) − dmin·Σ(min·bsum)}
 * with {@code d = fp16(x.d)·y.d}.
 */
final class KQuantKernels {
    static final int Q8K_QS = 4;
    static final int Q8K_BSUMS = 260;

    private KQuantKernels() {}

    /** {scales[16]; qs[64]; d; dmin}: element 128n+32s+l = (qs[32n+l] >> 2s) & 3; y = (d·sc)·q − dmin·m. */
    static final class Q2_K extends BlockKernel {
        Q2_K() {
            super(GgmlType.Q2_K, GgmlType.Q8_K);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                summs += i16(a, ao + Q8K_BSUMS + 2L * j) * (u8(w, wo + j) >> 4);
            }
            float yd = f32(a, ao);
            float dall = yd * f16(w, wo + 80);
            float dmin = yd * f16(w, wo + 82);
            int isum = 0;
            for (int n = 0; n < 2; n++) {
                for (int s = 0; s < 4; s++) {
                    for (int h = 0; h < 2; h++) {
                        int sc = u8(w, wo + 8 * n + 2 * s + h) & 0xF;
                        int isuml = 0;
                        for (int l = 16 * h; l < 16 * h + 16; l++) {
                            int q = (u8(w, wo + 16 + 32 * n + l) >> (2 * s)) & 3;
                            isuml += q * i8(a, ao + Q8K_QS + 128 * n + 32 * s + l);
                        }
                        isum += sc * isuml;
                    }
                }
            }
            return sumf + (dall * isum - dmin * summs);
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo + 80);
            float min = f16(w, wo + 82);
            for (int n = 0; n < 2; n++) {
                for (int s = 0; s < 4; s++) {
                    for (int h = 0; h < 2; h++) {
                        int sc = u8(w, wo + 8 * n + 2 * s + h);
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >> 4);
                        for (int l = 16 * h; l < 16 * h + 16; l++) {
                            int q = (u8(w, wo + 16 + 32 * n + l) >> (2 * s)) & 3;
                            dst[dOff + 128 * n + 32 * s + l] = dl * q - ml;
                        }
                    }
                }
            }
        }
    }

    /**
     * {hmask[32]; qs[64]; sc[12]; d}: low 2 bits as Q2_K, high bit e/32 of hmask[e%32],
     * q = low2 − (hbit ? 0 : 4); 16 signed 6-bit scales; y = (d·scale)·q.
     */
    static final class Q3_K extends BlockKernel {
        Q3_K() {
            super(GgmlType.Q3_K, GgmlType.Q8_K);
        }

        static int scale(MemorySegment w, long wo, int i) {
            int low = i < 8 ? u8(w, wo + 96 + i) & 0xF : u8(w, wo + 96 + i - 8) >> 4;
            int high = (u8(w, wo + 104 + i % 4) >> (2 * (i / 4))) & 3;
            return (low | (high << 4)) - 32;
        }

        static int q(MemorySegment w, long wo, int e) {
            int low2 = (u8(w, wo + 32 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
            int hbit = (u8(w, wo + e % 32) >> (e / 32)) & 1;
            return low2 - (hbit != 0 ? 0 : 4);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int isum = 0;
            for (int i = 0; i < 16; i++) {
                int s = 0;
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    s += q(w, wo, e) * i8(a, ao + Q8K_QS + e);
                }
                isum += scale(w, wo, i) * s;
            }
            float d = f16(w, wo + 108) * f32(a, ao);
            return sumf + d * isum;
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo + 108);
            for (int i = 0; i < 16; i++) {
                float dl = d * scale(w, wo, i);
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    dst[dOff + e] = dl * q(w, wo, e);
                }
            }
        }
    }
}
