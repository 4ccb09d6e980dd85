package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * The shared checks of the repacked rows' tests ({@link Q4_0Packed}, {@link Q4_KPacked},
 * {@link Q6_KPacked}): one packed row against ggml's scalar dot, and {@link MatMul#matmul} with a
 * packed copy, for the batches of the small-batch rows and one above them, against ggml's scalar
 * reference and against the same product without the copy.
 */
final class PackedMatMulCheck {
    private PackedMatMulCheck() {}

    /**
     * {@code row} packed twice (the second copy tests the row stride) and multiplied by the packed
     * class's kernel with {@code xs} converted by it, against ggml's scalar dot of the original
     * row: within 3× the reference tolerance, or NaN exactly where the reference is.
     */
    static void rowAgainstReference(GgmlType t, int cols, byte[] row, float[] xs, String what) {
        MemorySegment x = TestBlocks.seg(xs);
        MemorySegment w = MemorySegment.ofArray(new byte[2 * row.length]);
        MemorySegment.copy(MemorySegment.ofArray(row), 0, w, 0, row.length);
        MemorySegment.copy(MemorySegment.ofArray(row), 0, w, row.length, row.length);
        long rowBytes = MatMul.packedBytes(t, 1, cols);
        assertTrue(rowBytes > 0, t + " " + cols + " has no packed form");
        MemorySegment packed = MemorySegment.ofArray(new byte[(int) (2 * rowBytes)]);
        MatMul.pack(t, w, 2, cols, packed);
        MemorySegment act = MemorySegment.ofArray(new byte[4 * cols]);
        switch (t) {
            case Q4_0 -> Q4_0Packed.convert(x, 0, cols, act, 0);
            case Q4_K -> Q4_KPacked.convert(x, 0, cols, act, 0);
            default -> Q6_KPacked.convert(x, 0, cols, act, 0);
        }
        WeightKernel k = Kernels.forType(t);
        MemorySegment ref = MemorySegment.ofArray(new byte[(int) k.activationBytes(cols)]);
        k.convertActivations(x, 0, cols, ref, 0);
        float want = k.dot(MemorySegment.ofArray(row), 0, ref, 0, cols);
        float[] av = ReferenceKernelTest.expectedActivations(t, xs);
        double tol = 3 * ReferenceKernelTest.tolerance(t, row, TestBlocks.dequant(t, row, cols), av);
        for (int r = 0; r < 2; r++) {
            float got = switch (t) {
                case Q4_0 -> Q4_0Packed.row(packed, Q4_0Packed.rowOffset(r, cols), Q4_0Packed.groupStride(r, 2), cols, act, 0);
                case Q4_K -> Q4_KPacked.row(packed, r * rowBytes, cols, act, 0);
                default -> Q6_KPacked.row(packed, r * rowBytes, cols, act, 0);
            };
            if (!Float.isFinite(want) || !Double.isFinite(tol)) {
                assertEquals(Float.isNaN(want), Float.isNaN(got), t + " cols " + cols + " " + what + ": " + got + " vs " + want);
                continue;
            }
            assertTrue(Math.abs(got - want) <= tol, t + " cols " + cols + " " + what + " row " + r
                    + ": packed " + got + " reference " + want + " tol " + tol);
        }
    }

    /**
     * {@link Q4_0Packed#rows4} on every whole tile against {@link Q4_0Packed#row} on each of its
     * rows, bit for bit (NaN as NaN), with {@code rows} (equal lengths) packed into one matrix.
     */
    static void rows4AgainstRow(int cols, byte[][] rows, float[] xs, String what) {
        int n = rows.length;
        int rowLen = rows[0].length;
        MemorySegment w = MemorySegment.ofArray(new byte[n * rowLen]);
        for (int r = 0; r < n; r++) {
            MemorySegment.copy(MemorySegment.ofArray(rows[r]), 0, w, (long) r * rowLen, rowLen);
        }
        MemorySegment packed = MemorySegment.ofArray(new byte[(int) MatMul.packedBytes(GgmlType.Q4_0, n, cols)]);
        MatMul.pack(GgmlType.Q4_0, w, n, cols, packed);
        MemorySegment act = MemorySegment.ofArray(new byte[4 * cols]);
        Q4_0Packed.convert(TestBlocks.seg(xs), 0, cols, act, 0);
        float[] out = new float[4];
        for (int t = 0; t + Q4_0Packed.TILE <= n; t += Q4_0Packed.TILE) {
            Q4_0Packed.rows4(packed, Q4_0Packed.rowOffset(t, cols), cols, act, 0, out);
            for (int i = 0; i < 4; i++) {
                int r = t + i;
                float one = Q4_0Packed.row(packed, Q4_0Packed.rowOffset(r, cols), Q4_0Packed.groupStride(r, n), cols, act, 0);
                assertEquals(Float.floatToIntBits(one), Float.floatToIntBits(out[i]),
                        "q4_0 cols " + cols + " " + what + ": row " + r + ": four-row " + out[i] + " one-row " + one);
            }
        }
    }

