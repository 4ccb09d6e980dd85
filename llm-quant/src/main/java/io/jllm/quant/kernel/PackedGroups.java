package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the repacked 4-bit layouts ({@link Q4_0Packed}, {@link Q4_KPacked}) share: a row is cut
 * into groups of L blocks of 32 weights (L = float lanes, 8 or 16), each block's 32 quants as 16
 * bytes (low nibble element k, high nibble element k+16, k &lt; 16), stored transposed — byte
 * {@code k·L + j} is byte k of block j — so that vector lane j always belongs to block j; the
 * activations are written in the matching int16 order ({@link #actOffset}). Also the parallel
 * load-time driver that repacks row by row.
 */
final class PackedGroups {
    /** Two quant steps (k, k+1) of all L blocks of a group per vector: 2L lanes. */
    static final VectorSpecies<Short> SI = VectorSpecies.of(short.class, VectorShape.forBitSize(32 * L));
    /** The 2L quant bytes of two steps, widened to {@link #SI}. */
    static final VectorSpecies<Byte> BI = VectorSpecies.of(byte.class, VectorShape.forBitSize(16 * L));

    private PackedGroups() {}

    /** Bytes of one Q4_K packed row: 20 per 32 weights (an L-block group: 4L header bytes, 16L quant bytes). */
    static long rowBytes(int cols) {
        return 20L * (cols / 32);
    }

    /** Bytes of one converted activation vector: per 32 values, 32 int16 quants and two f32 terms. */
    static long actBytes(int cols) {
        return 72L * (cols / 32);
    }

    /** True if rows of {@code cols} columns can be packed (whole groups of L blocks of 32). */
    static boolean packable(int cols) {
        return (L == 8 || L == 16) && cols % (32 * L) == 0;
    }

    /**
     * Repacks one group: {@code src} bytes from {@code s} to {@code out} bytes from {@code o};
     * {@code quants} (16·L bytes) is scratch for the blocks' quant bytes before {@link #transpose}.
     */
    interface GroupPacker {
        void pack(byte[] src, int s, byte[] out, int o, byte[] quants);
    }

    /**
     * Offset of row {@code r}'s first group when rows are stored in tiles of {@code tile} rows
     * (the last tile may be shorter), group-interleaved: a tile holds its rows' group 0 in row
     * order, then their group 1, and so on, so kernels that read a tile's rows together read one
     * sequential stream (four separate row streams defeat the hardware prefetchers when the
     * weights come from memory). With {@code tile} 1 this is the plain row-major layout.
     */
    static long rowOffset(long r, long rowBytes, int group, int tile) {
        long t0 = r - r % tile;
        return t0 * rowBytes + (r - t0) * group;
    }

    /** Bytes from one group of row {@code r} to its next group in the layout of {@link #rowOffset}. */
    static long groupStride(long r, int rows, int group, int tile) {
        long t0 = r - r % tile;
        return Math.min(tile, rows - t0) * (long) group;
    }

    /**
     * Repacks {@code rows} rows at {@code w} (groups of {@code srcGroup} bytes each) into
     * {@code dst} (groups of {@code dstGroup} bytes, in tiles of {@code tile} rows as
     * {@link #rowOffset}), chunks of rows in parallel (common fork-join pool; load time only).
     */
    static void pack(MemorySegment w, int rows, int cols, int srcGroup, int dstGroup, int tile, GroupPacker packer,
                     MemorySegment dst) {
        int chunk = 16 * tile; // whole tiles per chunk
        int groups = cols / (32 * L);
        long rowBytes = (long) dstGroup * groups;
        IntStream.range(0, (rows + chunk - 1) / chunk).parallel().forEach(c -> {
            byte[] src = new byte[srcGroup * groups];
            byte[] out = new byte[dstGroup * groups];
            byte[] quants = new byte[16 * L];
            for (long r = (long) c * chunk, r1 = Math.min(rows, (c + 1L) * chunk); r < r1; r++) {
                MemorySegment.copy(w, ValueLayout.JAVA_BYTE, r * src.length, src, 0, src.length);
                for (int g = 0; g < groups; g++) {
                    packer.pack(src, srcGroup * g, out, dstGroup * g, quants);
                }
                if (tile == 1) {
                    MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, r * rowBytes, out.length);
                } else {
                    long o = rowOffset(r, rowBytes, dstGroup, tile);
                    long stride = groupStride(r, rows, dstGroup, tile);
                    for (int g = 0; g < groups; g++) {
                        MemorySegment.copy(out, dstGroup * g, dst, ValueLayout.JAVA_BYTE, o + stride * g, dstGroup);
                    }
                }
            }
        });
    }

    /** Writes the L blocks' quant bytes {@code q[16j + k]} transposed: {@code out[o + k·L + j]}. */
    static void transpose(byte[] q, byte[] out, int o) {
        for (int k = 0; k < 16; k++) {
            for (int j = 0; j < L; j++) {
                out[o + k * L + j] = q[16 * j + k];
            }
        }
    }

    /** {@code v} as 4 little-endian bytes at {@code out[o..]}. */
    static void putF32(byte[] out, int o, float v) {
        int bits = Float.floatToRawIntBits(v);
        for (int i = 0; i < 4; i++) {
            out[o + i] = (byte) (bits >>> (8 * i));
        }
    }

    /**
     * Offset in a converted group of quant e (0..31) of block 0: pairs of steps k = e mod 16 are
     * stored as [low nibble parts of steps 2p, 2p+1 ; high nibble parts of 2p, 2p+1], L int16
     * each, so one 2L-lane load matches the weight bytes of two steps. A group's quants take
     * 64·L bytes; add 2j for block j.
     */
    static long actOffset(int e) {
        int k = e & 15;
        return 8L * L * (k >> 1) + (e < 16 ? 0 : 4L * L) + 2L * L * (k & 1);
    }

    /** Stores activation quant {@code q} of element e of block j in the group at {@code go}. */
    static void putAct(MemorySegment dst, long go, int j, int e, int q) {
        dst.set(Mem.I16, go + actOffset(e) + 2L * j, (short) q);
    }
}
