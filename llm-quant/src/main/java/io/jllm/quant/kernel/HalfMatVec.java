package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOLD2;
import static io.jllm.quant.kernel.SimdKernels.FOLD3;
import static io.jllm.quant.kernel.SimdKernels.FOLD4;
import static io.jllm.quant.kernel.SimdKernels.FS;
import static io.jllm.quant.kernel.SimdKernels.HIGH1;
import static io.jllm.quant.kernel.SimdKernels.HIGH2;
import static io.jllm.quant.kernel.SimdKernels.L;
import static io.jllm.quant.kernel.SimdKernels.LANE_A;
import static io.jllm.quant.kernel.SimdKernels.LANE_B;
import static io.jllm.quant.kernel.SimdKernels.LANE_C;
import static io.jllm.quant.kernel.SimdKernels.LANE_D;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused F16/BF16 matrix × vector rows for small batches (token generation): the weights are
 * widened to f32 in registers and multiplied with the activations right away, 4 rows per pass so
 * that each activation load serves 4 rows. No float tile is written.
 *
 * <p>Activations are rounded once per call to the weight type (fp16 or bf16, as ggml's
 * {@code vec_dot_f16/bf16} do) and stored as f32. For fp16 they are also scaled by 2^112, so
 * a weight can be widened with two integer operations: the sign-extended half {@code h} gives
 * {@code (h << 13) & 0x8FFFE000}, whose float value is exactly {@code w·2^-112} for normals,
 * subnormals and zeros; its product with {@code a·2^112} is the same real number as
 * {@code w·a} and rounds identically. Inf/NaN weights (exponent 31) would come out finite, so
 * the loop tracks the largest weight magnitude bits and recomputes the 4 rows with the exact
 * scalar conversion when one is seen. bf16 weights are just {@code h << 16}. The products are
 * exact as in ggml; only the float summation order differs.
 */
final class HalfMatVec {
    /** Activation scale for fp16 (exact: |a| ≤ 65504 keeps a·2^112 finite). */
    static final float F16_SCALE = 0x1p112f;
    private static final float F16_UNSCALE = 0x1p-112f;
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** fp16 magnitude bits from which on the exponent is 31 (inf/NaN). */
    private static final int F16_SPECIAL = 0x7C00;

    private HalfMatVec() {}