    /** Matrices of 1, 16 and 37 rows (every third with extreme scales) of each of {@code colsList}. */
    static void everyBatch(GgmlType t, int[] colsList, Random rnd) {
        for (int cols : colsList) {
            for (int rows : new int[] {1, 16, 37}) {
                MemorySegment w = MemorySegment.ofArray(TestBlocks.matrix(t, rows, cols, 3, rnd));
                long n = MatMul.packedBytes(t, rows, cols);
                assertTrue(n > 0, t + " " + rows + "x" + cols + " has no packed form");
                MemorySegment packed = MemorySegment.ofArray(new byte[(int) n]);
                MatMul.pack(t, w, rows, cols, packed);
                try (ThreadPool pool = new ThreadPool(2)) {
                    for (int batch : new int[] {1, 2, 3, 5}) {
                        check(t, w, packed, rows, cols, batch, rnd, pool);
                    }
                }
            }
        }
    }

    private static void check(GgmlType t, MemorySegment w, MemorySegment packed, int rows, int cols, int batch,
                              Random rnd, Parallel par) {
        float[] xs = new float[cols * batch];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rnd.nextGaussian();
        }
        MemorySegment x = TestBlocks.seg(xs);
        MemorySegment scratch = MemorySegment.ofArray(new byte[(int) MatMul.scratchBytes(t, cols, batch)]);
        MemorySegment yRef = MemorySegment.ofArray(new byte[4 * rows * batch]);
        MemorySegment yPlain = MemorySegment.ofArray(new byte[4 * rows * batch]);
        MemorySegment yFast = MemorySegment.ofArray(new byte[4 * rows * batch]);
        MatMul.reference(Kernels.forType(t), w, rows, cols, x, cols, batch, yRef, rows, scratch, Parallel.SERIAL);
        MatMul.matmul(t, w, null, rows, cols, x, cols, batch, yPlain, rows, scratch, par);
        MatMul.matmul(t, w, packed, rows, cols, x, cols, batch, yFast, rows, scratch, par);
        // one thread: no rows split, and a single vector converted in one piece, not in parts
        MemorySegment ySerial = MemorySegment.ofArray(new byte[4 * rows * batch]);
        MatMul.matmul(t, w, packed, rows, cols, x, cols, batch, ySerial, rows, scratch, Parallel.SERIAL);
        for (int i = 0; i < rows * batch; i++) {
            assertEquals(Float.floatToRawIntBits(Mem.f32(ySerial, 4L * i)), Float.floatToRawIntBits(Mem.f32(yFast, 4L * i)),
                    t + " " + rows + "x" + cols + " batch " + batch + " output " + i + " serial vs " + par.threads() + " threads");
        }
        int rowBytes = (int) t.bytes(cols);
        for (int r = 0; r < rows; r++) {
            byte[] row = new byte[rowBytes];
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, (long) r * rowBytes, row, 0, rowBytes);
            float[] mag = ReferenceKernelTest.magnitudes(t, row, TestBlocks.dequant(t, row, cols));
            for (int b = 0; b < batch; b++) {
                float[] av = ReferenceKernelTest.expectedActivations(t, Arrays.copyOfRange(xs, b * cols, (b + 1) * cols));
                double tol = 3 * ReferenceKernelTest.tolerance(t, mag, av);
                float want = Mem.f32(yRef, 4L * (b * rows + r));
                float plain = Mem.f32(yPlain, 4L * (b * rows + r));
                float got = Mem.f32(yFast, 4L * (b * rows + r));
                String at = t + " " + rows + "x" + cols + " batch " + batch + " row " + r + " b " + b;
                assertTrue(Math.abs(got - want) <= tol, at + ": packed " + got + " reference " + want + " tol " + tol);
                assertTrue(Math.abs(got - plain) <= 2 * tol, at + ": packed " + got + " unpacked " + plain + " tol " + tol);
            }
        }
    }
}
