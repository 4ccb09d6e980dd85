package io.jllm.quant.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float micro-kernels of the SIMD matrix path: dot products of up to 4 decoded weight rows
 * (a float[] tile, rows {@code ws} apart) with up to 4 activation vectors (f32 in a segment),
 * register-blocked 4×4 and 4×1. Species-generic: one loop over the preferred float species
 * (capped at 512 bits), scalar tail.
 */
final class SimdKernels {
    static final VectorSpecies<Float> FS = pickSpecies();
    static final int L = FS.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /*
     * Lane sums. Every horizontal sum of float lanes in the SIMD kernels is done in one fixed order,
     * pairwise halving: v[i] + v[i ^ w] for w = L/2, L/4, ... 1 (the order of _mm512_reduce_add_ps,
     * and of C2's reduceLanes(ADD) intrinsic). reduceLanes(ADD) itself is not used: while the caller
     * is interpreted (or C1-compiled) it adds the lanes in order, so on JDK 25 x86 a product computed
     * in a JVM's first moments differed in its last bits from the same product computed later
     * (WarmUpFreshJvmTest). The steps are written out at each sum with these constants: a helper
     * taking the vector is not always inlined by C2 (node budget, call-site size), and a call that is
     * not inlined boxes its vector argument, which the allocation tests catch.
     *
     * FOLDk swaps lanes i and i ^ (L >> k): s = s.add(s.rearrange(FOLDk)) for k = 1 … log2(L) leaves
     * the sum in every lane. FOLD3 is used only when L >= 8, FOLD4 only when L == 16.
     * To sum four vectors a, b, c, d at once, the first two steps merge them: with HIGHk the lanes
     * whose bit L >> k is set, ab = a.blend(b, HIGH1).add(b.blend(a, HIGH1).rearrange(FOLD1)) holds
     * a's halving step in the lanes of HIGH1's complement and b's in HIGH1; abcd (from ab and cd with
     * HIGH2 and FOLD2) holds a, c, b, d in lane quarters 0, 1, 2, 3, each then folded by FOLD3, FOLD4.
     * The additions are the same as four separate sums, so the bits are too.
     */
    static final VectorShuffle<Float> FOLD1 = swap(L / 2);
    static final VectorShuffle<Float> FOLD2 = swap(L / 4);
    static final VectorShuffle<Float> FOLD3 = swap(Math.max(1, L / 8));
    static final VectorShuffle<Float> FOLD4 = swap(Math.max(1, L / 16));
    static final VectorMask<Float> HIGH1 = bitSet(L / 2);
    static final VectorMask<Float> HIGH2 = bitSet(L / 4);
    /*
     * The same halving order with narrower vectors once half the lanes are summed, for the single
     * sums of the row kernels (which need L = 8 or 16): after FOLD1 the low L/2 lanes are
     * reinterpreted as a HALF vector, folded to FOUR lanes (128 bits) and folded twice more. On
     * AVX-512 this is close to what C2's reduceLanes intrinsic does: about 2 ns more per row than
     * reduceLanes (~2 % of Q4_0 token generation); four full-width steps measured a little slower.
     */
    static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.max(64, FS.vectorBitSize() / 2)));
    static final VectorSpecies<Float> FOUR = FloatVector.SPECIES_128;
    static final VectorShuffle<Float> HALF_FOLD = VectorShuffle.fromOp(HALF, lane -> lane ^ Math.max(1, L / 4));
    static final VectorShuffle<Float> FOUR_FOLD2 = VectorShuffle.fromOp(FOUR, lane -> lane ^ 2);
    static final VectorShuffle<Float> FOUR_FOLD1 = VectorShuffle.fromOp(FOUR, lane -> lane ^ 1);
    /** Lane of the four-vector sum holding a, b, c, d: quarters 0, 2, 1, 3. */
    static final int LANE_A = 0;
    static final int LANE_B = L / 2;
    static final int LANE_C = L / 4;
    static final int LANE_D = 3 * L / 4;

    private SimdKernels() {}

    private static VectorShuffle<Float> swap(int w) {
        return VectorShuffle.fromOp(FS, lane -> lane ^ w);
    }

    private static VectorMask<Float> bitSet(int w) {
        boolean[] bits = new boolean[L];
        for (int i = 0; i < L; i++) {
            bits[i] = (i & w) != 0;
        }
        return VectorMask.fromArray(FS, bits, 0);
    }

    private static VectorSpecies<Float> pickSpecies() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        if (s.vectorBitSize() > 512) {
            s = VectorSpecies.of(float.class, VectorShape.S_512_BIT);
        }
        return s;
    }

    static boolean usable() {
        return FS.vectorBitSize() >= 128 && FS.length() <= 16;
    }

    /** {@code out[4r+b] += Σ_i w[wOff + r·ws + i]·a[ab + 4i]} for r, b < 4. */
    static void dot4x4(float[] w, int wOff, int ws, MemorySegment a, long a0, long a1, long a2, long a3,
                       int len, float[] out) {
        FloatVector c00 = FloatVector.zero(FS), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int ub = FS.loopBound(len);
        int i = 0;
        for (; i < ub; i += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, wOff + i);
            FloatVector w1 = FloatVector.fromArray(FS, w, wOff + ws + i);
            FloatVector w2 = FloatVector.fromArray(FS, w, wOff + 2 * ws + i);
            FloatVector w3 = FloatVector.fromArray(FS, w, wOff + 3 * ws + i);
            long bo = 4L * i;
            FloatVector x = FloatVector.fromMemorySegment(FS, a, a0 + bo, LE);
            c00 = w0.fma(x, c00);
            c10 = w1.fma(x, c10);
            c20 = w2.fma(x, c20);
            c30 = w3.fma(x, c30);
            x = FloatVector.fromMemorySegment(FS, a, a1 + bo, LE);
            c01 = w0.fma(x, c01);
            c11 = w1.fma(x, c11);
            c21 = w2.fma(x, c21);
            c31 = w3.fma(x, c31);
            x = FloatVector.fromMemorySegment(FS, a, a2 + bo, LE);
            c02 = w0.fma(x, c02);
            c12 = w1.fma(x, c12);
            c22 = w2.fma(x, c22);
            c32 = w3.fma(x, c32);
            x = FloatVector.fromMemorySegment(FS, a, a3 + bo, LE);
            c03 = w0.fma(x, c03);
            c13 = w1.fma(x, c13);
            c23 = w2.fma(x, c23);
            c33 = w3.fma(x, c33);
        }
        FloatVector pair0ab = c00.blend(c01, HIGH1).add(c01.blend(c00, HIGH1).rearrange(FOLD1));
        FloatVector pair0cd = c02.blend(c03, HIGH1).add(c03.blend(c02, HIGH1).rearrange(FOLD1));
        FloatVector row0 = pair0ab.blend(pair0cd, HIGH2).add(pair0cd.blend(pair0ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            row0 = row0.add(row0.rearrange(FOLD3));
        }
        if (L == 16) {
            row0 = row0.add(row0.rearrange(FOLD4));
        }
        FloatVector pair1ab = c10.blend(c11, HIGH1).add(c11.blend(c10, HIGH1).rearrange(FOLD1));
        FloatVector pair1cd = c12.blend(c13, HIGH1).add(c13.blend(c12, HIGH1).rearrange(FOLD1));
        FloatVector row1 = pair1ab.blend(pair1cd, HIGH2).add(pair1cd.blend(pair1ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            row1 = row1.add(row1.rearrange(FOLD3));
        }
        if (L == 16) {
            row1 = row1.add(row1.rearrange(FOLD4));
        }
        FloatVector pair2ab = c20.blend(c21, HIGH1).add(c21.blend(c20, HIGH1).rearrange(FOLD1));
        FloatVector pair2cd = c22.blend(c23, HIGH1).add(c23.blend(c22, HIGH1).rearrange(FOLD1));
        FloatVector row2 = pair2ab.blend(pair2cd, HIGH2).add(pair2cd.blend(pair2ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            row2 = row2.add(row2.rearrange(FOLD3));
        }
        if (L == 16) {
            row2 = row2.add(row2.rearrange(FOLD4));
        }
        FloatVector pair3ab = c30.blend(c31, HIGH1).add(c31.blend(c30, HIGH1).rearrange(FOLD1));
        FloatVector pair3cd = c32.blend(c33, HIGH1).add(c33.blend(c32, HIGH1).rearrange(FOLD1));
        FloatVector row3 = pair3ab.blend(pair3cd, HIGH2).add(pair3cd.blend(pair3ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            row3 = row3.add(row3.rearrange(FOLD3));
        }
        if (L == 16) {
            row3 = row3.add(row3.rearrange(FOLD4));
        }
        out[0] += row0.lane(LANE_A);
        out[1] += row0.lane(LANE_B);
        out[2] += row0.lane(LANE_C);
        out[3] += row0.lane(LANE_D);
        out[4] += row1.lane(LANE_A);
        out[5] += row1.lane(LANE_B);
        out[6] += row1.lane(LANE_C);
        out[7] += row1.lane(LANE_D);
        out[8] += row2.lane(LANE_A);
        out[9] += row2.lane(LANE_B);
        out[10] += row2.lane(LANE_C);
        out[11] += row2.lane(LANE_D);
        out[12] += row3.lane(LANE_A);
        out[13] += row3.lane(LANE_B);
        out[14] += row3.lane(LANE_C);
        out[15] += row3.lane(LANE_D);
        for (; i < len; i++) {
            long bo = 4L * i;
            float x0 = Mem.f32(a, a0 + bo), x1 = Mem.f32(a, a1 + bo), x2 = Mem.f32(a, a2 + bo), x3 = Mem.f32(a, a3 + bo);
            for (int r = 0; r < 4; r++) {
                float wv = w[wOff + r * ws + i];
                out[4 * r] += wv * x0;
                out[4 * r + 1] += wv * x1;
                out[4 * r + 2] += wv * x2;
                out[4 * r + 3] += wv * x3;
            }
        }
    }

    /** {@code out[4r + outCol] += Σ_i w[wOff + r·ws + i]·a[a0 + 4i]} for r < 4. */
    static void dot4x1(float[] w, int wOff, int ws, MemorySegment a, long a0, int len, float[] out, int outCol) {
        FloatVector c0 = FloatVector.zero(FS), c1 = c0, c2 = c0, c3 = c0;
        int ub = FS.loopBound(len);
        int i = 0;
        for (; i < ub; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(FS, a, a0 + 4L * i, LE);
            c0 = FloatVector.fromArray(FS, w, wOff + i).fma(x, c0);
            c1 = FloatVector.fromArray(FS, w, wOff + ws + i).fma(x, c1);
            c2 = FloatVector.fromArray(FS, w, wOff + 2 * ws + i).fma(x, c2);
            c3 = FloatVector.fromArray(FS, w, wOff + 3 * ws + i).fma(x, c3);
        }
        FloatVector ab = c0.blend(c1, HIGH1).add(c1.blend(c0, HIGH1).rearrange(FOLD1));
        FloatVector cd = c2.blend(c3, HIGH1).add(c3.blend(c2, HIGH1).rearrange(FOLD1));
        FloatVector sum = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(FOLD2));
        if (L >= 8) {
            sum = sum.add(sum.rearrange(FOLD3));
        }
        if (L == 16) {
            sum = sum.add(sum.rearrange(FOLD4));
        }
        float s0 = sum.lane(LANE_A);
        float s1 = sum.lane(LANE_B);
        float s2 = sum.lane(LANE_C);
        float s3 = sum.lane(LANE_D);
        for (; i < len; i++) {
            float x = Mem.f32(a, a0 + 4L * i);
            s0 += w[wOff + i] * x;
            s1 += w[wOff + ws + i] * x;
            s2 += w[wOff + 2 * ws + i] * x;
            s3 += w[wOff + 3 * ws + i] * x;
        }
        out[outCol] += s0;
        out[4 + outCol] += s1;
        out[8 + outCol] += s2;
        out[12 + outCol] += s3;
    }

    /** Rows per packed weight group of {@link #gemm}: two float vectors. */
    static final int MR = 2 * L;
    /** Batch entries per {@link #gemm} call (2·NB accumulators: 12 fit 16 registers). */
    static final int NB = 6;

    /**
     * The GEMM micro-kernel: for rows r < MR of a k-major packed panel ({@code wp[k·MR + r]}, steps
     * {@code k ∈ [kb, ke)}) and batch entries j < {@link #NB} whose activations are
     * {@code a[a0 + j·aStep + k]}, computes {@code c[j][r] = Σ_k wp[k·MR + r]·a_j[k]} and stores
     * it to {@code out[j·MR + r]}, or adds it there when {@code add}. Entries j ≥ nb read entry
     * nb−1. No horizontal sums: lane r of an accumulator is row r.
     */
    static void gemm(float[] wp, int kb, int ke, float[] a, int a0, int aStep, int nb, float[] out, boolean add) {
        int b0 = a0, b1 = a0 + Math.min(1, nb - 1) * aStep, b2 = a0 + Math.min(2, nb - 1) * aStep;
        int b3 = a0 + Math.min(3, nb - 1) * aStep, b4 = a0 + Math.min(4, nb - 1) * aStep;
        int b5 = a0 + Math.min(5, nb - 1) * aStep;
        FloatVector c00 = FloatVector.zero(FS), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
        for (int k = kb; k < ke; k++) {
            FloatVector w0 = FloatVector.fromArray(FS, wp, k * MR);
            FloatVector w1 = FloatVector.fromArray(FS, wp, k * MR + L);
            FloatVector x = FloatVector.broadcast(FS, a[b0 + k]);
            c00 = w0.fma(x, c00);
            c10 = w1.fma(x, c10);
            x = FloatVector.broadcast(FS, a[b1 + k]);
            c01 = w0.fma(x, c01);
            c11 = w1.fma(x, c11);
            x = FloatVector.broadcast(FS, a[b2 + k]);
            c02 = w0.fma(x, c02);
            c12 = w1.fma(x, c12);
            x = FloatVector.broadcast(FS, a[b3 + k]);
            c03 = w0.fma(x, c03);
            c13 = w1.fma(x, c13);
            x = FloatVector.broadcast(FS, a[b4 + k]);
            c04 = w0.fma(x, c04);
            c14 = w1.fma(x, c14);
            x = FloatVector.broadcast(FS, a[b5 + k]);
            c05 = w0.fma(x, c05);
            c15 = w1.fma(x, c15);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(FS, out, 0));
            c10 = c10.add(FloatVector.fromArray(FS, out, L));
            c01 = c01.add(FloatVector.fromArray(FS, out, MR));
            c11 = c11.add(FloatVector.fromArray(FS, out, MR + L));
            c02 = c02.add(FloatVector.fromArray(FS, out, 2 * MR));
            c12 = c12.add(FloatVector.fromArray(FS, out, 2 * MR + L));
            c03 = c03.add(FloatVector.fromArray(FS, out, 3 * MR));
            c13 = c13.add(FloatVector.fromArray(FS, out, 3 * MR + L));
            c04 = c04.add(FloatVector.fromArray(FS, out, 4 * MR));
            c14 = c14.add(FloatVector.fromArray(FS, out, 4 * MR + L));
            c05 = c05.add(FloatVector.fromArray(FS, out, 5 * MR));
            c15 = c15.add(FloatVector.fromArray(FS, out, 5 * MR + L));
        }
        c00.intoArray(out, 0);
        c10.intoArray(out, L);
        c01.intoArray(out, MR);
        c11.intoArray(out, MR + L);
        c02.intoArray(out, 2 * MR);
        c12.intoArray(out, 2 * MR + L);
        c03.intoArray(out, 3 * MR);
        c13.intoArray(out, 3 * MR + L);
        c04.intoArray(out, 4 * MR);
        c14.intoArray(out, 4 * MR + L);
        c05.intoArray(out, 5 * MR);
        c15.intoArray(out, 5 * MR + L);
    }

    /**
     * Writes {@code src[s0 + i]} (or adds it, when {@code acc}) to the f32s at {@code y[off..]}
     * for i < n ≤ MR.
     */
    static void flush(float[] src, int s0, int n, MemorySegment y, long off, boolean acc) {
        for (int i = 0; i < n; i += L) {
            FloatVector c = FloatVector.fromArray(FS, src, s0 + i);
            long o = off + 4L * i;
            if (n - i >= L) {
                if (acc) {
                    c = c.add(FloatVector.fromMemorySegment(FS, y, o, LE));
                }
                c.intoMemorySegment(y, o, LE);
            } else {
                VectorMask<Float> m = FS.indexInRange(i, n);
                if (acc) {
                    c = c.add(FloatVector.fromMemorySegment(FS, y, o, LE, m));
                }
                c.intoMemorySegment(y, o, LE, m);
            }
        }
    }
}
