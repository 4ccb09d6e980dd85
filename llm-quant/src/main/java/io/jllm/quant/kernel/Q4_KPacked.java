package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOUR;
import static io.jllm.quant.kernel.SimdKernels.FOUR_FOLD1;
import static io.jllm.quant.kernel.SimdKernels.FOUR_FOLD2;
import static io.jllm.quant.kernel.SimdKernels.FS;
import static io.jllm.quant.kernel.SimdKernels.HALF;
import static io.jllm.quant.kernel.SimdKernels.HALF_FOLD;
import static io.jllm.quant.kernel.SimdKernels.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K × Q8_K matrix × vector rows (token generation) on a load-time repacked weight layout
 * ({@link MatMul#pack}), the Q4_K counterpart of {@link Q4_0Packed}.
 *
 * <p>A Q4_K weight is {@code d·sc_j·q − dmin·m_j} (sub-block j of 32, 6-bit sc_j and m_j, fp16
 * d and dmin per 256), so against Q8_K activations (d_y per 256, int8 quants a) a row's dot is
 * {@code Σ_j (d·sc_j)·d_y·Σ q·a − Σ_j (dmin·m_j)·(d_y·Σ_32 a)}. A packed group is L consecutive
 * sub-blocks of a row (L = float lanes: 16 on AVX-512, i.e. two superblocks, 8 on AVX2): a
 * 4L-byte header — the L six-bit scales sc_j as bytes, the L mins m_j as bytes, then the f32 d
 * of each of the group's L/8 superblocks and their f32 dmin (zero padding after) — then the
 * sub-blocks' quants in {@link PackedGroups}' transposed form (byte {@code k·L + j} = quants k
 * and k+16 of sub-block j, low and high nibble). Q4_K itself keeps a 64-element chunk's two
 * sub-blocks in the low and high nibbles of the same 32 bytes; the pack regroups them. 20 bytes
 * per 32 weights instead of 18, as {@link Q4_0Packed}. The kernel widens the header once per
 * group: scale and min bytes to floats, d and dmin spread to their superblock's lanes by one
 * shuffle each, so {@code d·sc_j} and {@code dmin·m_j} are exact f32 products (an 11-bit
 * significand times a 6-bit integer). Storing those products as f32 instead (24 bytes per 32)
 * ran no faster and costs 20 % more memory.
 *
 * <p>{@link #convert} quantizes the activations to Q8_K exactly as ggml (same quants) into the
 * transposed int16 order, with per lane (sub-block) the superblock's {@code d_y} and
 * {@code d_y·Σa} over the sub-block's 32 quants. The kernel is {@link Q4_0Packed#row}'s integer
 * loop (lane j sums sub-block j; low and high nibbles apart, unsigned, ≤ 8·15·127 each, their
 * sum ≤ 16·15·127 &lt; 2^15, so ggml's integer {@code Σ q·a} comes out exactly), then per group
 * one FMA with {@code d·sc_j·d_y} and one with the mins. Only the float rounding of the scale
 * products and the summation order differ from ggml.
 */
final class Q4_KPacked {
    private static final VectorSpecies<Short> SI = PackedGroups.SI;
    private static final VectorSpecies<Byte> BI = PackedGroups.BI;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane j: the f32 d of its superblock (header lane j/8). */
    static final VectorShuffle<Float> D_LANES = VectorShuffle.fromOp(FS, j -> j / 8);
    /** Lane j: the f32 dmin of its superblock (header lane L/8 + j/8). */
    static final VectorShuffle<Float> DMIN_LANES = VectorShuffle.fromOp(FS, j -> L / 8 + j / 8);

    private Q4_KPacked() {}

    /** True if rows of {@code cols} columns can be packed (whole groups of L sub-blocks). */
    static boolean packable(int cols) {
        return PackedGroups.packable(cols) && cols % 256 == 0;
    }

    /** Bytes of one packed row. */
    static long rowBytes(int cols) {
        return PackedGroups.rowBytes(cols);
    }

    /** Bytes of one converted activation vector (per sub-block: 32 int16 quants, d_y, d_y·Σa). */
    static long actBytes(int cols) {
        return PackedGroups.actBytes(cols);
    }

    /**
     * Repacks {@code rows} Q4_K rows at {@code w} into {@code dst} ({@code rows·rowBytes(cols)}
     * bytes), chunks of rows in parallel (common fork-join pool; load time only).
     */
    static void pack(MemorySegment w, int rows, int cols, MemorySegment dst) {
        PackedGroups.pack(w, rows, cols, 18 * L, 20 * L, 1, Q4_KPacked::packGroup, dst);
    }

    /** L sub-blocks = L/8 superblocks of 144 bytes from {@code s}. */
    private static void packGroup(byte[] src, int s, byte[] out, int o, byte[] q) {
        for (int j = 0; j < L; j++) {
            int b = s + 144 * (j / 8);
            int sub = j % 8;
            out[o + j] = (byte) scale(src, b + 4, sub);
            out[o + L + j] = (byte) min(src, b + 4, sub);
            if (sub == 0) {
                PackedGroups.putF32(out, o + 2 * L + 4 * (j / 8), Float.float16ToFloat((short) ((src[b] & 0xFF) | (src[b + 1] << 8))));
                PackedGroups.putF32(out, o + 2 * L + 4 * (L / 8 + j / 8),
                        Float.float16ToFloat((short) ((src[b + 2] & 0xFF) | (src[b + 3] << 8))));
            }
            // sub-block 2c + h: element l is nibble h of qs[32c + l]
            int qs = b + 16 + 32 * (sub / 2);
            int sh = 4 * (sub % 2);
            for (int k = 0; k < 16; k++) {
                q[16 * j + k] = (byte) (((src[qs + k] & 0xFF) >>> sh & 0xF) | ((src[qs + k + 16] & 0xFF) >>> sh & 0xF) << 4);
            }
        }
        PackedGroups.transpose(q, out, o + 4 * L);
    }

    /** The 6-bit scale of sub-block j from the 12 scale bytes at {@code sc} (get_scale_min_k4). */
    static int scale(byte[] b, int sc, int j) {
        return j < 4 ? b[sc + j] & 63 : (b[sc + j + 4] & 0xF) | ((b[sc + j - 4] & 0xFF) >>> 6) << 4;
    }

    /** The 6-bit min of sub-block j (get_scale_min_k4). */
    static int min(byte[] b, int sc, int j) {
        return j < 4 ? b[sc + j + 4] & 63 : (b[sc + j + 4] & 0xFF) >>> 4 | ((b[sc + j] & 0xFF) >>> 6) << 4;
    }

    /**
     * Quantizes f32 activations to Q8_K as ggml ({@code quantize_row_q8_K_ref}, the quants
     * {@link IntMatVec#convert} writes) in the transposed form.
     */
    static void convert(MemorySegment x, long xOff, int cols, MemorySegment dst, long dstOff) {
        for (int sb = 0; sb < cols / 256; sb++) {
            long xs = xOff + 1024L * sb;
            float iscale = ActivationQuant.q8KScale(x, xs);
            float d = iscale == 0f ? 0f : 1f / iscale;
            for (int sub = 0; sub < 8; sub++) {
                int b = 8 * sb + sub;
                long go = dstOff + 72L * L * (b / L);
                int j = b % L;
                long xo = xs + 128L * sub;
                int sum = 0;
                for (int e = 0; e < 32; e++) {
                    int q = ActivationQuant.q8K(Mem.f32(x, xo + 4L * e), iscale);
                    sum += q;
                    PackedGroups.putAct(dst, go, j, e, q);
                }
                Mem.setF32(dst, go + 64L * L + 4L * j, d);
                Mem.setF32(dst, go + 68L * L + 4L * j, d * sum);
            }
        }
    }

    /**
     * Dot of the packed row at {@code wo} with the converted activations at {@code xo}: per group,
     * lane j accumulates sub-block j (one method on purpose, as {@link Q4_0Packed#row}: vectors
     * crossing a call C2 did not inline are boxed).
     */
    static float row(MemorySegment w, long wo, int cols, MemorySegment x, long xo) {
        FloatVector acc = FloatVector.zero(FS);
        FloatVector mins = acc;
        long go = wo;
        long ax = xo;
        for (int g = 0, groups = cols / (32 * L); g < groups; g++) {
            ShortVector lo = ShortVector.zero(SI);
            ShortVector hi = lo;
            for (int p = 0; p < 8; p++) { // steps 2p and 2p+1: ≤ 8·15·127 per lane and half
                ShortVector s = (ShortVector) ByteVector.fromMemorySegment(BI, w, go + 4L * L + 2L * L * p, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                long xp = ax + 8L * L * p;
                lo = lo.add(s.and((short) 0xF).mul(ShortVector.fromMemorySegment(SI, x, xp, LE)));
                hi = hi.add(s.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromMemorySegment(SI, x, xp + 4L * L, LE)));
            }
            ShortVector t = lo.add(hi); // |lo + hi| ≤ 16·15·127 < 2^15: exact
            long xs = ax + 64L * L;
            FloatVector q = ((FloatVector) t.convertShape(VectorOperators.S2F, FS, 0))
                    .add((FloatVector) t.convertShape(VectorOperators.S2F, FS, 1));
            // header: L scale bytes, L min bytes, then d and dmin of the group's superblocks (f32)
            ByteVector sm = ByteVector.fromMemorySegment(BI, w, go, LE);
            FloatVector dd = FloatVector.fromMemorySegment(FS, w, go + 2L * L, LE);
            FloatVector sc = ((FloatVector) sm.convertShape(VectorOperators.B2F, FS, 0)).mul(dd.rearrange(D_LANES));
            FloatVector mn = ((FloatVector) sm.convertShape(VectorOperators.B2F, FS, 1)).mul(dd.rearrange(DMIN_LANES));
            acc = q.fma(sc.mul(FloatVector.fromMemorySegment(FS, x, xs, LE)), acc);
            mins = mn.fma(FloatVector.fromMemorySegment(FS, x, xs + 4L * L, LE), mins);
            go += 20L * L;
            ax += 72L * L;
        }
        FloatVector sum = acc.sub(mins);
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }
}
