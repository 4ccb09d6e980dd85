package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FS;
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
import jdk.incubator.vector.VectorSpecies;

/**
 * Decodes the repacked rows ({@link Q4_0Packed}, {@link Q4_KPacked}, and through
 * {@link Q6_KPacked#decode} Q6_K) to f32 for the matrix × matrix paths ({@link SimdGemm}, {@link FastMatMul}'s 4-row tiles). With these, a repacked
 * matrix is read only from its copy: the file's pages of it are never touched after the repack
 * and can leave resident memory ({@code GgufFile.release}).
 *
 * <p>The values are bit-identical to {@link SimdDecode} on the original rows: Q4_0
 * {@code (q−8)·d} and Q4_K {@code q·(d·sc) − dmin·m} with the same single roundings (the scale
 * products are exact). They come out in <em>group order</em>: a group's quant step k holds quant
 * k of each of its L blocks (vector lane j = block j), so each step is one L-byte load, widened
 * to floats and stored whole — the low nibbles (elements {@code 32j + k}) at {@code 2kL}, the
 * high ones ({@code 32j + k + 16}) at {@code 2kL + L}. {@link #POSITION} maps an element to its
 * place; the callers gather through it while they transpose or copy the tile anyway. (Scattering
 * to natural order instead, with the Vector API's indexed store, cost 0.42 ns per weight
 * against 0.07 for these whole-vector stores, one thread.)
 */
final class PackedDecode {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** One quant step of a group: L bytes. */
    private static final VectorSpecies<Byte> BL = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    /**
     * Where element e of a decoded window lands in group order, for e &lt; {@link FastMatMul#KC}
     * (windows start at multiples of a group).
     */
    static final int[] POSITION = positions(FastMatMul.KC);
    /** As {@link #POSITION}, for {@link Q6_KPacked#decode}'s group order (16·L elements per group). */
    static final int[] Q6_POSITION = java.util.stream.IntStream.range(0, FastMatMul.KC)
            .map(e -> e / (16 * L) * 16 * L + Q6_KPacked.position(e % (16 * L))).toArray();

    private PackedDecode() {}

    private static int[] positions(int n) {
        int[] pos = new int[n];
        for (int e = 0; e < n; e++) {
            int g = e / (32 * L);
            int j = e % (32 * L) / 32;
            int k = e % 16;
            int high = e % 32 / 16;
            pos[e] = 32 * L * g + 2 * L * k + L * high + j;
        }
        return pos;
    }

    /** True if {@code type}'s {@link MatMul#pack} copy holds the whole weights (not only flags). */
    static boolean holdsWeights(GgmlType type) {
        return type == GgmlType.Q4_0 || type == GgmlType.Q4_K || type == GgmlType.Q6_K;
    }

    /** The position table of {@code type}'s group order. */
    static int[] positions(GgmlType type) {
        return type == GgmlType.Q6_K ? Q6_POSITION : POSITION;
    }

    /**
     * Decodes elements {@code [k0, k0+len)} of packed row {@code r} of {@code rows} ({@code k0} and {@code len}
     * multiples of 32·L, as {@link FastMatMul#KC} and packable column counts are) into
     * {@code dst[dOff..]} in group order ({@link #positions}).
     */
    static void decode(GgmlType type, MemorySegment p, int r, int rows, int cols, int k0, int len, float[] dst, int dOff) {
        if (type == GgmlType.Q6_K) {
            Q6_KPacked.decode(p, r * Q6_KPacked.rowBytes(cols), k0, len, dst, dOff);
            return;
        }
        if (type == GgmlType.Q4_K) {
            q4k(p, r * Q4_KPacked.rowBytes(cols) + 20L * k0 / 32, len / (32 * L), dst, dOff);
        } else {
            long stride = Q4_0Packed.groupStride(r, rows);
            q4_0(p, Q4_0Packed.rowOffset(r, cols) + stride * (k0 / (32 * L)), stride, len / (32 * L), dst, dOff);
        }
    }

    private static void q4_0(MemorySegment p, long o, long stride, int groups, float[] dst, int dOff) {
        for (int g = 0; g < groups; g++) {
            long go = o + stride * g;
            int base = dOff + 32 * L * g;
            // the fp16 scales as exact f32, as Q4_0Packed.row
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SH, p, go, LE).convertShape(VectorOperators.S2I, IS, 0);
            IntVector em = h.and(0x7FFF);
            IntVector sh = em.lanewise(VectorOperators.LSHL, 13);
            IntVector bits = sh.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sh.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00));
            FloatVector d = bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            for (int k = 0; k < 16; k++) {
                ByteVector q = ByteVector.fromMemorySegment(BL, p, go + 2L * L + (long) L * k, LE);
                ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, FS, 0))
                        .mul(d).intoArray(dst, base + 2 * L * k);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, FS, 0))
                        .mul(d).intoArray(dst, base + 2 * L * k + L);
            }
        }
    }

    private static void q4k(MemorySegment p, long o, int groups, float[] dst, int dOff) {
        for (int g = 0; g < groups; g++) {
            long go = o + 20L * L * g;
            int base = dOff + 32 * L * g;
            ByteVector sm = ByteVector.fromMemorySegment(PackedGroups.BI, p, go, LE);
            FloatVector dd = FloatVector.fromMemorySegment(FS, p, go + 2L * L, LE);
            FloatVector sc = ((FloatVector) sm.convertShape(VectorOperators.B2F, FS, 0)).mul(dd.rearrange(Q4_KPacked.D_LANES));
            FloatVector mn = ((FloatVector) sm.convertShape(VectorOperators.B2F, FS, 1)).mul(dd.rearrange(Q4_KPacked.DMIN_LANES));
            for (int k = 0; k < 16; k++) {
                ByteVector q = ByteVector.fromMemorySegment(BL, p, go + 4L * L + (long) L * k, LE);
                ((FloatVector) q.and((byte) 0x0F).convertShape(VectorOperators.B2F, FS, 0))
                        .mul(sc).sub(mn).intoArray(dst, base + 2 * L * k);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, FS, 0))
                        .mul(sc).sub(mn).intoArray(dst, base + 2 * L * k + L);
            }
        }
    }
}
