package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOLD2;
import static io.jllm.quant.kernel.SimdKernels.FOLD3;
import static io.jllm.quant.kernel.SimdKernels.FOLD4;
import static io.jllm.quant.kernel.SimdKernels.FOUR;
import static io.jllm.quant.kernel.SimdKernels.FOUR_FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOUR_FOLD2;
import static io.jllm.quant.kernel.SimdKernels.FS;
import static io.jllm.quant.kernel.SimdKernels.HALF;
import static io.jllm.quant.kernel.SimdKernels.HALF_FOLD;
import static io.jllm.quant.kernel.SimdKernels.HIGH1;
import static io.jllm.quant.kernel.SimdKernels.HIGH2;
import static io.jllm.quant.kernel.SimdKernels.L;
import static io.jllm.quant.kernel.SimdKernels.LANE_A;
import static io.jllm.quant.kernel.SimdKernels.LANE_B;
import static io.jllm.quant.kernel.SimdKernels.LANE_C;
import static io.jllm.quant.kernel.SimdKernels.LANE_D;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 × Q8_0 matrix × vector rows (token generation) on a load-time repacked weight layout
 * ({@link MatMul#pack}). A group is L consecutive blocks of a row (L = float lanes, 8 or 16): the
 * packed group holds the L block scales as fp16 (as in the file), then the 16·L quant bytes
 * transposed (byte {@code k·L + j} = byte k of block j): 18 bytes per block, as Q4_0 itself,
 * so the copy is exactly as large as the file's Q4_0 data. The kernel widens the L scales to f32
 * once per group (exact: exponent rebias, inf/NaN blended). Token generation streams these bytes
 * from memory, so they bound it: f32 scales (20 bytes per block, the first layout) read 11 %
 * more. The activations are
 * transposed the same way by {@link #convert}: vector lane j always belongs to block j of the
 * group, so the per-block integer sums build up in int16 lanes over 16 steps with no shuffles,
 * no per-block scalar work and no per-block bounds checks (the inner loop is a counted loop over
 * a group). Each vector covers two steps (2L int16 lanes, {@link PackedGroups#actOffset}); low and high
 * nibbles are summed separately, unsigned (≤ 8·15·127 per lane each, ≤ 16·15·127 < 2^15 together);
 * the −8 offset is subtracted as the exact float 8·Σa of the block, so {@code lo+hi−8Σa} is
 * exactly ggml's integer Σ(q−8)·a, then scaled by {@code d_w·d_a} (only the float summation
 * order differs from ggml).
 */
final class Q4_0Packed {
    private static final VectorSpecies<Short> SI = PackedGroups.SI;
    private static final VectorSpecies<Byte> BI = PackedGroups.BI;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** The L fp16 scales of a group. */
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    /** Bytes of a packed group: L fp16 scales, 16·L quant bytes. */
    static final int GROUP = 18 * L;
    /** Rows per tile: a tile stores its rows' groups interleaved ({@link PackedGroups#rowOffset}) for {@link #rows4}. */
    static final int TILE = 4;

    private Q4_0Packed() {}

    /** True if rows of {@code cols} columns can be packed (whole groups of L blocks). */
    static boolean packable(int cols) {
        return PackedGroups.packable(cols);
    }

    /** Bytes of one packed row. */
    static long rowBytes(int cols) {
        return 18L * (cols / 32);
    }

    /** Offset of packed row {@code r}'s first group ({@link PackedGroups#rowOffset}). */
    static long rowOffset(int r, int cols) {
        return PackedGroups.rowOffset(r, rowBytes(cols), GROUP, TILE);
    }

    /** Bytes between consecutive groups of packed row {@code r} of a {@code rows}-row matrix. */
    static long groupStride(int r, int rows) {
        return PackedGroups.groupStride(r, rows, GROUP, TILE);
    }

    /** Bytes of one converted activation vector (per block: 32 int16 quants, d_a, 8·Σa). */
    static long actBytes(int cols) {
        return PackedGroups.actBytes(cols);
    }

    /**
     * Repacks {@code rows} Q4_0 rows at {@code w} into {@code dst} ({@code rows·rowBytes(cols)}
     * bytes, tiles of {@link #TILE} rows), chunks of rows in parallel (common fork-join pool;
     * load time only).
     */
    static void pack(MemorySegment w, int rows, int cols, MemorySegment dst) {
        PackedGroups.pack(w, rows, cols, 18 * L, GROUP, TILE, Q4_0Packed::packGroup, dst);
    }

    private static void packGroup(byte[] src, int s, byte[] out, int o, byte[] q) {
        for (int j = 0; j < L; j++) {
            int b = s + 18 * j;
            out[o + 2 * j] = src[b];
            out[o + 2 * j + 1] = src[b + 1];
            System.arraycopy(src, b + 2, q, 16 * j, 16);
        }
        PackedGroups.transpose(q, out, o + 2 * L);
    }

    /** Quantizes f32 activations to Q8_0 as ggml (see {@link ActivationQuant}) in the transposed form. */
    static void convert(MemorySegment x, long xOff, int cols, MemorySegment dst, long dstOff) {
        for (int b = 0; b < cols / 32; b++) {
            long xo = xOff + 128L * b;
            float amax = ActivationQuant.amax32(x, xo);
            float d = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            long go = dstOff + 72L * L * (b / L);
            int j = b % L;
            int sum = 0;
            for (int e = 0; e < 32; e++) {
                int q = ActivationQuant.q(Mem.f32(x, xo + 4L * e), id);
                sum += q;
                PackedGroups.putAct(dst, go, j, e, q);
            }
            Mem.setF32(dst, go + 64L * L + 4L * j, Mem.roundF16(d));
            Mem.setF32(dst, go + 68L * L + 4L * j, 8f * sum);
        }
    }

    /**
     * Dot of the packed row at {@code wo} (its groups {@code stride} bytes apart,
     * {@link #groupStride}) with the converted activations at {@code xo}: per group, lane j
     * accumulates block j (one method on purpose: a vector passed to or returned from a call C2
     * did not inline is boxed, which costs 10× here).
     */
    static float row(MemorySegment w, long wo, long stride, int cols, MemorySegment x, long xo) {
        FloatVector acc = FloatVector.zero(FS);
        long go = wo;
        long ax = xo;
        for (int g = 0, groups = cols / (32 * L); g < groups; g++) {
            ShortVector lo = ShortVector.zero(SI);
            ShortVector hi = lo;
            for (int p = 0; p < 8; p++) { // steps 2p and 2p+1: ≤ 8·15·127 per lane and half
                ShortVector s = (ShortVector) ByteVector.fromMemorySegment(BI, w, go + 2L * L + 2L * L * p, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                long xp = ax + 8L * L * p;
                lo = lo.add(s.and((short) 0xF).mul(ShortVector.fromMemorySegment(SI, x, xp, LE)));
                hi = hi.add(s.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromMemorySegment(SI, x, xp + 4L * L, LE)));
            }
            ShortVector t = lo.add(hi); // |lo + hi| ≤ 16·15·127 < 2^15: exact
            long xs = ax + 64L * L;
            FloatVector q = ((FloatVector) t.convertShape(VectorOperators.S2F, FS, 0))
                    .add((FloatVector) t.convertShape(VectorOperators.S2F, FS, 1))
                    .sub(FloatVector.fromMemorySegment(FS, x, xs + 4L * L, LE));
            // the fp16 scales as exact f32 (inline: a vector crossing a call is boxed)
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SH, w, go, LE).convertShape(VectorOperators.S2I, IS, 0);
            IntVector em = h.and(0x7FFF);
            IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
            IntVector bits = sh.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
            FloatVector dw = bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            FloatVector sc = dw.mul(FloatVector.fromMemorySegment(FS, x, xs, LE));
            acc = q.fma(sc, acc);
            go += stride;
            ax += 72L * L;
        }
        FloatVector sum = acc;
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    /**
     * {@link #row} for the four rows of the whole tile at {@code wo}, written to
     * {@code out[0 … 3]}: each activation vector is loaded once for the four rows and the tile is
     * one sequential stream, which takes 10–30 % off the time per row (the single-row loop
     * spends as many load slots as ALU slots). Bit for bit {@link #row}'s result for each row: the same integer
     * sums, the same float operations per lane, and the four lane sums merged with blends keep
     * {@link #row}'s pairwise order (see {@link SimdKernels#HIGH1}). Written out per row on
     * purpose, as {@link #row}: a vector crossing a call C2 did not inline is boxed.
     */
    static void rows4(MemorySegment w, long wo, int cols, MemorySegment x, long xo, float[] out) {
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        long go = wo;
        long ax = xo;
        for (int g = 0, groups = cols / (32 * L); g < groups; g++) {
            ShortVector lo0 = ShortVector.zero(SI);
            ShortVector hi0 = lo0;
            ShortVector lo1 = lo0;
            ShortVector hi1 = lo0;
            ShortVector lo2 = lo0;
            ShortVector hi2 = lo0;
            ShortVector lo3 = lo0;
            ShortVector hi3 = lo0;
            for (int p = 0; p < 8; p++) {
                long xp = ax + 8L * L * p;
                ShortVector xl = ShortVector.fromMemorySegment(SI, x, xp, LE);
                ShortVector xh = ShortVector.fromMemorySegment(SI, x, xp + 4L * L, LE);
                long q = 2L * L + 2L * L * p;
                ShortVector s0 = (ShortVector) ByteVector.fromMemorySegment(BI, w, go + q, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                ShortVector s1 = (ShortVector) ByteVector.fromMemorySegment(BI, w, go + GROUP + q, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                ShortVector s2 = (ShortVector) ByteVector.fromMemorySegment(BI, w, go + 2 * GROUP + q, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                ShortVector s3 = (ShortVector) ByteVector.fromMemorySegment(BI, w, go + 3 * GROUP + q, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                lo0 = lo0.add(s0.and((short) 0xF).mul(xl));
                hi0 = hi0.add(s0.lanewise(VectorOperators.LSHR, 4).mul(xh));
                lo1 = lo1.add(s1.and((short) 0xF).mul(xl));
                hi1 = hi1.add(s1.lanewise(VectorOperators.LSHR, 4).mul(xh));
                lo2 = lo2.add(s2.and((short) 0xF).mul(xl));
                hi2 = hi2.add(s2.lanewise(VectorOperators.LSHR, 4).mul(xh));
                lo3 = lo3.add(s3.and((short) 0xF).mul(xl));
                hi3 = hi3.add(s3.lanewise(VectorOperators.LSHR, 4).mul(xh));
            }
            long xs = ax + 64L * L;
            FloatVector da = FloatVector.fromMemorySegment(FS, x, xs, LE);
            FloatVector s8 = FloatVector.fromMemorySegment(FS, x, xs + 4L * L, LE);
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(SH, w, go, LE).convertShape(VectorOperators.S2I, IS, 0);
            IntVector em0 = h0.and(0x7FFF);
            IntVector sh0 = em0.lanewise(VectorOperators.LSHL, 13);
            FloatVector dw0 = sh0.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sh0.or(0x7F800000), em0.compare(VectorOperators.GE, 0x7C00))
                    .or(h0.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            ShortVector t0 = lo0.add(hi0);
            acc0 = ((FloatVector) t0.convertShape(VectorOperators.S2F, FS, 0))
                    .add((FloatVector) t0.convertShape(VectorOperators.S2F, FS, 1)).sub(s8)
                    .fma(dw0.mul(da), acc0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(SH, w, go + GROUP, LE).convertShape(VectorOperators.S2I, IS, 0);
            IntVector em1 = h1.and(0x7FFF);
            IntVector sh1 = em1.lanewise(VectorOperators.LSHL, 13);
            FloatVector dw1 = sh1.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sh1.or(0x7F800000), em1.compare(VectorOperators.GE, 0x7C00))
                    .or(h1.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            ShortVector t1 = lo1.add(hi1);
            acc1 = ((FloatVector) t1.convertShape(VectorOperators.S2F, FS, 0))
                    .add((FloatVector) t1.convertShape(VectorOperators.S2F, FS, 1)).sub(s8)
                    .fma(dw1.mul(da), acc1);
            IntVector h2 = (IntVector) ShortVector.fromMemorySegment(SH, w, go + 2 * GROUP, LE).convertShape(VectorOperators.S2I, IS, 0);
            IntVector em2 = h2.and(0x7FFF);
            IntVector sh2 = em2.lanewise(VectorOperators.LSHL, 13);
            FloatVector dw2 = sh2.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sh2.or(0x7F800000), em2.compare(VectorOperators.GE, 0x7C00))
                    .or(h2.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            ShortVector t2 = lo2.add(hi2);
            acc2 = ((FloatVector) t2.convertShape(VectorOperators.S2F, FS, 0))
                    .add((FloatVector) t2.convertShape(VectorOperators.S2F, FS, 1)).sub(s8)
                    .fma(dw2.mul(da), acc2);
            IntVector h3 = (IntVector) ShortVector.fromMemorySegment(SH, w, go + 3 * GROUP, LE).convertShape(VectorOperators.S2I, IS, 0);
            IntVector em3 = h3.and(0x7FFF);
            IntVector sh3 = em3.lanewise(VectorOperators.LSHL, 13);
            FloatVector dw3 = sh3.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sh3.or(0x7F800000), em3.compare(VectorOperators.GE, 0x7C00))
                    .or(h3.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            ShortVector t3 = lo3.add(hi3);
            acc3 = ((FloatVector) t3.convertShape(VectorOperators.S2F, FS, 0))
                    .add((FloatVector) t3.convertShape(VectorOperators.S2F, FS, 1)).sub(s8)
                    .fma(dw3.mul(da), acc3);
            go += TILE * GROUP;
            ax += 72L * L;
        }
        FloatVector ab = acc0.blend(acc1, HIGH1).add(acc1.blend(acc0, HIGH1).rearrange(FOLD1));
        FloatVector cd = acc2.blend(acc3, HIGH1).add(acc3.blend(acc2, HIGH1).rearrange(FOLD1));
        FloatVector sums = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(FOLD2));
        sums = sums.add(sums.rearrange(FOLD3));
        if (L == 16) {
            sums = sums.add(sums.rearrange(FOLD4));
        }
        out[0] = sums.lane(LANE_A);
        out[1] = sums.lane(LANE_B);
        out[2] = sums.lane(LANE_C);
        out[3] = sums.lane(LANE_D);
    }
}
