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
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q6_K × Q8_K matrix × vector rows (token generation) on a load-time repacked weight layout
 * ({@link MatMul#pack}), in the manner of {@link Q4_KPacked}.
 *
 * <p>A Q6_K weight is {@code d·sc_j·(q − 32)}: 6-bit q, an int8 scale sc_j per 16-element
 * sub-block, fp16 d per 256. A packed group is L consecutive sub-blocks of a row (one
 * superblock at L = 16, half of one at L = 8), {@code 13L + 4} bytes (212 per 256 weights at
 * L = 16, Q6_K has 210): three quant vectors X, Y, Z of 2L int16 lanes (4L bytes each), then the
 * L scales as bytes, then d as f32. Lane i of X, Y, Z belongs to sub-block i/2 and holds its
 * elements {@code e = 8·(i mod 2) + k}, k &lt; 8: the low and high byte of X are q_0 and q_1,
 * of Y q_2 and q_3, of Z q_4 and q_5 in their low 6 bits; the two top bits of those six bytes
 * are q_6 and q_7 (X bits 5–4, Y bits 3–2, Z bits 1–0). So the eight quant vectors are
 * {@code X & 63}, {@code (X >>> 8) & 63}, … , and with
 * {@code m = (X & 0xC0C0) | ((Y >>> 2) & 0x3030) | ((Z >>> 4) & 0x0C0C)},
 * {@code (m >>> 2) & 63} and {@code m >>> 10}: 19 shifts and masks per group, no widening
 * and no shuffles.
 *
 * <p>{@link #convert} quantizes the activations to Q8_K exactly as ggml (the same quants) into
 * the matching order: per group eight vectors of 2L int16 quants (vector k, lane i: element
 * {@code 8·(i mod 2) + k} of sub-block i/2), then per sub-block the int32 {@code 32·Σa} and the
 * f32 d_y, 40L bytes per 16L values. The kernel multiplies unsigned q (0..63) with a in int16
 * into two accumulators of four products per lane (|sum| ≤ 4·63·128 &lt; 2^15, exact), sums the
 * int16 lane pairs of each sub-block into int32 (sign-extend low half, arithmetic shift high
 * half), subtracts {@code 32·Σa}: exactly ggml's integer {@code Σ (q−32)·a} per sub-block. Then
 * per group one FMA with {@code (d·sc_j)·d_y} (d·sc_j exact in f32). Only the float rounding of
 * the scale products and the summation order differ from ggml.
 */
final class Q6_KPacked {
    private static final VectorSpecies<Short> SI = PackedGroups.SI;
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    /** The L scale bytes of a group. */
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, 8 * L)));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Bytes of a packed group: 12L quant bytes, L scale bytes, f32 d. */
    private static final int GROUP = 13 * L + 4;
    /** Bytes of a converted activation group: 16L int16 quants, L int32 32·Σa, L f32 d_y. */
    private static final int ACT_GROUP = 40 * L;
    /**
     * Every lane: the last of a float vector loaded so that it ends with the group's d (a vector
     * load, not a scalar one: in the row kernel C2 ran out of its inlining budget for the
     * scalar load, and the call spilled the vector registers once per group).
     */
    private static final VectorShuffle<Float> LAST = VectorShuffle.fromOp(FS, i -> L - 1);
    /** Float lane i of half p of a quant vector (short lane pL + i): its sub-block (pL + i)/2. */
    private static final VectorShuffle<Float>[] HALF_SCALES = halfScales();
    /** Index map of half p (entries pL ..): element within the group of short lane pL + i, vector 0. */

    private Q6_KPacked() {}

    /** True if rows of {@code cols} columns can be packed (whole superblocks and groups). */
    static boolean packable(int cols) {
        return (L == 8 || L == 16) && cols % 256 == 0;
    }

    /** Bytes of one packed row. */
    static long rowBytes(int cols) {
        return (long) GROUP * (cols / (16 * L));
    }

    /** Bytes of one converted activation vector. */
    static long actBytes(int cols) {
        return (long) ACT_GROUP * (cols / (16 * L));
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halfScales() {
        VectorShuffle<Float>[] r = new VectorShuffle[2];
        for (int p = 0; p < 2; p++) {
            int h = p;
            r[p] = VectorShuffle.fromOp(FS, i -> (h * L + i) / 2);
        }
        return r;
    }

    // ---- packing ------------------------------------------------------------------------

    /**
     * Repacks {@code rows} Q6_K rows at {@code w} into {@code dst} ({@code rows·rowBytes(cols)}
     * bytes), chunks of rows in parallel (common fork-join pool; load time only).
     */
    static void pack(MemorySegment w, int rows, int cols, MemorySegment dst) {
        int chunk = 64;
        int srcRow = 210 * (cols / 256);
        int dstRow = (int) rowBytes(cols);
        IntStream.range(0, (rows + chunk - 1) / chunk).parallel().forEach(c -> {
            byte[] src = new byte[srcRow];
            byte[] out = new byte[dstRow];
            for (long r = (long) c * chunk, r1 = Math.min(rows, (c + 1L) * chunk); r < r1; r++) {
                MemorySegment.copy(w, ValueLayout.JAVA_BYTE, r * srcRow, src, 0, srcRow);
                for (int g = 0; g < cols / (16 * L); g++) {
                    packGroup(src, g, out, GROUP * g);
                }
                MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, r * dstRow, dstRow);
            }
        });
    }

    /** Group g of the Q6_K row {@code src} (sub-blocks Lg .. Lg+L−1) to {@code out[o..]}. */
    private static void packGroup(byte[] src, int g, byte[] out, int o) {
        int[] q = new int[8];
        for (int i = 0; i < 2 * L; i++) {
            int s = L * g + i / 2; // sub-block of the row
            int b = 210 * (s / 16);
            for (int k = 0; k < 8; k++) {
                q[k] = quant(src, b, 16 * (s % 16) + 8 * (i % 2) + k);
            }
            int top6 = q[6];
            int top7 = q[7];
            for (int v = 0; v < 3; v++) { // X, Y, Z: top bits 5-4, 3-2, 1-0
                int sh = 4 - 2 * v;
                out[o + 4 * L * v + 2 * i] = (byte) (q[2 * v] | ((top6 >> sh) & 3) << 6);
                out[o + 4 * L * v + 2 * i + 1] = (byte) (q[2 * v + 1] | ((top7 >> sh) & 3) << 6);
            }
        }
        int s0 = L * g;
        int b = 210 * (s0 / 16);
        for (int j = 0; j < L; j++) {
            out[o + 12 * L + j] = src[b + 192 + s0 % 16 + j];
        }
        PackedGroups.putF32(out, o + 13 * L, Float.float16ToFloat((short) ((src[b + 208] & 0xFF) | (src[b + 209] << 8))));
    }

    /** The unsigned 6-bit quant (0..63) of element t of the Q6_K superblock at {@code b} (dequantize_row_q6_K). */
    static int quant(byte[] src, int b, int t) {
        int n = t >> 7;
        int c = (t >> 5) & 3;
        int l = t & 31;
        int ql = src[b + 64 * n + 32 * (c & 1) + l] & 0xFF;
        int low = c < 2 ? ql & 0xF : ql >> 4;
        int high = ((src[b + 128 + 32 * n + l] & 0xFF) >> (2 * c)) & 3;
        return low | high << 4;
    }

    // ---- activations --------------------------------------------------------------------

    /**
     * Quantizes f32 activations to Q8_K as ggml ({@code quantize_row_q8_K_ref}, the quants
     * {@link IntMatVec#convert} writes) in the packed order.
     */
    static void convert(MemorySegment x, long xOff, int cols, MemorySegment dst, long dstOff) {
        for (int sb = 0; sb < cols / 256; sb++) {
            long xs = xOff + 1024L * sb;
            float iscale = ActivationQuant.q8KScale(x, xs);
            float d = iscale == 0f ? 0f : 1f / iscale;
            for (int sub = 0; sub < 16; sub++) {
                int s = 16 * sb + sub;
                long go = dstOff + (long) ACT_GROUP * (s / L);
                int j = s % L;
                long xo = xs + 64L * sub;
                int sum = 0;
                for (int e = 0; e < 16; e++) {
                    int q = ActivationQuant.q8K(Mem.f32(x, xo + 4L * e), iscale);
                    sum += q;
                    dst.set(Mem.I16, go + 4L * L * (e % 8) + 2L * (2 * j + e / 8), (short) q);
                }
                dst.set(Mem.I32, go + 32L * L + 4L * j, 32 * sum);
                Mem.setF32(dst, go + 36L * L + 4L * j, d);
            }
        }
    }

    // ---- kernels ------------------------------------------------------------------------

    /**
     * Dot of the packed row at {@code wo} with the converted activations at {@code xo} (one
     * method on purpose, as {@link Q4_0Packed#row}: vectors crossing a call C2 did not inline
     * are boxed).
     */
    static float row(MemorySegment w, long wo, int cols, MemorySegment x, long xo) {
        FloatVector acc = FloatVector.zero(FS);
        long go = wo;
        long ax = xo;
        for (int g = 0, groups = cols / (16 * L); g < groups; g++) {
            ShortVector vx = ShortVector.fromMemorySegment(SI, w, go, LE);
            ShortVector vy = ShortVector.fromMemorySegment(SI, w, go + 4L * L, LE);
            ShortVector vz = ShortVector.fromMemorySegment(SI, w, go + 8L * L, LE);
            ShortVector m = vx.and((short) 0xC0C0)
                    .or(vy.lanewise(VectorOperators.LSHR, 2).and((short) 0x3030))
                    .or(vz.lanewise(VectorOperators.LSHR, 4).and((short) 0x0C0C));
            // four products per lane and accumulator: |Σ| ≤ 4·63·128 < 2^15
            ShortVector s0 = vx.and((short) 63).mul(ShortVector.fromMemorySegment(SI, x, ax, LE))
                    .add(vx.lanewise(VectorOperators.LSHR, 8).and((short) 63)
                            .mul(ShortVector.fromMemorySegment(SI, x, ax + 4L * L, LE)))
                    .add(vy.and((short) 63).mul(ShortVector.fromMemorySegment(SI, x, ax + 8L * L, LE)))
                    .add(vy.lanewise(VectorOperators.LSHR, 8).and((short) 63)
                            .mul(ShortVector.fromMemorySegment(SI, x, ax + 12L * L, LE)));
            ShortVector s1 = vz.and((short) 63).mul(ShortVector.fromMemorySegment(SI, x, ax + 16L * L, LE))
                    .add(vz.lanewise(VectorOperators.LSHR, 8).and((short) 63)
                            .mul(ShortVector.fromMemorySegment(SI, x, ax + 20L * L, LE)))
                    .add(m.lanewise(VectorOperators.LSHR, 2).and((short) 63)
                            .mul(ShortVector.fromMemorySegment(SI, x, ax + 24L * L, LE)))
                    .add(m.lanewise(VectorOperators.LSHR, 10).mul(ShortVector.fromMemorySegment(SI, x, ax + 28L * L, LE)));
            // int32 lane j = int16 lanes 2j and 2j+1, both sub-block j
            IntVector i0 = s0.reinterpretAsInts();
            IntVector i1 = s1.reinterpretAsInts();
            IntVector t = i0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(i0.lanewise(VectorOperators.ASHR, 16))
                    .add(i1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .add(i1.lanewise(VectorOperators.ASHR, 16))
                    .sub(IntVector.fromMemorySegment(IS, x, ax + 32L * L, LE)); // Σ (q−32)·a, exact
            FloatVector sc = ((FloatVector) ByteVector.fromMemorySegment(BS, w, go + 12L * L, LE)
                    .convertShape(VectorOperators.B2F, FS, 0))
                    .mul(FloatVector.fromMemorySegment(FS, w, go + 9L * L + 4, LE).rearrange(LAST));
            acc = ((FloatVector) t.convert(VectorOperators.I2F, 0))
                    .fma(sc.mul(FloatVector.fromMemorySegment(FS, x, ax + 36L * L, LE)), acc);
            go += GROUP;
            ax += ACT_GROUP;
        }
        FloatVector sum = acc;
        FloatVector half = (FloatVector) sum.add(sum.rearrange(FOLD1)).reinterpretShape(HALF, 0);
        FloatVector four = L == 16 ? (FloatVector) half.add(half.rearrange(HALF_FOLD)).reinterpretShape(FOUR, 0) : half;
        four = four.add(four.rearrange(FOUR_FOLD2));
        return four.add(four.rearrange(FOUR_FOLD1)).lane(0);
    }

    /**
     * Decodes elements {@code [k0, k0+len)} (multiples of 16·L) of the packed row at
     * {@code rowOff} into {@code dst[dOff..]}: {@code (q − 32)·(d·sc)}, the same floats as
     * {@link SimdDecode#decode} of the Q6_K row, in group order — quant step k's two float
     * vectors stored whole at {@code 2kL} and {@code (2k+1)L} of the group; {@link #position}
     * says where each element went. Straight-line steps: a vector chosen by a switch merges
     * vector values at a branch, which C2 may box.
     */
    static void decode(MemorySegment p, long rowOff, int k0, int len, float[] dst, int dOff) {
        for (int g = 0; g < len / (16 * L); g++) {
            long go = rowOff + (long) GROUP * (k0 / (16 * L) + g);
            int out = dOff + 16 * L * g;
            ShortVector vx = ShortVector.fromMemorySegment(SI, p, go, LE);
            ShortVector vy = ShortVector.fromMemorySegment(SI, p, go + 4L * L, LE);
            ShortVector vz = ShortVector.fromMemorySegment(SI, p, go + 8L * L, LE);
            ShortVector m = vx.and((short) 0xC0C0)
                    .or(vy.lanewise(VectorOperators.LSHR, 2).and((short) 0x3030))
                    .or(vz.lanewise(VectorOperators.LSHR, 4).and((short) 0x0C0C));
            FloatVector dsc = ((FloatVector) ByteVector.fromMemorySegment(BS, p, go + 12L * L, LE)
                    .convertShape(VectorOperators.B2F, FS, 0))
                    .mul(FloatVector.fromMemorySegment(FS, p, go + 9L * L + 4, LE).rearrange(LAST));
            FloatVector sc0 = dsc.rearrange(HALF_SCALES[0]);
            FloatVector sc1 = dsc.rearrange(HALF_SCALES[1]);
            ShortVector v = vx.and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + L);
            v = vx.lanewise(VectorOperators.LSHR, 8).and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 2 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 3 * L);
            v = vy.and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 4 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 5 * L);
            v = vy.lanewise(VectorOperators.LSHR, 8).and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 6 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 7 * L);
            v = vz.and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 8 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 9 * L);
            v = vz.lanewise(VectorOperators.LSHR, 8).and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 10 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 11 * L);
            v = m.lanewise(VectorOperators.LSHR, 2).and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 12 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 13 * L);
            v = m.lanewise(VectorOperators.LSHR, 10).and((short) 63).sub((short) 32);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 0)).mul(sc0).intoArray(dst, out + 14 * L);
            ((FloatVector) v.convertShape(VectorOperators.S2F, FS, 1)).mul(sc1).intoArray(dst, out + 15 * L);
        }
    }

    /**
     * Where {@link #decode} puts element e of a group (e &lt; 16·L): step k = e mod 8 of int16
     * lane i (element {@code 16·(i/2) + 8·(i mod 2) + k}) lands at {@code 2kL + i}.
     */
    static int position(int e) {
        int k = e % 8;
        int i = 2 * (e / 16) + (e % 16) / 8;
        return 2 * k * L + i;
    }
}
