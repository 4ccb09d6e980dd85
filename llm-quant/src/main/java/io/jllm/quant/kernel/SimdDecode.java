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
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decodes a run of weight elements to f32 in a float[] tile, with SIMD code for the common
 * types and the reference kernels' scalar {@link BlockKernel#decodeBlock} for the rest. The SIMD
 * decoders produce bit-identical values to the scalar ones (same single roundings). Nibbles and
 * bytes are loaded 16 at a time (a 128-bit byte vector) and widened to the float species in
 * {@code 16/L} parts, so the code works for every species from 128 to 512 bits.
 */
final class SimdDecode {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final int PARTS = 16 / L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteVector KV = ByteVector.fromArray(B16, BlockKernel.KVALUES, 0);
    private static final ByteVector ZERO16 = ByteVector.zero(B16);
    private static final ByteVector BIT = ByteVector.fromArray(B16,
            new byte[] {1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128}, 0);
    private static final VectorShuffle<Byte> PICK_LO =
            VectorShuffle.fromValues(B16, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final VectorShuffle<Byte> PICK_HI =
            VectorShuffle.fromValues(B16, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);

    private SimdDecode() {}

    /** True when {@code type} has a SIMD decoder (the others decode with scalar code). */
    static boolean hasSimd(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS -> true;
            default -> false;
        };
    }

