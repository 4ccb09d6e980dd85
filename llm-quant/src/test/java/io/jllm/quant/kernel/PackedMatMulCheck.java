package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * The shared check of the repacked rows' tests: {@link MatMul#matmul} with a packed copy, for
 * the batches of the small-batch rows and one above them, against ggml's scalar reference and
 * against the same product without the copy.
 */
final class PackedMatMulCheck {
    private PackedMatMulCheck() {}

    /** Matrices of 1, 16 and 37 rows (every third with extreme scales) of each of {@code colsList}. */
    static void everyBatch(GgmlType t, int[] colsList, Random rnd) {
        for (int cols : colsList) {
            for (int rows : new int[] {1, 16, 37}) {
                int rowBytes = (int) t.bytes(cols);
                byte[] wBytes = new byte[rows * rowBytes];
                for (int r = 0; r < rows; r++) {
                    byte[] row = TestBlocks.row(t, cols, r % 3 == 2 ? Mode.EXTREME_SCALE : Mode.RANDOM, rnd);
                    System.arraycopy(row, 0, wBytes, r * rowBytes, rowBytes);
                }
                MemorySegment w = MemorySegment.ofArray(wBytes);
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
