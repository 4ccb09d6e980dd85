package io.jllm.quant.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Row dot products in the float order of llama.cpp's x86 build, for {@link Numerics#REFERENCE}
 * (scalar; the integer parts are exact in any order, the float roundings are ggml's):
 *
 * <ul>
 *   <li>Q8_0 × Q8_0 ({@code ggml_vec_dot_q8_0_q8_0}, AVX2, and llamafile's {@code tinyBLAS_Q0_AVX},
 *       which sums the same way): 8 float lanes, lane i holding the exact integer sum of elements
 *       4i … 4i+3 of each block, accumulated {@code fma(d_w·d_a, sum, lane)} block after block,
 *       then added as {@code hsum_float_8}: {@code ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7))}.</li>
 *   <li>F32 × F32 (llamafile's {@code tinyBLAS} with 512-bit vectors): 16 lanes,
 *       {@code lane[i] = fma(w[l+i], x[l+i], lane[i])} for l = 0, 16, …, then added pairwise
 *       ({@code _mm512_reduce_add_ps}); a tail of fewer than 16 columns is added after, in order.</li>
 * </ul>
 */
final class GgmlOrderRows {
    private static final int F32_LANES = 16;

    private GgmlOrderRows() {}

    /** Q8_0 row at {@code wo} · activations in {@link IntMatVec}'s form at {@code ao}. */
    static float q8_0(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + IntMatVec.dOff(cols);
        float l0 = 0f, l1 = 0f, l2 = 0f, l3 = 0f, l4 = 0f, l5 = 0f, l6 = 0f, l7 = 0f;
        for (int b = 0; b < cols / 32; b++) {
            long o = wo + 34L * b;
            float d = Mem.f16(w, o) * Mem.f32(a, dBase + 4L * b);
            long wq = o + 2;
            long aq = ao + 64L * b;
            l0 = Math.fma(d, quad(w, wq, a, aq, 0), l0);
            l1 = Math.fma(d, quad(w, wq, a, aq, 1), l1);
            l2 = Math.fma(d, quad(w, wq, a, aq, 2), l2);
            l3 = Math.fma(d, quad(w, wq, a, aq, 3), l3);
            l4 = Math.fma(d, quad(w, wq, a, aq, 4), l4);
            l5 = Math.fma(d, quad(w, wq, a, aq, 5), l5);
            l6 = Math.fma(d, quad(w, wq, a, aq, 6), l6);
            l7 = Math.fma(d, quad(w, wq, a, aq, 7), l7);
        }
        float r0 = l0 + l4;
        float r1 = l1 + l5;
        float r2 = l2 + l6;
        float r3 = l3 + l7;
        return (r0 + r2) + (r1 + r3);
    }

    /** Σ_{k<4} w[4i+k]·a[4i+k] of one block (int8 weights, int16 activation quants), as a float. */
    private static float quad(MemorySegment w, long wq, MemorySegment a, long aq, int i) {
        int s = 0;
        for (int k = 4 * i; k < 4 * i + 4; k++) {
            s += w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, wq + k) * Mem.i16(a, aq + 2L * k);
        }
        return s;
    }

    /** F32 row at byte {@code wo} · f32 activations at byte {@code xo}. */
    static float f32(MemorySegment w, long wo, int cols, MemorySegment x, long xo, float[] lanes) {
        java.util.Arrays.fill(lanes, 0, F32_LANES, 0f);
        int c = 0;
        for (; c + F32_LANES <= cols; c += F32_LANES) {
            for (int i = 0; i < F32_LANES; i++) {
                lanes[i] = Math.fma(Mem.f32(w, wo + 4L * (c + i)), Mem.f32(x, xo + 4L * (c + i)), lanes[i]);
            }
        }
        for (int h = F32_LANES / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) {
                lanes[i] += lanes[i + h];
            }
        }
        float s = lanes[0];
        for (; c < cols; c++) {
            s += Mem.f32(w, wo + 4L * c) * Mem.f32(x, xo + 4L * c);
        }
        return s;
    }
}
