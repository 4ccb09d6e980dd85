package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.Mem.f16;
import static io.jllm.quant.kernel.Mem.i32;
import static io.jllm.quant.kernel.Mem.i8;
import static io.jllm.quant.kernel.Mem.u8;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Reference kernels of the 32-element formats: Q4_0, Q5_0, Q8_0, IQ4_NL (against Q8_0
 * activations) and Q4_1, Q5_1 (against Q8_1). Each follows ggml's scalar vec_dot.
 */
final class LegacyQuantKernels {
    private LegacyQuantKernels() {}

    /** {d; qs[16]}: element j is the low nibble of qs[j], element j+16 the high nibble; y = (q−8)·d. */
    static final class Q4_0 extends BlockKernel {
        Q4_0() {
            super(GgmlType.Q4_0, GgmlType.Q8_0);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 2 + j);
                sumi0 += ((b & 0xF) - 8) * i8(a, ao + 2 + j);
                sumi1 += ((b >> 4) - 8) * i8(a, ao + 18 + j);
            }
            int sumi = sumi0 + sumi1;
            return sumf + sumi * f16(w, wo) * f16(a, ao);
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 2 + j);
                dst[dOff + j] = ((b & 0xF) - 8) * d;
                dst[dOff + j + 16] = ((b >> 4) - 8) * d;
            }
        }
    }

    /** {d, m; qs[16]}: y = q·d + m; against Q8_1: (d·dy)·Σq·q8 + m·s. */
    static final class Q4_1 extends BlockKernel {
        Q4_1() {
            super(GgmlType.Q4_1, GgmlType.Q8_1);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 4 + j);
                sumi0 += (b & 0xF) * i8(a, ao + 4 + j);
                sumi1 += (b >> 4) * i8(a, ao + 20 + j);
            }
            int sumi = sumi0 + sumi1;
            return sumf + ((f16(w, wo) * f16(a, ao)) * sumi + f16(w, wo + 2) * f16(a, ao + 2));
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 4 + j);
                dst[dOff + j] = (b & 0xF) * d;
                dst[dOff + j + 16] = (b >> 4) * d;
            }
        }

        @Override
        boolean hasMin() {
            return true;
        }

        @Override
        float blockMin(MemorySegment w, long wo) {
            return f16(w, wo + 2);
        }
    }

    /** {d; qh[4]; qs[16]}: 5th bit of element j is bit j of qh (LE uint32); y = (q−16)·d. */
    static final class Q5_0 extends BlockKernel {
        Q5_0() {
            super(GgmlType.Q5_0, GgmlType.Q8_0);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int qh = i32(w, wo + 2);
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 6 + j);
                int x0 = ((b & 0xF) | (((qh >>> j) & 1) << 4)) - 16;
                int x1 = ((b >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                sumi0 += x0 * i8(a, ao + 2 + j);
                sumi1 += x1 * i8(a, ao + 18 + j);
            }
            int sumi = sumi0 + sumi1;
            return sumf + (f16(w, wo) * f16(a, ao)) * sumi;
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            int qh = i32(w, wo + 2);
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 6 + j);
                dst[dOff + j] = (((b & 0xF) | (((qh >>> j) & 1) << 4)) - 16) * d;
                dst[dOff + j + 16] = (((b >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16) * d;
            }
        }
    }

    /** {d, m; qh[4]; qs[16]}: y = q·d + m; against Q8_1 like Q4_1. */
    static final class Q5_1 extends BlockKernel {
        Q5_1() {
            super(GgmlType.Q5_1, GgmlType.Q8_1);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int qh = i32(w, wo + 4);
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 8 + j);
                int x0 = (b & 0xF) | (((qh >>> j) & 1) << 4);
                int x1 = (b >> 4) | (((qh >>> (j + 16)) & 1) << 4);
                sumi0 += x0 * i8(a, ao + 4 + j);
                sumi1 += x1 * i8(a, ao + 20 + j);
            }
            int sumi = sumi0 + sumi1;
            return sumf + ((f16(w, wo) * f16(a, ao)) * sumi + f16(w, wo + 2) * f16(a, ao + 2));
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            int qh = i32(w, wo + 4);
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 8 + j);
                dst[dOff + j] = ((b & 0xF) | (((qh >>> j) & 1) << 4)) * d;
                dst[dOff + j + 16] = ((b >> 4) | (((qh >>> (j + 16)) & 1) << 4)) * d;
            }
        }

        @Override
        boolean hasMin() {
            return true;
        }

        @Override
        float blockMin(MemorySegment w, long wo) {
            return f16(w, wo + 2);
        }
    }

    /** {d; int8 qs[32]}: y = q·d. */
    static final class Q8_0 extends BlockKernel {
        Q8_0() {
            super(GgmlType.Q8_0, GgmlType.Q8_0);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            int sumi = 0;
            for (int j = 0; j < 32; j++) {
                sumi += i8(w, wo + 2 + j) * i8(a, ao + 2 + j);
            }
            return sumf + sumi * (f16(w, wo) * f16(a, ao));
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            for (int j = 0; j < 32; j++) {
                dst[dOff + j] = i8(w, wo + 2 + j) * d;
            }
        }
    }

    /** Q4_0 layout, y = d·kvalues[q]. */
    static final class IQ4_NL extends BlockKernel {
        IQ4_NL() {
            super(GgmlType.IQ4_NL, GgmlType.Q8_0);
        }

        @Override
        float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao) {
            float d = f16(a, ao) * f16(w, wo);
            int sumi1 = 0;
            int sumi2 = 0;
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 2 + j);
                sumi1 += i8(a, ao + 2 + j) * KVALUES[b & 0xF];
                sumi2 += i8(a, ao + 18 + j) * KVALUES[b >> 4];
            }
            return sumf + d * (sumi1 + sumi2);
        }

        @Override
        void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff) {
            float d = f16(w, wo);
            for (int j = 0; j < 16; j++) {
                int b = u8(w, wo + 2 + j);
                dst[dOff + j] = d * KVALUES[b & 0xF];
                dst[dOff + j + 16] = d * KVALUES[b >> 4];
            }
        }
    }
}
