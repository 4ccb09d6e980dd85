package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repacked Q4_0/Q4_K/Q6_K rows decoded for the matrix × matrix paths ({@link PackedDecode}, in
 * group order) against {@link SimdDecode} on the original rows, bit for bit through
 * {@link PackedDecode#POSITION}, which must be a permutation; and every batch size of
 * {@link MatMul#matmul} with the copy against the same product without it: once a matrix is
 * repacked its original rows are never read, so the two must give identical results.
 */
class PackedDecodeTest {
    private static final int G = 32 * SimdKernels.L;

    @BeforeAll
    static void needsFastSimd() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && Numerics.current() == Numerics.FAST
                && PackedGroups.packable(Math.max(256, G)), "SIMD path in fast numerics with 8/16-lane floats unavailable");
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void decodeEqualsTheOriginalRowsBitForBit(GgmlType t) {
        Random rnd = new Random(21);
        int cols = 4 * G;
        int rows = 5; // Q4_0: a whole tile of four rows and a short one
        for (Mode mode : Mode.values()) {
            MemorySegment w = matrix(t, rows, cols, mode, rnd);
            MemorySegment packed = pack(t, w, rows, cols);
            WeightKernel k = Kernels.forType(t);
            float[] want = new float[cols];
            float[] got = new float[cols + 7];
            float[] mins = new float[cols / 32];
            for (int r = 0; r < rows; r++) {
                // two windows: the whole row, then its second half, written at an offset
                SimdDecode.decode(k, w, r * t.bytes(cols), 0, cols, want, 0, mins, 0);
                PackedDecode.decode(t, packed, r, rows, cols, 0, cols, got, 0);
                for (int e = 0; e < cols; e++) {
                    float g = got[at(t, e)];
                    assertEquals(Float.floatToIntBits(want[e]), Float.floatToIntBits(g),
                            t + " " + mode + " row " + r + " element " + e + ": " + g + " vs " + want[e]);
                }
                PackedDecode.decode(t, packed, r, rows, cols, 2 * G, 2 * G, got, 7);
                for (int e = 0; e < 2 * G; e++) {
                    assertEquals(Float.floatToIntBits(want[2 * G + e]), Float.floatToIntBits(got[7 + at(t, e)]),
                            t + " " + mode + " row " + r + " window element " + e);
                }
            }
        }
    }

    /** Position of element e of a window in t's group order (windows longer than KC repeat it per KC). */
    private static int at(GgmlType t, int e) {
        int[] pos = PackedDecode.positions(t);
        return e / pos.length * pos.length + pos[e % pos.length];
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void positionIsAPermutationOfEachGroup(GgmlType t) {
        int[] pos = PackedDecode.positions(t);
        int group = t == GgmlType.Q6_K ? 16 * SimdKernels.L : G;
        assertEquals(FastMatMul.KC, pos.length);
        boolean[] seen = new boolean[pos.length];
        for (int e = 0; e < pos.length; e++) {
            assertEquals(e / group, pos[e] / group, "element " + e + " leaves its group");
            assertTrue(!seen[pos[e]], "position " + pos[e] + " twice");
            seen[pos[e]] = true;
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void everyBatchGivesTheSameProductWithTheCopy(GgmlType t) {
        Random rnd = new Random(22);
        for (int cols : new int[] {G, 5 * G}) {
            int rows = 37;
            MemorySegment w = matrix(t, rows, cols, Mode.RANDOM, rnd);
            MemorySegment packed = pack(t, w, rows, cols);
            try (ThreadPool pool = new ThreadPool(2)) {
                for (int batch : new int[] {4, 9, 15, 16, 23, 70}) {
                    float[] xs = TestBlocks.activations(cols * batch, Mode.RANDOM, rnd);
                    MemorySegment x = TestBlocks.seg(xs);
                    MemorySegment scratch = MemorySegment.ofArray(new byte[(int) MatMul.scratchBytes(t, cols, batch)]);
                    MemorySegment yFile = MemorySegment.ofArray(new byte[4 * rows * batch]);
                    MemorySegment yCopy = MemorySegment.ofArray(new byte[4 * rows * batch]);
                    MatMul.matmul(t, w, null, rows, cols, x, cols, batch, yFile, rows, scratch, pool);
                    // the original rows zeroed: a product that still read them would differ
                    MemorySegment blank = MemorySegment.ofArray(new byte[(int) w.byteSize()]);
                    MatMul.matmul(t, blank, packed, rows, cols, x, cols, batch, yCopy, rows, scratch, pool);
                    boolean nonZero = false;
                    for (int i = 0; i < rows * batch; i++) {
                        float a = Mem.f32(yFile, 4L * i);
                        nonZero |= a != 0f;
                        assertEquals(Float.floatToIntBits(a), Float.floatToIntBits(Mem.f32(yCopy, 4L * i)),
                                t + " " + rows + "x" + cols + " batch " + batch + " output " + i);
                    }
                    assertTrue(nonZero);
                }
            }
        }
    }

    private static MemorySegment matrix(GgmlType t, int rows, int cols, Mode mode, Random rnd) {
        int rowBytes = (int) t.bytes(cols);
        byte[] b = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(TestBlocks.row(t, cols, r % 2 == 1 ? Mode.EXTREME_SCALE : mode, rnd), 0, b, r * rowBytes, rowBytes);
        }
        return MemorySegment.ofArray(b);
    }

    private static MemorySegment pack(GgmlType t, MemorySegment w, int rows, int cols) {
        long n = MatMul.packedBytes(t, rows, cols);
        assertTrue(n > 0, "no packed form");
        MemorySegment p = MemorySegment.ofArray(new byte[(int) n]);
        MatMul.pack(t, w, rows, cols, p);
        return p;
    }
}