    /**
     * Decodes elements {@code [k0, k0+len)} of the row at byte offset {@code rowOff} into
     * {@code dst[dOff..]}; for Q4_1/Q5_1 also the block minima into {@code mins[mOff..]}.
     */
    static void decode(WeightKernel k, MemorySegment w, long rowOff, int k0, int len,
                       float[] dst, int dOff, float[] mins, int mOff) {
        GgmlType t = k.type();
        switch (t) {
            case F32 -> MemorySegment.copy(w, Mem.F32, rowOff + 4L * k0, dst, dOff, len);
            case F16 -> half(w, rowOff + 2L * k0, len, dst, dOff, false);
            case BF16 -> half(w, rowOff + 2L * k0, len, dst, dOff, true);
            default -> {
                BlockKernel bk = (BlockKernel) k;
                int bs = bk.blockSize;
                int bb = bk.blockBytes;
                long o = rowOff + (long) (k0 / bs) * bb;
                int nb = len / bs;
                switch (t) {
                    case Q4_0 -> {
                        for (int b = 0; b < nb; b++) {
                            q4(w, o + (long) b * bb, 2, Mem.f16(w, o + (long) b * bb), -8, dst, dOff + 32 * b);
                        }
                    }
                    case Q4_1 -> {
                        for (int b = 0; b < nb; b++) {
                            long ob = o + (long) b * bb;
                            q4(w, ob, 4, Mem.f16(w, ob), 0, dst, dOff + 32 * b);
                            mins[mOff + b] = Mem.f16(w, ob + 2);
                        }
                    }
                    case Q5_0 -> {
                        for (int b = 0; b < nb; b++) {
                            long ob = o + (long) b * bb;
                            q5(w, ob + 6, Mem.i32(w, ob + 2), Mem.f16(w, ob), -16, dst, dOff + 32 * b);
                        }
                    }
                    case Q5_1 -> {
                        for (int b = 0; b < nb; b++) {
                            long ob = o + (long) b * bb;
                            q5(w, ob + 8, Mem.i32(w, ob + 4), Mem.f16(w, ob), 0, dst, dOff + 32 * b);
                            mins[mOff + b] = Mem.f16(w, ob + 2);
                        }
                    }
                    case Q8_0 -> {
                        for (int b = 0; b < nb; b++) {
                            q8(w, o + (long) b * bb, dst, dOff + 32 * b);
                        }
                    }
                    case IQ4_NL -> {
                        for (int b = 0; b < nb; b++) {
                            long ob = o + (long) b * bb;
                            iq4(w, ob + 2, Mem.f16(w, ob), dst, dOff + 32 * b);
                        }
                    }
                    case IQ4_XS -> {
                        for (int b = 0; b < nb; b++) {
                            iq4xs(w, o + (long) b * bb, dst, dOff + 256 * b);
                        }
                    }
                    case Q4_K -> {
                        for (int b = 0; b < nb; b++) {
                            q4k(w, o + (long) b * bb, dst, dOff + 256 * b);
                        }
                    }
                    case Q5_K -> {
                        for (int b = 0; b < nb; b++) {
                            q5k(w, o + (long) b * bb, dst, dOff + 256 * b);
                        }
                    }
                    case Q6_K -> {
                        for (int b = 0; b < nb; b++) {
                            q6k(w, o + (long) b * bb, dst, dOff + 256 * b);
                        }
                    }
                    case Q2_K -> {
                        for (int b = 0; b < nb; b++) {
                            q2k(w, o + (long) b * bb, dst, dOff + 256 * b);
                        }
                    }
                    case Q3_K -> {
                        for (int b = 0; b < nb; b++) {
                            q3k(w, o + (long) b * bb, dst, dOff + 256 * b);
                        }
                    }
                    default -> {
                        for (int b = 0; b < nb; b++) {
                            long ob = o + (long) b * bb;
                            bk.decodeBlock(w, ob, dst, dOff + b * bs);
                            if (bk.hasMin()) {
                                mins[mOff + b] = bk.blockMin(w, ob);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Writes the 16 byte lanes of {@code v} as floats {@code v·scale} at dst[off..off+16). */
    private static void emit(ByteVector v, float scale, float[] dst, int off) {
        for (int p = 0; p < PARTS; p++) {
            ((FloatVector) v.convertShape(VectorOperators.B2F, FS, p)).mul(scale).intoArray(dst, off + p * L);
        }
    }

    /** Writes {@code v·scale − min} (two roundings, as ggml's K-quant dequantization). */
    private static void emit(ByteVector v, float scale, float min, float[] dst, int off) {
        for (int p = 0; p < PARTS; p++) {
            ((FloatVector) v.convertShape(VectorOperators.B2F, FS, p)).mul(scale).sub(min)
                    .intoArray(dst, off + p * L);
        }
    }

    private static void q4(MemorySegment w, long o, int qsOff, float d, int bias, float[] dst, int off) {
        ByteVector q = ByteVector.fromMemorySegment(B16, w, o + qsOff, LE);
        emit(q.and((byte) 0x0F).add((byte) bias), d, dst, off);
        emit(q.lanewise(VectorOperators.LSHR, 4).add((byte) bias), d, dst, off + 16);
    }

    /** Lane j of the result: 16 if bit j (lo) or bit j+16 (hi) of qh is set, else 0. */
    private static ByteVector fifthBits(int qh, VectorShuffle<Byte> pick) {
        ByteVector bytes = IntVector.broadcast(IntVector.SPECIES_128, qh).reinterpretAsBytes().rearrange(pick);
        VectorMask<Byte> set = bytes.and(BIT).compare(VectorOperators.NE, (byte) 0);
        return ZERO16.blend((byte) 16, set);
    }

    private static void q5(MemorySegment w, long qs, int qh, float d, int bias, float[] dst, int off) {
        ByteVector q = ByteVector.fromMemorySegment(B16, w, qs, LE);
        emit(q.and((byte) 0x0F).or(fifthBits(qh, PICK_LO)).add((byte) bias), d, dst, off);
        emit(q.lanewise(VectorOperators.LSHR, 4).or(fifthBits(qh, PICK_HI)).add((byte) bias), d, dst, off + 16);
    }

    private static void q2k(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o + 80);
        float min = Mem.f16(w, o + 82);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 2; h++) {
                ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 16 + 32 * n + 16 * h, LE);
                for (int s = 0; s < 4; s++) {
                    int sc = Mem.u8(w, o + 8 * n + 2 * s + h);
                    ByteVector v = q.lanewise(VectorOperators.LSHR, 2 * s).and((byte) 3);
                    emit(v, d * (sc & 0xF), min * (sc >> 4), dst, off + 128 * n + 32 * s + 16 * h);
                }
            }
        }
    }

    private static void q3k(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o + 108);
        for (int h = 0; h < 2; h++) {
            ByteVector hm = ByteVector.fromMemorySegment(B16, w, o + 16 * h, LE);
            for (int n = 0; n < 2; n++) {
                ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 32 + 32 * n + 16 * h, LE);
                for (int s = 0; s < 4; s++) {
                    ByteVector v = q.lanewise(VectorOperators.LSHR, 2 * s).and((byte) 3)
                            .or(hm.lanewise(VectorOperators.LSHR, 4 * n + s).and((byte) 1).lanewise(VectorOperators.LSHL, 2))
                            .sub((byte) 4);
                    int i = 8 * n + 2 * s + h;
                    emit(v, d * KQuantKernels.Q3_K.scale(w, o, i), dst, off + 128 * n + 32 * s + 16 * h);
                }
            }
        }
    }

    private static void q8(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o);
        emit(ByteVector.fromMemorySegment(B16, w, o + 2, LE), d, dst, off);
        emit(ByteVector.fromMemorySegment(B16, w, o + 18, LE), d, dst, off + 16);
    }

