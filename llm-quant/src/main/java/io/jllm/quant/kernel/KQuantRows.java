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
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer matrix × vector rows for Q4_K and Q6_K (token generation), with fewer operations per
 * 256-weight superblock than the group-of-16 rows of {@link IntMatVec}.
 *
 * <p>The quant bytes are loaded as int16 lanes (2·L lanes, each holding two bytes) without
 * widening; the four nibble fields of a lane (low/high nibble of its low/high byte) are masked
 * out into four int16 vectors, whose lanes hold weights in a fixed but scattered order. The
 * Q8_K activations are stored once per call in that same order ({@link #permute}), so each
 * weight vector meets its activations with one load. Two products of the same sub-block are
 * added in int16, adjacent int16 lanes (also one sub-block) are added into int32 by a
 * shift-add on the int view, then converted to float once and multiplied by a vector of
 * {@code d·d_y·scale} whose lanes are picked from the superblock's scales by a constant
 * shuffle. The Q4_K mins term uses the activation bsums: Σ min_j·bsum_j, integer per lane.
 * Integer parts are exact (|products| ≤ 2·63·127 per int16 lane, pair sums ≤ 16256); only the
 * float summation order differs from ggml.
 *
 * <p>Needs 512-bit vectors (L = 16: the Q6_K superblock's 16 scales in one float vector);
 * otherwise {@link IntMatVec}'s rows run.
 */
final class KQuantRows {
    static final boolean ENABLED = L == 16;
    private static final int S = 2 * L;
    private static final VectorSpecies<Short> SS = ENABLED ? VectorSpecies.of(short.class, VectorShape.forBitSize(16 * S)) : null;
    private static final VectorSpecies<Integer> IS = ENABLED ? VectorSpecies.of(int.class, FS.vectorShape()) : null;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Activation position p (within a superblock) holds element SRC[p]. */
    private static final int[] Q4_SRC = ENABLED ? sources(false) : null;
    private static final int[] Q6_SRC = ENABLED ? sources(true) : null;

    /** Per load g, pair p: the scale lanes of its products (index 2g + p). */
    private static final VectorShuffle<Float>[] Q4_SCALES = scaleShuffles(false);
    private static final VectorShuffle<Float>[] Q6_SCALES = scaleShuffles(true);

    /** Q4_K header bytes (d, dmin, scales[12]) → lanes 0–7 scales, 8–15 mins (get_scale_min_k4). */
    private static final VectorShuffle<Byte> PICK_P = ENABLED
            ? VectorShuffle.fromValues(B16, 4, 5, 6, 7, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15) : null;
    private static final VectorShuffle<Byte> PICK_Q = ENABLED
            ? VectorShuffle.fromValues(B16, 0, 0, 0, 0, 4, 5, 6, 7, 0, 0, 0, 0, 8, 9, 10, 11) : null;
    private static final IntVector SHIFT_P = ints(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4);
    private static final IntVector MASK_P = ints(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15);
    private static final IntVector MASK_Q = ints(0, 0, 0, 0, 48, 48, 48, 48, 0, 0, 0, 0, 48, 48, 48, 48);
    /** Lane j: the min of sub-block j/2 (bsums are per 16 elements, mins per 32). */
    private static final VectorShuffle<Integer> MIN_PAIRS = ENABLED
            ? VectorShuffle.fromValues(IS, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15) : null;
    /** Q6_K qh per half: lanes i and i+L both take qh int16 lane L·half + i mod L. */
    private static final VectorShuffle<Short>[] QH_LANES = qhLanes();
    private static final ShortVector QH_SHIFT = ENABLED
            ? ShortVector.fromArray(SS, qhShifts(), 0) : null;

    private static final ThreadLocal<short[]> TMP = ThreadLocal.withInitial(() -> new short[256]);

    private KQuantRows() {}

    static boolean supports(GgmlType t) {
        return ENABLED && (t == GgmlType.Q4_K || t == GgmlType.Q6_K);
    }

    // ---- layout -------------------------------------------------------------------------

    /**
     * Superblock element held by nibble field k (0: low nibble of the low byte, 1: its high
     * nibble, 2/3: the same of the high byte) of int16 lane i of load g (bytes 2S·g..).
     */
    static int element(boolean q6, int g, int k, int i) {
        int byteInLoad = 2 * i + (k >> 1);
        if (q6) {
            // ql half g: bytes 0..31 hold elements l and l+64, bytes 32..63 elements l+32 and l+96
            int l = byteInLoad % 32;
            return 128 * g + 32 * (byteInLoad / 32) + 64 * (k & 1) + l;
        }
        int q = 2 * S * g + byteInLoad;
        return 64 * (q / 32) + 32 * (k & 1) + q % 32;
    }

    private static int[] sources(boolean q6) {
        int[] src = new int[256];
        for (int g = 0; g < 256 / (4 * S); g++) {
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < S; i++) {
                    src[4 * S * g + S * k + i] = element(q6, g, k, i);
                }
            }
        }
        return src;
    }

    /** [2g + p] lane j: the sub-block of int32 lane j (int16 lanes 2j, 2j+1) of product pair p of load g. */
    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] scaleShuffles(boolean q6) {
        if (!ENABLED) {
            return null;
        }
        VectorShuffle<Float>[] r = new VectorShuffle[4];
        for (int gp = 0; gp < 4; gp++) {
            int[] idx = new int[L];
            for (int j = 0; j < L; j++) {
                idx[j] = element(q6, gp >> 1, gp & 1, 2 * j) / (q6 ? 16 : 32);
            }
            r[gp] = VectorShuffle.fromArray(FS, idx, 0);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Short>[] qhLanes() {
        if (!ENABLED) {
            return null;
        }
        VectorShuffle<Short>[] r = new VectorShuffle[2];
        for (int half = 0; half < 2; half++) {
            int[] idx = new int[S];
            for (int i = 0; i < S; i++) {
                idx[i] = L * half + i % L;
            }
            r[half] = VectorShuffle.fromArray(SS, idx, 0);
        }
        return r;
    }

    /** Lanes of the second half of a ql load hold elements +32: their qh bits are 2 higher. */
    private static short[] qhShifts() {
        short[] s = new short[S];
        for (int i = L; i < S; i++) {
            s[i] = 2;
        }
        return s;
    }

    private static IntVector ints(int... v) {
        return ENABLED ? IntVector.fromArray(IS, v, 0) : null;
    }

    /** Reorders the int16 activation quants at {@code ao} (as {@link IntMatVec#convert} wrote them) for {@code t}. */
    static void permute(GgmlType t, int cols, MemorySegment act, long ao) {
        if (!supports(t)) {
            return;
        }
        int[] src = t == GgmlType.Q4_K ? Q4_SRC : Q6_SRC;
        short[] tmp = TMP.get();
        for (int b = 0; b < cols / 256; b++) {
            long base = ao + 512L * b;
            MemorySegment.copy(act, Mem.I16, base, tmp, 0, 256);
            for (int p = 0; p < 256; p++) {
                act.set(Mem.I16, base + 2L * p, tmp[src[p]]);
            }
        }
    }

    // ---- kernels ------------------------------------------------------------------------


    static float q4_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + 2L * cols;
        long sBase = dBase + 4L * (cols / 32);
        FloatVector acc = FloatVector.zero(FS);
        FloatVector mins = acc;
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 144L * b;
            float dy = Mem.f32(a, dBase + 4L * b);
            int dd = Mem.i32(w, o);
            IntVector sm = scalesMins(ByteVector.fromMemorySegment(B16, w, o, LE));
            FloatVector sc = ((FloatVector) sm.convert(VectorOperators.I2F, 0)).mul(Float.float16ToFloat((short) dd) * dy);
            mins = minTerm(sm, a, sBase + 64L * b, Float.float16ToFloat((short) (dd >>> 16)) * dy, mins);
            for (int g = 0; g < 2; g++) {
                ShortVector y = ShortVector.fromMemorySegment(SS, w, o + 16 + 2 * S * g, LE);
                long aq = ao + 512L * b + 8 * S * g;
                FloatVector f02 = q4Pair(y, 0, a, aq, aq + 4 * S);
                FloatVector f13 = q4Pair(y, 4, a, aq + 2 * S, aq + 6 * S);
                acc = acc.add(f02.fma(sc.rearrange(Q4_SCALES[2 * g]), f13.mul(sc.rearrange(Q4_SCALES[2 * g + 1]))));
            }
        }
        FloatVector sum = acc.sub(mins);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    /** Lanes 0–7: the 8 six-bit scales, 8–15: the 8 mins, of the Q4_K header {@code h}. */
    private static IntVector scalesMins(ByteVector h) {
        IntVector p = (IntVector) h.rearrange(PICK_P).convertShape(VectorOperators.B2I, IS, 0);
        IntVector q = (IntVector) h.rearrange(PICK_Q).convertShape(VectorOperators.B2I, IS, 0);
        return p.lanewise(VectorOperators.LSHR, SHIFT_P).and(MASK_P)
                .or(q.lanewise(VectorOperators.LSHR, 2).and(MASK_Q));
    }

    /** acc + dm·min_{j/2}·bsum_j per lane (integer products exact). */
    private static FloatVector minTerm(IntVector sm, MemorySegment a, long bs, float dm, FloatVector acc) {
        IntVector m = sm.rearrange(MIN_PAIRS).mul(IntVector.fromMemorySegment(IS, a, bs, LE));
        return ((FloatVector) m.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(FS, dm), acc);
    }

    /**
     * Nibble fields s (low byte) and s+8 (high byte) of the Q4_K quants y times their activations
     * at aA and aB, as int32 sums of adjacent int16 lanes, in float. The helpers here call no
     * others: C2 stops inlining plain methods (not the Vector API's force-inlined ones) once a
     * compilation passes its node budget, and then boxes the vectors they take and return.
     */
    private static FloatVector q4Pair(ShortVector y, int s, MemorySegment a, long aA, long aB) {
        IntVector p = y.lanewise(VectorOperators.LSHR, s).and((short) 0xF).mul(ShortVector.fromMemorySegment(SS, a, aA, LE))
                .add(y.lanewise(VectorOperators.LSHR, s + 8).and((short) 0xF)
                        .mul(ShortVector.fromMemorySegment(SS, a, aB, LE))).reinterpretAsInts();
        // int32 lane j = int16 lanes 2j + 2j+1 (one sub-block; |sum| < 2^15, so the shift-add is exact)
        return (FloatVector) p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                .convert(VectorOperators.I2F, 0);
    }

    static float q6_K(MemorySegment w, long wo, int cols, MemorySegment a, long ao) {
        long dBase = ao + 2L * cols;
        FloatVector acc = FloatVector.zero(FS);
        for (int b = 0, nb = cols / 256; b < nb; b++) {
            long o = wo + 210L * b;
            float d = Mem.f16(w, o + 208) * Mem.f32(a, dBase + 4L * b);
            FloatVector sc = ((FloatVector) ByteVector.fromMemorySegment(B16, w, o + 192, LE)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(d);
            ShortVector qh = ShortVector.fromMemorySegment(SS, w, o + 128, LE);
            for (int n = 0; n < 2; n++) {
                ShortVector x = ShortVector.fromMemorySegment(SS, w, o + 64 * n, LE);
                ShortVector hs = qh.rearrange(QH_LANES[n]).lanewise(VectorOperators.LSHR, QH_SHIFT);
                long aq = ao + 512L * b + 256 * n;
                FloatVector f02 = q6Pair(x, hs, 0, a, aq, aq + 4 * S);
                FloatVector f13 = q6Pair(x, hs, 4, a, aq + 2 * S, aq + 6 * S);
                acc = acc.add(f02.fma(sc.rearrange(Q6_SCALES[2 * n]), f13.mul(sc.rearrange(Q6_SCALES[2 * n + 1]))));
            }
        }
        FloatVector sum = acc;
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    /**
     * Q6_K nibble fields s and s+8 of the ql lanes x, with their two high bits from the qh lanes
     * hs (4-s and 4+s bits above them), minus 32, times their activations at aA and aB; summed
     * as in {@link #q4Pair}.
     */
    private static FloatVector q6Pair(ShortVector x, ShortVector hs, int s, MemorySegment a, long aA, long aB) {
        ShortVector va = x.lanewise(VectorOperators.LSHR, s).and((short) 0xF)
                .or(hs.lanewise(VectorOperators.LSHL, 4 - s).and((short) 0x30)).sub((short) 32);
        ShortVector vb = x.lanewise(VectorOperators.LSHR, s + 8).and((short) 0xF)
                .or(hs.lanewise(VectorOperators.LSHR, 4 + s).and((short) 0x30)).sub((short) 32);
        IntVector p = va.mul(ShortVector.fromMemorySegment(SS, a, aA, LE))
                .add(vb.mul(ShortVector.fromMemorySegment(SS, a, aB, LE))).reinterpretAsInts();
        return (FloatVector) p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                .convert(VectorOperators.I2F, 0);
    }
}
