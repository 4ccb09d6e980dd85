package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Numerics#REFERENCE} (run by the {@code reference-numerics} surefire execution, one JVM
 * started with {@code -Djllm.numerics=reference}): a batch gives bit for bit what its tokens give
 * one at a time, for every type and for batches on both sides of the default mode's GEMM
 * threshold, and the first (interpreted) evaluations equal those after the JIT has compiled the
 * kernels.
 */
class BatchRowsReferenceNumericsTest {
    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(VectorSupport.ENABLED, "SIMD path disabled on this JVM");
    }

    @Test
    void runsInReferenceMode() {
        assertEquals(Numerics.REFERENCE, Numerics.current(), "this class must run with -Djllm.numerics=reference");
    }

    @Test
    void batchEqualsOneTokenAtATimeBitForBit() {
        Random rnd = new Random(11);
        try (ThreadPool pool = new ThreadPool(2); Arena arena = Arena.ofShared()) {
            for (GgmlType t : TestBlocks.ALL_TYPES) {
                int cols = t.isQuantized() ? 512 : 515;
                int rows = 21;
                for (int batch : new int[] {4, SimdGemm.MIN_BATCH + 3}) {
                    Product p = new Product(t, rows, cols, batch, rnd, arena);
                    float[] all = p.batch(pool);
                    for (int b = 0; b < batch; b++) {
                        float[] one = p.single(b, Parallel.SERIAL);
                        for (int r = 0; r < rows; r++) {
                            assertEquals(Float.floatToRawIntBits(one[r]), Float.floatToRawIntBits(all[b * rows + r]),
                                    t + " batch " + batch + " entry " + b + " row " + r);
                        }
                    }
                }
            }
        }
    }

    @Test
    void firstEvaluationEqualsCompiledOnes() {
        Random rnd = new Random(12);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16}) {
                Product p = new Product(t, 16, 1024, 1, rnd, arena);
                float[] first = p.single(0, Parallel.SERIAL);
                float[] later = first;
                for (int i = 0; i < 3000; i++) {
                    later = p.single(0, Parallel.SERIAL);
                }
                for (int r = 0; r < first.length; r++) {
                    assertEquals(Float.floatToRawIntBits(first[r]), Float.floatToRawIntBits(later[r]), t + " row " + r);
                }
            }
        }
    }

    /** Random weights and activations of one product, evaluated as a batch or per entry. */
    private static final class Product {
        final GgmlType t;
        final int rows;
        final int cols;
        final int batch;
        final MemorySegment w;
        final MemorySegment x;
        final MemorySegment y;
        final MemorySegment scratch;

        Product(GgmlType t, int rows, int cols, int batch, Random rnd, Arena arena) {
            this.t = t;
            this.rows = rows;
            this.cols = cols;
            this.batch = batch;
            long rb = t.bytes(cols);
            w = arena.allocate(rb * rows, 64);
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(MemorySegment.ofArray(TestBlocks.row(t, cols, Mode.RANDOM, rnd)), 0, w, r * rb, rb);
            }
            x = arena.allocate(4L * cols * batch, 64);
            for (int b = 0; b < batch; b++) {
                MemorySegment.copy(TestBlocks.seg(TestBlocks.activations(cols, Mode.RANDOM, rnd)), 0, x, 4L * b * cols,
                        4L * cols);
            }
            y = arena.allocate(4L * rows * batch, 64);
            scratch = arena.allocate(MatMul.scratchBytes(t, cols, batch), 64);
        }

        float[] batch(Parallel par) {
            MatMul.matmul(t, w, rows, cols, x, cols, batch, y, rows, scratch, par);
            return y.asSlice(0, 4L * rows * batch).toArray(Mem.F32);
        }

        float[] single(int b, Parallel par) {
            MatMul.matmul(t, w, rows, cols, x.asSlice(4L * b * cols), cols, 1, y, rows, scratch, par);
            return y.asSlice(0, 4L * rows).toArray(Mem.F32);
        }
    }
}
