package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link MatMul#matmulShared} (one activation conversion and one parallel pass for two or three
 * matrices) against separate {@link MatMul#matmul} calls, bit for bit, for every type, the
 * small batches it shares and a larger one it hands to the separate calls, with and without
 * the repacked copies, mixed types (only the matching pair shared), one thread and two.
 */
class SharedMatMulTest {
    private record W(GgmlType type, MemorySegment data, @Nullable MemorySegment packed, int rows, int cols)
            implements MatMul.Operand {}

    private static final int[] ROWS = {37, 16, 260};

    @Test
    void sharedProductsEqualSeparateProductsBitForBit() {
        Random rnd = new Random(31);
        try (ThreadPool pool = new ThreadPool(2)) {
            for (GgmlType t : TestBlocks.ALL_TYPES) {
                int cols = t.blockSize() == 256 || t == GgmlType.IQ4_XS ? 1024 : 512;
                for (boolean pack : new boolean[] {false, true}) {
                    if (pack && MatMul.packedBytes(t, 16, cols) == 0) {
                        continue;
                    }
                    W[] m = new W[3];
                    for (int i = 0; i < 3; i++) {
                        m[i] = matrix(t, ROWS[i], cols, pack, rnd);
                    }
                    for (int batch : new int[] {1, 2, 3, 5}) {
                        for (Parallel par : new Parallel[] {Parallel.SERIAL, pool}) {
                            check(m[0], m[1], m[2], batch, par, rnd, t + (pack ? " packed" : "") + " batch " + batch
                                    + " threads " + par.threads());
                            check(m[0], m[1], null, batch, par, rnd, t + (pack ? " packed" : "") + " pair batch " + batch
                                    + " threads " + par.threads());
                        }
                    }
                }
            }
        }
    }

    @Test
    void mixedTypesShareOnlyTheMatchingPair() {
        Random rnd = new Random(32);
        int cols = 1024;
        W q = matrix(GgmlType.Q4_K, 64, cols, true, rnd);
        W k = matrix(GgmlType.Q4_K, 16, cols, true, rnd);
        W v = matrix(GgmlType.Q6_K, 16, cols, true, rnd);
        W plain = matrix(GgmlType.Q4_K, 16, cols, false, rnd);
        try (ThreadPool pool = new ThreadPool(2)) {
            for (int batch = 1; batch <= 3; batch++) {
                check(q, k, v, batch, pool, rnd, "q4_K q4_K q6_K batch " + batch);
                check(v, q, k, batch, pool, rnd, "q6_K q4_K q4_K batch " + batch);
                check(q, plain, k, batch, pool, rnd, "packed, unpacked, packed batch " + batch);
            }
        }
    }

    /** Two "threads" run in turn on the caller, counting the parallel passes. */
    private static final class CountingParallel implements Parallel {
        int passes;

        @Override
        public void forRange(int n, RangeTask task) {
            passes++;
            int half = n / 2;
            task.run(0, half, 0);
            task.run(half, n, 1);
        }

        @Override
        public int threads() {
            return 2;
        }
    }

    @Test
    void sharingConvertsOnceAndMakesOnePass() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && Numerics.current() == Numerics.FAST, "SIMD path in fast numerics only");
        Random rnd = new Random(34);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.F16}) {
            W a = matrix(t, 64, 1024, true, rnd);
            W b = matrix(t, 16, 1024, true, rnd);
            W c = matrix(t, 16, 1024, true, rnd);
            for (int batch = 1; batch <= 3; batch++) {
                CountingParallel separate = new CountingParallel();
                CountingParallel shared = new CountingParallel();
                check(a, b, c, batch, separate, shared, rnd, t + " batch " + batch);
                // per product a conversion pass (none for one vector converted whole) and a multiply
                // pass; shared, the passes of one product for all three
                assertEquals(0, separate.passes % 3, t + " batch " + batch);
                assertEquals(separate.passes / 3, shared.passes,
                        t + " batch " + batch + ": passes shared vs " + separate.passes + " for three separate products");
            }
        }
    }

    @Test
    void aThirdMatrixNeedsItsOutput() {
        Random rnd = new Random(33);
        W a = matrix(GgmlType.Q8_0, 16, 256, false, rnd);
        MemorySegment x = TestBlocks.seg(new float[256]);
        MemorySegment y = MemorySegment.ofArray(new byte[64]);
        MemorySegment scratch = MemorySegment.ofArray(new byte[(int) MatMul.scratchBytes(GgmlType.Q8_0, 256, 1)]);
        assertThrows(IllegalArgumentException.class,
                () -> MatMul.matmulShared(a, y, a, y, a, null, 16, x, 256, 1, scratch, Parallel.SERIAL));
    }

    private static W matrix(GgmlType t, int rows, int cols, boolean pack, Random rnd) {
        MemorySegment w = MemorySegment.ofArray(TestBlocks.matrix(t, rows, cols, 5, rnd));
        MemorySegment p = null;
        if (pack && MatMul.packedBytes(t, rows, cols) > 0) { // none in reference numerics
            p = MemorySegment.ofArray(new byte[(int) MatMul.packedBytes(t, rows, cols)]);
            MatMul.pack(t, w, rows, cols, p);
        }
        return new W(t, w, p, rows, cols);
    }

    /** The three products into one output buffer at row offsets, as Q, K and V share one, with a common stride. */
    private static void check(W a, W b, @Nullable W c, int batch, Parallel par, Random rnd, String what) {
        check(a, b, c, batch, par, par, rnd, what);
    }

    private static void check(W a, W b, @Nullable W c, int batch, Parallel separate, Parallel par, Random rnd,
                              String what) {
        int cols = a.cols();
        int stride = a.rows() + b.rows() + (c == null ? 0 : c.rows()) + 3;
        float[] xs = new float[cols * batch];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rnd.nextGaussian();
        }
        MemorySegment x = TestBlocks.seg(xs);
        long scratchBytes = 0;
        for (W m : c == null ? new W[] {a, b} : new W[] {a, b, c}) {
            scratchBytes = Math.max(scratchBytes, MatMul.scratchBytes(m.type(), cols, batch));
        }
        MemorySegment scratch = MemorySegment.ofArray(new byte[(int) scratchBytes]);
        MemorySegment want = MemorySegment.ofArray(new byte[4 * stride * batch]);
        MemorySegment got = MemorySegment.ofArray(new byte[4 * stride * batch]);
        long offB = 4L * a.rows();
        long offC = offB + 4L * b.rows();
        MatMul.matmul(a.type(), a.data(), a.packed(), a.rows(), cols, x, cols, batch, want, stride, scratch, separate);
        MatMul.matmul(b.type(), b.data(), b.packed(), b.rows(), cols, x, cols, batch, want.asSlice(offB), stride, scratch,
                separate);
        if (c != null) {
            MatMul.matmul(c.type(), c.data(), c.packed(), c.rows(), cols, x, cols, batch, want.asSlice(offC), stride,
                    scratch, separate);
        }
        MatMul.matmulShared(a, got, b, got.asSlice(offB), c, c == null ? null : got.asSlice(offC), stride,
                x, cols, batch, scratch, par);
        for (int i = 0; i < stride * batch; i++) {
            assertEquals(Float.floatToIntBits(Mem.f32(want, 4L * i)), Float.floatToIntBits(Mem.f32(got, 4L * i)),
                    what + ": output " + i + " (row " + i % stride + " of entry " + i / stride + ")");
        }
    }
}
