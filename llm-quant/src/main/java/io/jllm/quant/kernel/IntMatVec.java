package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOUR;
import static io.jllm.quant.kernel.SimdKernels.FOUR_FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOUR_FOLD2;
import static io.jllm.quant.kernel.SimdKernels.FS;
import static io.jllm.quant.kernel.SimdKernels.HALF;
import static io.jllm.quant.kernel.SimdKernels.HALF_FOLD;
import static io.jllm.quant.kernel.SimdKernels.L;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer matrix × vector rows for small batches (token generation) of the most used types:
 * Q4_0, Q5_0, Q8_0, IQ4_NL (against Q8_0 activations) and Q2_K…Q6_K, IQ4_XS (against Q8_K;
 * the IQ4 codebook lookups need 16-lane vectors). Activations are kept as
 * their int8 quants widened to int16, with the block scales and sums beside them; each group
 * of 16 weights is widened to int16 and multiplied exactly (no overflow: |w·a| sums stay below
 * 2^15), then converted to float once and scaled by the group's combined scale
 * ({@code d_w·d_a·sub-scale}). The integer part is exact as in ggml; only the float summation
 * order differs. Needs a float species of 8 or 16 lanes (256- or 512-bit); otherwise the
 * float tile path is used.
 */
final class IntMatVec {
    private static final VectorSpecies<Short> SI = usableShape() ? VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L)) : null;
    private static final VectorSpecies<Byte> BI = usableShape() ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L)) : null;
    private static final int PARTS = 16 / L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane j: shift count j (for the 5th bits of Q5_0 in the 16 lanes of a group). */
    private static final short[] LANE_SHIFTS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final ByteVector KV = L == 16 ? ByteVector.fromArray(BI, BlockKernel.KVALUES, 0) : null;

    private IntMatVec() {}

    private static boolean usableShape() {
        return L == 8 || L == 16;
    }

    static boolean supports(GgmlType t) {
        return usableShape() && switch (t) {
            case Q4_0, Q5_0, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            case IQ4_NL, IQ4_XS -> L == 16;
            default -> false;
        };
    }

    /** Scratch bytes per batch entry: int16 quants, per-block scales (f32) and sums (i32). */
    static long actBytes(GgmlType t, int cols) {
        return 2L * cols + 4L * (cols / 32) + 4L * (cols / 16);
    }

    /** Byte offset (within one entry) of the per-block scales. */
    private static long dOff(int cols) {
        return 2L * cols;
    }

    /** Byte offset of the sums: Σq per 32 (Q8_0) or bsums per 16 (Q8_K). */
    private static long sOff(int cols) {
        return 2L * cols + 4L * (cols / 32);
    }

    /** Quantizes f32 activations the ggml way into the int16 form at {@code dst+dstOff}. */
    static void convert(GgmlType actType, MemorySegment x, long xOff, int cols, MemorySegment dst, long dstOff) {
        long dBase = dstOff + dOff(cols);
        long sBase = dstOff + sOff(cols);
        if (actType == GgmlType.Q8_K) {
            for (int b = 0; b < cols / 256; b++) {
                long xo = xOff + 1024L * b;
                float iscale = ActivationQuant.q8KScale(x, xo);
                for (int g = 0; g < 16; g++) {
                    int sum = 0;
                    for (int j = 16 * g; j < 16 * g + 16; j++) {
                        int q = ActivationQuant.q8K(Mem.f32(x, xo + 4L * j), iscale);
                        sum += q;
                        dst.set(Mem.I16, dstOff + 2L * (256 * b + j), (short) q);
                    }
                    dst.set(Mem.I32, sBase + 4L * (16 * b + g), sum);
                }
                Mem.setF32(dst, dBase + 4L * b, iscale == 0f ? 0f : 1f / iscale);
            }
        } else {
            for (int b = 0; b < cols / 32; b++) {
                long xo = xOff + 128L * b;
                float amax = ActivationQuant.amax32(x, xo);
                float d = amax / 127f;
                float id = amax != 0f ? 127f / amax : 0f;
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    int q = ActivationQuant.q(Mem.f32(x, xo + 4L * j), id);
                    sum += q;
                    dst.set(Mem.I16, dstOff + 2L * (32 * b + j), (short) q);
                }
                Mem.setF32(dst, dBase + 4L * b, Mem.roundF16(d));
                dst.set(Mem.I32, sBase + 4L * b, sum);
            }
        }
    }

    /** Dot of the weight row at {@code wo} with the converted activations at {@code ao}. */
    static float row(GgmlType t, MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        return switch (t) {
            case Q4_0 -> q4_0(w, wo, cols, a, ao);
            case Q8_0 -> q8_0(w, wo, cols, a, ao);
            case Q5_0 -> q5_0(w, wo, cols, a, ao);
            case Q2_K -> q2_K(w, wo, cols, a, ao);
            case Q3_K -> q3_K(w, wo, cols, a, ao);
            case Q4_K -> KQuantRows.ENABLED ? KQuantRows.q4_K(w, wo, cols, a, ao) : q4_K(w, wo, cols, a, ao);
            case Q5_K -> q5_K(w, wo, cols, a, ao);
            case IQ4_NL -> iq4_nl(w, wo, cols, a, ao);
            case IQ4_XS -> iq4_xs(w, wo, cols, a, ao);
            case Q6_K -> KQuantRows.ENABLED ? KQuantRows.q6_K(w, wo, cols, a, ao) : q6_K(w, wo, cols, a, ao);
            default -> throw new IllegalStateException(t.toString());
        };
    }

    private static ShortVector bytes(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(BI, w, off, LE).convertShape(VectorOperators.B2S, SI, 0);
    }

    private static ShortVector acts(MemorySegment a, long off) {
        return ShortVector.fromMemorySegment(SI, a, off, LE);
    }

    private static FloatVector toFloat(ShortVector s) {
        return (FloatVector) s.convertShape(VectorOperators.S2F, FS, 0);
    }

    private static float q4_0(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        int nb = cols / 32;
        int b = 0;
        for (; b + 1 < nb; b += 2) {
            acc0 = q4_0Block(w, wo + 18L * b, a, ao + 64L * b, Mem.f32(a, dBase + 4L * b), acc0);
            acc1 = q4_0Block(w, wo + 18L * (b + 1), a, ao + 64L * (b + 1), Mem.f32(a, dBase + 4L * (b + 1)), acc1);
        }
        if (b < nb) {
            acc0 = q4_0Block(w, wo + 18L * b, a, ao + 64L * b, Mem.f32(a, dBase + 4L * b), acc0);
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    /** acc + d_w·d_a·(q−8)·a over one Q4_0 block (integer products per 16-lane group). */
    private static FloatVector q4_0Block(MemorySegment w, long o, MemorySegment a, long aq, float dy, FloatVector acc) {
        FloatVector scv = FloatVector.broadcast(FS, Mem.f16(w, o) * dy);
        for (int p = 0; p < PARTS; p++) {
            ShortVector s = bytes(w, o + 2 + p * L);
            ShortVector lo = s.and((short) 0xF).sub((short) 8);
            ShortVector hi = s.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
            ShortVector prod = lo.mul(acts(a, aq + 2L * p * L)).add(hi.mul(acts(a, aq + 32 + 2L * p * L)));
            acc = toFloat(prod).fma(scv, acc);
        }
        return acc;
    }

    /** 16 if bit (p·L + lane) of the 16-bit {@code bits} is set, else 0. */
    private static ShortVector fifth(int bits, int p) {
        ShortVector sh = ShortVector.fromArray(SI, LANE_SHIFTS, p * L);
        return ShortVector.broadcast(SI, (short) bits).lanewise(VectorOperators.LSHR, sh).and((short) 1)
                .lanewise(VectorOperators.LSHL, 4);
    }

    private static float q5_0(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        long sBase = ao + sOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        float corr = 0f;
        for (int b = 0, nb = cols / 32; b < nb; b++) {
            long o = wo + 22L * b;
            float sc = Mem.f16(w, o) * Mem.f32(a, dBase + 4L * b);
            FloatVector scv = FloatVector.broadcast(FS, sc);
            int qh = Mem.i32(w, o + 2);
            long aq = ao + 64L * b;
            for (int p = 0; p < PARTS; p++) {
                ShortVector s = bytes(w, o + 6 + p * L);
                ShortVector lo = s.and((short) 0xF).or(fifth(qh, p));
                ShortVector hi = s.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(fifth(qh >>> 16, p));
                ShortVector prod = lo.mul(acts(a, aq + 2L * p * L)).add(hi.mul(acts(a, aq + 32 + 2L * p * L)));
                if ((b & 1) == 0) {
                    acc0 = toFloat(prod).fma(scv, acc0);
                } else {
                    acc1 = toFloat(prod).fma(scv, acc1);
                }
            }
            corr += sc * Mem.i32(a, sBase + 4L * b);
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0) - 16f * corr;
    }

    private static float q2_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        long sBase = ao + sOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        float mins = 0f;
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 84L * b;
            float dy = Mem.f32(a, dBase + 4L * b);
            float dall = dy * Mem.f16(w, o + 80);
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                summs += Mem.i32(a, sBase + 4L * (16 * b + j)) * (Mem.u8(w, o + j) >> 4);
            }
            mins += dy * Mem.f16(w, o + 82) * summs;
            long aq = ao + 512L * b;
            for (int n = 0; n < 2; n++) {
                for (int l = 0; l < 32; l += L) {
                    ShortVector q = bytes(w, o + 16 + 32 * n + l);
                    for (int sh = 0; sh < 4; sh += 2) {
                        acc0 = q2Group(w, o, a, aq, q, dall, 128 * n + 32 * sh + l, sh, acc0);
                        acc1 = q2Group(w, o, a, aq, q, dall, 128 * n + 32 * (sh + 1) + l, sh + 1, acc1);
                    }
                }
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0) - mins;
    }

    /** One Q2_K group of 16: 2-bit quants at shift 2·sh of q, elements e.., scale nibble of sub-block e/16. */
    private static FloatVector q2Group(MemorySegment w, long o, MemorySegment a, long aq, ShortVector q, float dall,
                                       int e, int sh, FloatVector acc) {
        float sc = dall * (Mem.u8(w, o + e / 16) & 0xF);
        ShortVector v = q.lanewise(VectorOperators.ASHR, 2 * sh).and((short) 3).mul(acts(a, aq + 2L * e));
        return toFloat(v).fma(FloatVector.broadcast(FS, sc), acc);
    }

    private static float q3_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 110L * b;
            float d = Mem.f16(w, o + 108) * Mem.f32(a, dBase + 4L * b);
            long aq = ao + 512L * b;
            for (int l = 0; l < 32; l += L) {
                ShortVector hm = bytes(w, o + l);
                for (int n = 0; n < 2; n++) {
                    ShortVector q = bytes(w, o + 32 + 32 * n + l);
                    for (int sh = 0; sh < 4; sh++) {
                        int e = 128 * n + 32 * sh + l;
                        float sc = d * KQuantKernels.Q3_K.scale(w, o, e / 16);
                        ShortVector v = q.lanewise(VectorOperators.ASHR, 2 * sh).and((short) 3)
                                .or(hm.lanewise(VectorOperators.ASHR, 4 * n + sh).and((short) 1).lanewise(VectorOperators.LSHL, 2))
                                .sub((short) 4).mul(acts(a, aq + 2L * e));
                        if ((sh & 1) == 0) {
                            acc0 = toFloat(v).fma(FloatVector.broadcast(FS, sc), acc0);
                        } else {
                            acc1 = toFloat(v).fma(FloatVector.broadcast(FS, sc), acc1);
                        }
                    }
                }
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    private static float q8_0(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        int nb = cols / 32;
        int b = 0;
        for (; b + 1 < nb; b += 2) {
            acc0 = q8_0Block(w, wo + 34L * b, a, ao + 64L * b, Mem.f32(a, dBase + 4L * b), acc0);
            acc1 = q8_0Block(w, wo + 34L * (b + 1), a, ao + 64L * (b + 1), Mem.f32(a, dBase + 4L * (b + 1)), acc1);
        }
        if (b < nb) {
            acc0 = q8_0Block(w, wo + 34L * b, a, ao + 64L * b, Mem.f32(a, dBase + 4L * b), acc0);
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    private static FloatVector q8_0Block(MemorySegment w, long o, MemorySegment a, long aq, float dy, FloatVector acc) {
        FloatVector scv = FloatVector.broadcast(FS, Mem.f16(w, o) * dy);
        for (int p = 0; p < PARTS; p++) {
            ShortVector prod = bytes(w, o + 2 + p * L).mul(acts(a, aq + 2L * p * L))
                    .add(bytes(w, o + 18 + p * L).mul(acts(a, aq + 32 + 2L * p * L)));
            acc = toFloat(prod).fma(scv, acc);
        }
        return acc;
    }

    /** The 8 six-bit sub-block scales of a Q4_K/Q5_K block (get_scale_min_k4): 0–3 low int, 4–7 high. */
    private static long k45Scales(MemorySegment w, long o) {
        int s0 = Mem.i32(w, o + 4);
        int s2 = Mem.i32(w, o + 12);
        int sc03 = s0 & 0x3F3F3F3F;
        int sc47 = (s2 & 0x0F0F0F0F) | ((s0 >>> 2) & 0x30303030);
        return (sc03 & 0xFFFFFFFFL) | ((long) sc47 << 32);
    }

    /** dmin·d_y·Σ(min·bsum) of a Q4_K/Q5_K block: the part subtracted from the row's dot. */
    private static float k45Mins(MemorySegment w, long o, MemorySegment a, long bs, float dy) {
        int s1 = Mem.i32(w, o + 8);
        int s2 = Mem.i32(w, o + 12);
        int mn03 = s1 & 0x3F3F3F3F;
        int mn47 = ((s2 >>> 4) & 0x0F0F0F0F) | ((s1 >>> 2) & 0x30303030);
        int summs = 0;
        for (int j = 0; j < 4; j++) {
            summs += ((mn03 >>> (8 * j)) & 0xFF) * (Mem.i32(a, bs + 8L * j) + Mem.i32(a, bs + 8L * j + 4));
            summs += ((mn47 >>> (8 * j)) & 0xFF) * (Mem.i32(a, bs + 32 + 8L * j) + Mem.i32(a, bs + 36 + 8L * j));
        }
        return Mem.f16(w, o + 2) * dy * summs;
    }

    // Q4_K and Q5_K are separate methods on purpose: a flag choosing the fifth-bit path merges
    // vector values at a branch, which C2 then boxes (heap allocation per row).
    private static float q4_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        int bb = 144;
        int qsOff = 16;
        long dBase = ao + dOff(cols);
        long sBase = ao + sOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        float mins = 0f;
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + (long) bb * b;
            float dy = Mem.f32(a, dBase + 4L * b);
            float d = Mem.f16(w, o) * dy;
            long scales = k45Scales(w, o);
            mins += k45Mins(w, o, a, sBase + 64L * b, dy);
            long aq = ao + 512L * b;
            for (int c = 0; c < 4; c++) {
                int w1 = (int) (c < 2 ? scales : scales >>> 32);
                int sh = 16 * (c & 1);
                FloatVector v1 = FloatVector.broadcast(FS, d * ((w1 >>> sh) & 0xFF));
                FloatVector v2 = FloatVector.broadcast(FS, d * ((w1 >>> (sh + 8)) & 0xFF));
                for (int l = 0; l < 32; l += L) {
                    ShortVector q = bytes(w, o + qsOff + 32 * c + l);
                    ShortVector lo = q.and((short) 0xF);
                    ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF);
                    lo = lo.mul(acts(a, aq + 2L * (64 * c + l)));
                    hi = hi.mul(acts(a, aq + 2L * (64 * c + 32 + l)));
                    acc0 = toFloat(lo).fma(v1, acc0);
                    acc1 = toFloat(hi).fma(v2, acc1);
                }
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0) - mins;
    }

    private static float q5_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        int bb = 176;
        int qsOff = 48;
        long dBase = ao + dOff(cols);
        long sBase = ao + sOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        float mins = 0f;
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + (long) bb * b;
            float dy = Mem.f32(a, dBase + 4L * b);
            float d = Mem.f16(w, o) * dy;
            long scales = k45Scales(w, o);
            mins += k45Mins(w, o, a, sBase + 64L * b, dy);
            long aq = ao + 512L * b;
            for (int c = 0; c < 4; c++) {
                int w1 = (int) (c < 2 ? scales : scales >>> 32);
                int sh = 16 * (c & 1);
                FloatVector v1 = FloatVector.broadcast(FS, d * ((w1 >>> sh) & 0xFF));
                FloatVector v2 = FloatVector.broadcast(FS, d * ((w1 >>> (sh + 8)) & 0xFF));
                for (int l = 0; l < 32; l += L) {
                    ShortVector q = bytes(w, o + qsOff + 32 * c + l);
                    ShortVector qh = bytes(w, o + 16 + l);
                    ShortVector lo = q.and((short) 0xF)
                            .or(qh.lanewise(VectorOperators.ASHR, 2 * c).and((short) 1).lanewise(VectorOperators.LSHL, 4));
                    ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF)
                            .or(qh.lanewise(VectorOperators.ASHR, 2 * c + 1).and((short) 1).lanewise(VectorOperators.LSHL, 4));
                    lo = lo.mul(acts(a, aq + 2L * (64 * c + l)));
                    hi = hi.mul(acts(a, aq + 2L * (64 * c + 32 + l)));
                    acc0 = toFloat(lo).fma(v1, acc0);
                    acc1 = toFloat(hi).fma(v2, acc1);
                }
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0) - mins;
    }

    /** 16 IQ4 nibbles (low or high) of the bytes at {@code qs}, mapped through the codebook, as int16. */
    private static ShortVector iq4(MemorySegment w, long qs, boolean high) {
        ByteVector v = ByteVector.fromMemorySegment(BI, w, qs, LE);
        v = high ? v.lanewise(VectorOperators.LSHR, 4) : v.and((byte) 0xF);
        return (ShortVector) v.selectFrom(KV).convertShape(VectorOperators.B2S, SI, 0);
    }

    private static float iq4_nl(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 32; b < nb; b++) {
            long o = wo + 18L * b;
            FloatVector scv = FloatVector.broadcast(FS, Mem.f16(w, o) * Mem.f32(a, dBase + 4L * b));
            long aq = ao + 64L * b;
            ShortVector prod = iq4(w, o + 2, false).mul(acts(a, aq)).add(iq4(w, o + 2, true).mul(acts(a, aq + 32)));
            if ((b & 1) == 0) {
                acc0 = toFloat(prod).fma(scv, acc0);
            } else {
                acc1 = toFloat(prod).fma(scv, acc1);
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    private static float iq4_xs(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 136L * b;
            float d = Mem.f16(w, o) * Mem.f32(a, dBase + 4L * b);
            long aq = ao + 512L * b;
            for (int ib = 0; ib < 8; ib++) {
                FloatVector scv = FloatVector.broadcast(FS, d * (KQuant456Kernels.IQ4_XS.ls(w, o, ib) - 32));
                long qs = o + 8 + 16 * ib;
                long ae = aq + 64L * ib;
                ShortVector prod = iq4(w, qs, false).mul(acts(a, ae)).add(iq4(w, qs, true).mul(acts(a, ae + 32)));
                if ((ib & 1) == 0) {
                    acc0 = toFloat(prod).fma(scv, acc0);
                } else {
                    acc1 = toFloat(prod).fma(scv, acc1);
                }
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    private static float q6_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 210L * b;
            float d = Mem.f16(w, o + 208) * Mem.f32(a, dBase + 4L * b);
            long aq = ao + 512L * b;
            for (int n = 0; n < 2; n++) {
                for (int l = 0; l < 32; l += L) {
                    ShortVector qla = bytes(w, o + 64 * n + l);
                    ShortVector qlb = bytes(w, o + 64 * n + 32 + l);
                    ShortVector qh = bytes(w, o + 128 + 32 * n + l);
                    // quarter k: elements 128n + 32k + l, low nibble of ql[l] (k=0), ql[l+32] (1), high nibbles (2, 3)
                    for (int k = 0; k < 4; k += 2) {
                        acc0 = q6Quarter(w, o, a, aq, d, qla, qh, 128 * n + 32 * k + l, k, acc0);
                        acc1 = q6Quarter(w, o, a, aq, d, qlb, qh, 128 * n + 32 * (k + 1) + l, k + 1, acc1);
                    }
                }
            }
        }
        FloatVector sum = acc0.add(acc1);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    /** Quarter k of a Q6_K half: elements e.. (16 lanes), low nibble from ql, 2 high bits from qh. */
    private static FloatVector q6Quarter(MemorySegment w, long o, MemorySegment a, long aq, float d, ShortVector ql,
                                         ShortVector qh, int e, int k, FloatVector acc) {
        ShortVector q = ql.lanewise(VectorOperators.ASHR, (k >> 1) << 2).and((short) 0xF)
                .or(qh.lanewise(VectorOperators.ASHR, 2 * k).and((short) 3).lanewise(VectorOperators.LSHL, 4))
                .sub((short) 32);
        float sc = d * Mem.i8(w, o + 192 + e / 16);
        return toFloat(q.mul(acts(a, aq + 2L * e))).fma(FloatVector.broadcast(FS, sc), acc);
    }
}
