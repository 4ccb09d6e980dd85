package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Row dot products in the float order of llama.cpp's x86 build (AVX2 {@code ggml_vec_dot_*},
 * llamafile's tinyBLAS with 512-bit vectors), for {@link Numerics#REFERENCE}. Scalar, on the
 * activations as {@link WeightKernel#convertActivations} writes them (Q8_0 blocks
 * {@code {d f16, qs[32]}}, Q8_K blocks {@code {d f32, qs[256], bsums[16]}}); the integer parts are
 * exact in any order, the float roundings are ggml's:
 *
 * <ul>
 *   <li>Q8_0 and Q5_0 × Q8_0 ({@code ggml_vec_dot_q8_0_q8_0}, {@code _q5_0_q8_0}, and
 *       {@code tinyBLAS_Q0_AVX}, which sums the same way): 8 float lanes, lane i holding the
 *       integer sum over elements 4i … 4i+3 of a block, accumulated {@code fma(d_w·d_a, sum, lane)}
 *       block after block, then added as {@code hsum_float_8}:
 *       {@code ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7))}.</li>
 *   <li>Q4_K, Q5_K, Q6_K × Q8_K: per 256-element block 8 integer lanes, lane i the sum of
 *       {@code scale·q·q8} over the elements e with {@code (e mod 32)/4 = i}, added
 *       {@code fma(d_y·d_w, lane, acc)}, then {@code hsum_float_8}; the min term of Q4_K in 4 float
 *       lanes ({@code fma(−d_y·dmin, m·bsum of a sub-block pair, accm)}, added
 *       {@code (m0+m2) + (m1+m3)}), of Q5_K as one float sum {@code fma(−d_y·dmin, Σ m·bsum, s)}.</li>
 *   <li>F32 (tinyBLAS): 16 lanes, {@code lane[i] = fma(w[l+i], x[l+i], lane[i])} for l = 0, 16, …,
 *       added pairwise ({@code _mm512_reduce_add_ps}); a tail of fewer than 16 columns after, in order.</li>
 * </ul>
 */
final class GgmlOrderRows {
    private static final int F32_LANES = 16;
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[F32_LANES]);
    private static final ThreadLocal<int[]> INTS = ThreadLocal.withInitial(() -> new int[32]);

    private GgmlOrderRows() {}

    static boolean supports(GgmlType t) {
        return switch (t) {
            case F32, Q8_0, Q5_0, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /** The weight row at {@code wo} · the converted activations at {@code ao} ({@link #supports} types). */
    static float dot(GgmlType t, MemorySegment w, long wo, MemorySegment a, long ao, int cols) {
        return switch (t) {
            case F32 -> f32(w, wo, a, ao, cols);
            case Q8_0, Q5_0 -> legacy(t, w, wo, a, ao, cols);
            case Q4_K, Q5_K, Q6_K -> kQuant(t, w, wo, a, ao, cols);
            default -> throw new IllegalArgumentException(t + " has no ggml-order row");
        };
    }

    private static float legacy(GgmlType t, MemorySegment w, long wo, MemorySegment a, long ao, int cols) {
        int[] q = INTS.get();
        float[] acc = LANES.get();
        java.util.Arrays.fill(acc, 0, 8, 0f);
        for (int b = 0; b < cols / 32; b++) {
            long o = wo + (long) t.typeSize() * b;
            long ab = ao + 34L * b;
            for (int k = 0; k < 32; k++) {
                q[k] = t == GgmlType.Q8_0 ? Mem.i8(w, o + 2 + k) : q5_0(w, o, k);
            }
            float d = Mem.f16(w, o) * Mem.f16(a, ab);
            for (int i = 0; i < 8; i++) {
                int sum = 0;
                for (int k = 4 * i; k < 4 * i + 4; k++) {
                    sum += q[k] * Mem.i8(a, ab + 2 + k);
                }
                acc[i] = Math.fma(d, (float) sum, acc[i]);
            }
        }
        return hsum8(acc);
    }

    /** Element k of a Q5_0 block at o: the nibble with its fifth bit from qh, minus 16. */
    private static int q5_0(MemorySegment w, long o, int k) {
        int b = Mem.u8(w, o + 6 + (k & 15));
        int qh = Mem.i32(w, o + 2);
        return ((k < 16 ? b & 0xF : b >> 4) | (((qh >>> k) & 1) << 4)) - 16;
    }

    private static float kQuant(GgmlType t, MemorySegment w, long wo, MemorySegment a, long ao, int cols) {
        KQuant456Kernels.Q45 q45 = t == GgmlType.Q6_K ? null : (KQuant456Kernels.Q45) Kernels.forType(t);
        float[] acc = LANES.get();
        java.util.Arrays.fill(acc, 0f);
        int[] lane = INTS.get(); // 0-7: the integer lanes, 8-11: Q4_K/Q5_K min terms of sub-block pairs
        float summs = 0f;
        for (int b = 0; b < cols / 256; b++) {
            long o = wo + (long) t.typeSize() * b;
            long ab = ao + (long) GgmlType.Q8_K.typeSize() * b;
            float yd = Mem.f32(a, ab);
            java.util.Arrays.fill(lane, 0, 12, 0);
            for (int e = 0; e < 256; e++) {
                int sq = q45 == null ? Mem.i8(w, o + 192 + e / 16) * KQuant456Kernels.Q6_K.q(w, o, e)
                        : KQuant456Kernels.scaleMin(w, o + 4, e / 32, 0) * q45.q(w, o, e);
                lane[(e & 31) >> 2] += sq * Mem.i8(a, ab + KQuantKernels.Q8K_QS + e);
            }
            float d = yd * Mem.f16(w, o + (q45 == null ? 208 : 0));
            for (int i = 0; i < 8; i++) {
                acc[i] = Math.fma(d, (float) lane[i], acc[i]);
            }
            if (q45 == null) {
                continue;
            }
            float dmin = -yd * Mem.f16(w, o + 2);
            for (int s = 0; s < 8; s++) {
                long bs = ab + KQuantKernels.Q8K_BSUMS + 4L * s;
                lane[8 + s / 2] += KQuant456Kernels.scaleMin(w, o + 4, s, 1) * (Mem.i16(a, bs) + Mem.i16(a, bs + 2));
            }
            if (t == GgmlType.Q4_K) {
                for (int p = 0; p < 4; p++) {
                    acc[8 + p] = Math.fma(dmin, (float) lane[8 + p], acc[8 + p]);
                }
            } else {
                summs = Math.fma(dmin, (float) (lane[8] + lane[9] + lane[10] + lane[11]), summs);
            }
        }
        float mins = t == GgmlType.Q4_K ? (acc[8] + acc[10]) + (acc[9] + acc[11]) : summs;
        return hsum8(acc) + mins;
    }

    /** {@code hsum_float_8}: {@code ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7))}. */
    private static float hsum8(float[] l) {
        float r0 = l[0] + l[4];
        float r1 = l[1] + l[5];
        float r2 = l[2] + l[6];
        float r3 = l[3] + l[7];
        return (r0 + r2) + (r1 + r3);
    }

    private static float f32(MemorySegment w, long wo, MemorySegment x, long xo, int cols) {
        float[] lanes = LANES.get();
        java.util.Arrays.fill(lanes, 0f);
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