    /** Rounds {@code n} f32 activations to fp16 (scaled by 2^112) or bf16, stored as f32. */
    static void convert(boolean bf16, MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int j = 0; j < n; j++) {
            float v = Mem.f32(x, xOff + 4L * j);
            float r = bf16 ? Mem.bf16ToFloat(Mem.floatToBf16(v)) : Mem.roundF16(v) * F16_SCALE;
            Mem.setF32(dst, dstOff + 4L * j, r);
        }
    }

    /** Bytes of an F16 matrix's verification flags: one per group of 4 rows. */
    static long flagBytes(int rows) {
        return (rows + 3) / 4;
    }

    /**
     * {@code out[r] = Σ_i w_r[i]·a[i]} for the 4 rows at byte offsets {@code o0..o3} (a row may
     * repeat; its result is then computed twice), {@code a} as written by {@link #convert}.
     * {@code verified}: these fp16 rows are known to hold no inf/NaN (an earlier call returned
     * true for them), so the check is skipped; it costs about a quarter of the loop. Returns
     * true if the rows hold no inf/NaN weight (always for bf16).
     */
    static boolean rows4(boolean bf16, boolean verified, MemorySegment w, long o0, long o1, long o2, long o3,
                         int cols, MemorySegment a, long aOff, float[] out) {
        if (bf16) {
            bf16Rows4(w, o0, o1, o2, o3, cols, a, aOff, out);
            return true;
        }
        if (f16Rows4(!verified, w, o0, o1, o2, o3, cols, a, aOff, out)) {
            return true;
        }
        out[0] = exactF16(w, o0, 0, cols, a, aOff);
        out[1] = exactF16(w, o1, 0, cols, a, aOff);
        out[2] = exactF16(w, o2, 0, cols, a, aOff);
        out[3] = exactF16(w, o3, 0, cols, a, aOff);
        return false;
    }

    private static IntVector halves(MemorySegment w, long off) {
        return (IntVector) ShortVector.fromMemorySegment(SS, w, off, LE).convertShape(VectorOperators.S2I, IS, 0);
    }

    /** fp16 bits (sign-extended) to the float w·2^-112, exact unless the exponent is 31. */
    private static FloatVector f16Scaled(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats();
    }

    private static FloatVector bf16(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** With {@code check}: returns false (out untouched) when a weight of the 4 rows is inf or NaN. */
    private static boolean f16Rows4(boolean check, MemorySegment w, long o0, long o1, long o2, long o3, int cols,
                                    MemorySegment a, long aOff, float[] out) {
        FloatVector c0 = FloatVector.zero(FS), c1 = c0, c2 = c0, c3 = c0;
        IntVector mag = IntVector.zero(IS);
        int ub = FS.loopBound(cols);
        int i = 0;
        for (; i < ub; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(FS, a, aOff + 4L * i, LE);
            long wo = 2L * i;
            IntVector h0 = halves(w, o0 + wo);
            IntVector h1 = halves(w, o1 + wo);
            IntVector h2 = halves(w, o2 + wo);
            IntVector h3 = halves(w, o3 + wo);
            if (check) {
                mag = mag.max(h0.and(0x7FFF)).max(h1.and(0x7FFF)).max(h2.and(0x7FFF)).max(h3.and(0x7FFF));
            }
            c0 = f16Scaled(h0).fma(x, c0);
            c1 = f16Scaled(h1).fma(x, c1);
            c2 = f16Scaled(h2).fma(x, c2);
            c3 = f16Scaled(h3).fma(x, c3);
        }
        if (mag.reduceLanes(VectorOperators.MAX) >= F16_SPECIAL) {
            return false;
        }
        FloatVector ab = c0.blend(c1, HIGH1).add(c1.blend(c0, HIGH1).rearrange(FOLD1));
        FloatVector cd = c2.blend(c3, HIGH1).add(c3.blend(c2, HIGH1).rearrange(FOLD1));
        FloatVector s = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            s = s.add(s.rearrange(FOLD3));
        }
        if (L == 16) {
            s = s.add(s.rearrange(FOLD4));
        }
        out[0] = s.lane(LANE_A) + exactF16(w, o0, i, cols, a, aOff);
        out[1] = s.lane(LANE_B) + exactF16(w, o1, i, cols, a, aOff);
        out[2] = s.lane(LANE_C) + exactF16(w, o2, i, cols, a, aOff);
        out[3] = s.lane(LANE_D) + exactF16(w, o3, i, cols, a, aOff);
        return true;
    }

    private static void bf16Rows4(MemorySegment w, long o0, long o1, long o2, long o3, int cols,
                                  MemorySegment a, long aOff, float[] out) {
        FloatVector c0 = FloatVector.zero(FS), c1 = c0, c2 = c0, c3 = c0;
        int ub = FS.loopBound(cols);
        int i = 0;
        for (; i < ub; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(FS, a, aOff + 4L * i, LE);
            long wo = 2L * i;
            c0 = bf16(halves(w, o0 + wo)).fma(x, c0);
            c1 = bf16(halves(w, o1 + wo)).fma(x, c1);
            c2 = bf16(halves(w, o2 + wo)).fma(x, c2);
            c3 = bf16(halves(w, o3 + wo)).fma(x, c3);
        }
        FloatVector ab = c0.blend(c1, HIGH1).add(c1.blend(c0, HIGH1).rearrange(FOLD1));
        FloatVector cd = c2.blend(c3, HIGH1).add(c3.blend(c2, HIGH1).rearrange(FOLD1));
        FloatVector s = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            s = s.add(s.rearrange(FOLD3));
        }
        if (L == 16) {
            s = s.add(s.rearrange(FOLD4));
        }
        out[0] = s.lane(LANE_A) + exactBf16(w, o0, i, cols, a, aOff);
        out[1] = s.lane(LANE_B) + exactBf16(w, o1, i, cols, a, aOff);
        out[2] = s.lane(LANE_C) + exactBf16(w, o2, i, cols, a, aOff);
        out[3] = s.lane(LANE_D) + exactBf16(w, o3, i, cols, a, aOff);
    }

    /** Σ over elements [from, to) with the exact fp16 conversion (tails, inf/NaN rows). */
    static float exactF16(MemorySegment w, long o, int from, int to, MemorySegment a, long aOff) {
        float s = 0;
        for (int i = from; i < to; i++) {
            s += Mem.f16(w, o + 2L * i) * (Mem.f32(a, aOff + 4L * i) * F16_UNSCALE);
        }
        return s;
    }

    private static float exactBf16(MemorySegment w, long o, int from, int to, MemorySegment a, long aOff) {
        float s = 0;
        for (int i = from; i < to; i++) {
            s += Mem.bf16ToFloat(Mem.i16(w, o + 2L * i)) * Mem.f32(a, aOff + 4L * i);
        }
        return s;
    }
}
