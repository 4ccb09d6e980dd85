package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FS;
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
 * Q4_0, Q8_0 (against Q8_0 activations) and Q4_K, Q6_K (against Q8_K). Activations are kept as
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

    private IntMatVec() {}

    private static boolean usableShape() {
        return L == 8 || L == 16;
    }

    static boolean supports(GgmlType t) {
        return usableShape() && switch (t) {
            case Q4_0, Q8_0, Q4_K, Q6_K -> true;
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
                float amax = 0;
                float max = 0;
                for (int j = 0; j < 256; j++) {
                    float v = Mem.f32(x, xo + 4L * j);
                    if (Math.abs(v) > amax) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                float iscale = amax == 0f ? 0f : -127f / max;
                for (int g = 0; g < 16; g++) {
                    int sum = 0;
                    for (int j = 16 * g; j < 16 * g + 16; j++) {
                        int q = iscale == 0f ? 0 : Math.min(127, (int) Math.rint(iscale * Mem.f32(x, xo + 4L * j)));
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
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(Mem.f32(x, xo + 4L * j)));
                }
                float d = amax / 127f;
                float id = amax != 0f ? 127f / amax : 0f;
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    int q = (int) Math.rint(Mem.f32(x, xo + 4L * j) * id);
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
            case Q4_K -> q4_K(w, wo, cols, a, ao);
            case Q6_K -> q6_K(w, wo, cols, a, ao);
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
        long sBase = ao + sOff(cols);
        FloatVector acc = FloatVector.zero(FS);
        float corr = 0f;
        for (int b = 0, nb = cols / 32; b < nb; b++) {
            long o = wo + 18L * b;
            float sc = Mem.f16(w, o) * Mem.f32(a, dBase + 4L * b);
            FloatVector scv = FloatVector.broadcast(FS, sc);
            long aq = ao + 64L * b;
            for (int p = 0; p < PARTS; p++) {
                ShortVector s = bytes(w, o + 2 + p * L);
                ShortVector lo = s.and((short) 0xF);
                ShortVector hi = s.lanewise(VectorOperators.ASHR, 4).and((short) 0xF);
                ShortVector prod = lo.mul(acts(a, aq + 2L * p * L)).add(hi.mul(acts(a, aq + 32 + 2L * p * L)));
                acc = toFloat(prod).fma(scv, acc);
            }
            corr += sc * Mem.i32(a, sBase + 4L * b);
        }
        return acc.reduceLanes(VectorOperators.ADD) - 8f * corr;
    }

    private static float q8_0(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 32; b < nb; b++) {
            long o = wo + 34L * b;
            FloatVector scv = FloatVector.broadcast(FS, Mem.f16(w, o) * Mem.f32(a, dBase + 4L * b));
            long aq = ao + 64L * b;
            for (int p = 0; p < PARTS; p++) {
                ShortVector prod = bytes(w, o + 2 + p * L).mul(acts(a, aq + 2L * p * L))
                        .add(bytes(w, o + 18 + p * L).mul(acts(a, aq + 32 + 2L * p * L)));
                acc = toFloat(prod).fma(scv, acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float q4_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        long sBase = ao + sOff(cols);
        FloatVector acc = FloatVector.zero(FS);
        float mins = 0f;
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 144L * b;
            float dy = Mem.f32(a, dBase + 4L * b);
            float d = Mem.f16(w, o) * dy;
            int summs = 0;
            for (int j = 0; j < 8; j++) {
                int bs = Mem.i32(a, sBase + 4L * (16 * b + 2 * j)) + Mem.i32(a, sBase + 4L * (16 * b + 2 * j + 1));
                summs += KQuant456Kernels.scaleMin(w, o + 4, j, 1) * bs;
            }
            mins += Mem.f16(w, o + 2) * dy * summs;
            long aq = ao + 512L * b;
            for (int c = 0; c < 4; c++) {
                FloatVector s1 = FloatVector.broadcast(FS, d * KQuant456Kernels.scaleMin(w, o + 4, 2 * c, 0));
                FloatVector s2 = FloatVector.broadcast(FS, d * KQuant456Kernels.scaleMin(w, o + 4, 2 * c + 1, 0));
                for (int h = 0; h < 2; h++) {
                    for (int p = 0; p < PARTS; p++) {
                        int l = 16 * h + p * L;
                        ShortVector s = bytes(w, o + 16 + 32 * c + l);
                        ShortVector lo = s.and((short) 0xF).mul(acts(a, aq + 2L * (64 * c + l)));
                        ShortVector hi = s.lanewise(VectorOperators.ASHR, 4).and((short) 0xF)
                                .mul(acts(a, aq + 2L * (64 * c + 32 + l)));
                        acc = toFloat(lo).fma(s1, acc);
                        acc = toFloat(hi).fma(s2, acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    private static float q6_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + dOff(cols);
        FloatVector acc = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 210L * b;
            float d = Mem.f16(w, o + 208) * Mem.f32(a, dBase + 4L * b);
            long aq = ao + 512L * b;
            // group g: 16 elements 128n + 32·quarter + 16h + [0,16), scale index 8n + 2·quarter + h
            for (int g = 0; g < 16; g++) {
                int n = g >> 3;
                int quarter = (g >> 1) & 3;
                int h = g & 1;
                FloatVector sv = FloatVector.broadcast(FS, d * Mem.i8(w, o + 192 + 8 * n + 2 * quarter + h));
                long ql = o + 64 * n + 16 * h + ((quarter & 1) << 5);
                long qh = o + 128 + 32 * n + 16 * h;
                int lowShift = (quarter >> 1) << 2;
                int highShift = 2 * quarter;
                long ae = aq + 2L * (128 * n + 32 * quarter + 16 * h);
                for (int p = 0; p < PARTS; p++) {
                    ShortVector low = bytes(w, ql + p * L).lanewise(VectorOperators.ASHR, lowShift).and((short) 0xF);
                    ShortVector high = bytes(w, qh + p * L).lanewise(VectorOperators.ASHR, highShift).and((short) 3);
                    ShortVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub((short) 32);
                    acc = toFloat(q.mul(acts(a, ae + 2L * p * L))).fma(sv, acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