    /** 32 IQ4 elements (Q4_0 nibble layout at qs) with the float scale {@code dl}. */
    private static void iq4(MemorySegment w, long qs, float dl, float[] dst, int off) {
        ByteVector q = ByteVector.fromMemorySegment(B16, w, qs, LE);
        emit(q.and((byte) 0x0F).selectFrom(KV), dl, dst, off);
        emit(q.lanewise(VectorOperators.LSHR, 4).selectFrom(KV), dl, dst, off + 16);
    }

    private static void iq4xs(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o);
        for (int ib = 0; ib < 8; ib++) {
            iq4(w, o + 8 + 16 * ib, d * (KQuant456Kernels.IQ4_XS.ls(w, o, ib) - 32), dst, off + 32 * ib);
        }
    }

    // The K-quant decoders below have one emit call site each, in a loop: C2 inlines plain
    // methods only while a compilation is under its node budget, and boxes the vectors passed
    // to a call it did not inline (so no vector values merging at branches either).

    private static void q4k(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o);
        float min = Mem.f16(w, o + 2);
        for (int c = 0; c < 4; c++) {
            for (int h = 0; h < 2; h++) {
                for (int nib = 0; nib < 2; nib++) {
                    int j = 2 * c + nib;
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 16 + 32 * c + 16 * h, LE)
                            .lanewise(VectorOperators.LSHR, 4 * nib).and((byte) 0x0F);
                    emit(q, d * KQuant456Kernels.scaleMin(w, o + 4, j, 0), min * KQuant456Kernels.scaleMin(w, o + 4, j, 1),
                            dst, off + 32 * j + 16 * h);
                }
            }
        }
    }

    private static void q5k(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o);
        float min = Mem.f16(w, o + 2);
        for (int c = 0; c < 4; c++) {
            for (int h = 0; h < 2; h++) {
                for (int nib = 0; nib < 2; nib++) {
                    int j = 2 * c + nib;
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 48 + 32 * c + 16 * h, LE)
                            .lanewise(VectorOperators.LSHR, 4 * nib).and((byte) 0x0F)
                            .or(ByteVector.fromMemorySegment(B16, w, o + 16 + 16 * h, LE)
                                    .lanewise(VectorOperators.LSHR, j).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    emit(q, d * KQuant456Kernels.scaleMin(w, o + 4, j, 0), min * KQuant456Kernels.scaleMin(w, o + 4, j, 1),
                            dst, off + 32 * j + 16 * h);
                }
            }
        }
    }

    /** Quarter k of each 128-element half: nibble k/2 of ql[64n + 32(k%2) + l], bits 2k.. of qh[32n + l]. */
    private static void q6k(MemorySegment w, long o, float[] dst, int off) {
        float d = Mem.f16(w, o + 208);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    int l = 16 * h;
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 64 * n + 32 * (k & 1) + l, LE)
                            .lanewise(VectorOperators.LSHR, 4 * (k >> 1)).and((byte) 0x0F)
                            .or(ByteVector.fromMemorySegment(B16, w, o + 128 + 32 * n + l, LE)
                                    .lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    int e = 128 * n + 32 * k + l;
                    emit(q, d * Mem.i8(w, o + 192 + e / 16), dst, off + e);
                }
            }
        }
    }

    /** fp16 or bf16 elements to f32, exact (fp16 via the exponent-rebias trick, specials blended). */
    private static void half(MemorySegment w, long o, int len, float[] dst, int off, boolean bf16) {
        int ub = FS.loopBound(len);
        int i = 0;
        for (; i < ub; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, w, o + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, IS, 0);
            if (bf16) {
                h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
            } else {
                IntVector em = h.and(0x7FFF);
                IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
                VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7C00);
                bits = bits.blend(shifted.or(0x7F800000), special);
                bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(dst, off + i);
            }
        }
        for (; i < len; i++) {
            int bits = Mem.i16(w, o + 2L * i);
            dst[off + i] = bf16 ? Mem.bf16ToFloat(bits) : Float.float16ToFloat((short) bits);
        }
    }
}
