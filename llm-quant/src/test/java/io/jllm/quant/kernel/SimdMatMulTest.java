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

/** The SIMD decoders and matrix path against the scalar reference kernels. */
class SimdMatMulTest {
    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(VectorSupport.ENABLED, "SIMD path disabled on this JVM");
    }

    @Test
    void simdDecodersEqualScalarDecodersBitForBit() {
        Random rnd = new Random(5);
        int n = 1024;
        for (GgmlType t : TestBlocks.ALL_TYPES) {
            WeightKernel k = Kernels.forType(t);
            for (Mode mode : Mode.values()) {
                byte[] row = TestBlocks.row(t, n, mode, rnd);
                MemorySegment s = MemorySegment.ofArray(row);
                float[] got = new float[n];
                float[] mins = new float[n / 32];
                SimdDecode.decode(k, s, 0, 0, n, got, 0, mins, 0);
                float[] want = TestBlocks.dequant(t, row, n);
                for (int i = 0; i < n; i++) {
                    float g = FastMatMul.hasMin(t) ? got[i] + mins[i / 32] : got[i];
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(g),
                            t + " " + mode + " element " + i + " (simd " + SimdDecode.hasSimd(t) + ")");
                }
            }
        }
    }

    @Test
    void f16DecoderCoversEveryBitPattern() {
        int n = 65536;
        MemorySegment s = MemorySegment.ofArray(new byte[2 * n]);
        for (int i = 0; i < n; i++) {
            s.set(Mem.I16, 2L * i, (short) i);
        }
        float[] got = new float[n];
        SimdDecode.decode(Kernels.forType(GgmlType.F16), s, 0, 0, n, got, 0, null, 0);
        for (int i = 0; i < n; i++) {
            float want = Float.float16ToFloat((short) i);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got[i]), "pattern " + Integer.toHexString(i));
            } else {
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]),
                        "pattern " + Integer.toHexString(i));
            }
        }
    }

    @Test
    void matmulMatchesReferenceForEveryTypeAndBatch() {
        Random rnd = new Random(6);
        try (ThreadPool pool = new ThreadPool(2)) {
            for (GgmlType t : TestBlocks.ALL_TYPES) {
                int cols = t.isQuantized() ? 1280 : 1283;
                int rows = 37;
                for (int batch : new int[] {1, 7, 64}) {
                    check(t, rows, cols, batch, rnd, batch == 7 ? Parallel.SERIAL : pool);
                }
            }
        }
    }

    @Test
    void smallAndOddShapes() {
        Random rnd = new Random(7);
        try (ThreadPool pool = new ThreadPool(2)) {
            check(GgmlType.F32, 1, 1, 1, rnd, pool);
            check(GgmlType.F32, 5, 64, 3, rnd, pool);
            check(GgmlType.F16, 172, 64, 5, rnd, pool);
            check(GgmlType.Q4_0, 3, 32, 2, rnd, pool);
            check(GgmlType.Q6_K, 17, 256, 9, rnd, pool);
            check(GgmlType.Q8_0, 64, 2048 + 32, 4, rnd, pool);
            // the integer small-batch rows (batch <= 3)
            check(GgmlType.Q4_0, 33, 512 + 32, 2, rnd, pool);
            check(GgmlType.Q8_0, 19, 256 + 32, 3, rnd, pool);
            check(GgmlType.Q4_K, 21, 768, 2, rnd, pool);
            check(GgmlType.Q6_K, 18, 512, 3, rnd, pool);
            // the fused F16/BF16 rows (batch <= 3), row counts not a multiple of 4
            check(GgmlType.F16, 19, 1283, 1, rnd, pool);
            check(GgmlType.F16, 6, 67, 2, rnd, pool);
            check(GgmlType.BF16, 23, 515, 3, rnd, pool);
            check(GgmlType.BF16, 1, 5, 1, rnd, pool);
        }
    }

    /**
     * The blocked GEMM path ({@link SimdGemm}): rows not a multiple of the packed row group
     * ({@link SimdKernels#MR}), batches not a multiple of {@link SimdKernels#NB} or beyond one
     * batch tile, columns with a partial last KC block or an element tail, and the minimum batch.
     */
    @Test
    void gemmOddShapes() {
        Random rnd = new Random(8);
        int mr = SimdKernels.MR;
        int minB = SimdGemm.MIN_BATCH;
        try (ThreadPool pool = new ThreadPool(2)) {
            check(GgmlType.F32, 1, 1, minB, rnd, pool);
            check(GgmlType.F32, mr + 1, SimdGemm.KC + 3, minB + 1, rnd, pool);
            check(GgmlType.F16, 2 * mr - 1, 2 * SimdGemm.KC + 17, SimdKernels.NB * 3 + 5, rnd, Parallel.SERIAL);
            check(GgmlType.BF16, 3, 77, 2 * SimdKernels.NB + minB, rnd, pool);
            check(GgmlType.Q4_0, mr - 1, SimdGemm.KC + 32, minB, rnd, pool);
            check(GgmlType.Q4_1, 2 * mr + 3, SimdGemm.KC + 96, minB + 5, rnd, pool);
            check(GgmlType.Q5_1, 7, 64, SimdKernels.NB * 4 + 1, rnd, Parallel.SERIAL);
            check(GgmlType.Q8_0, 3 * mr + 5, 2 * SimdGemm.KC + 64, 31, rnd, pool);
            check(GgmlType.Q4_K, mr + 9, SimdGemm.KC + 256, 29, rnd, pool);
            check(GgmlType.Q6_K, 5, 256, SimdGemm.BT + SimdKernels.NB + 1, rnd, pool);
            check(GgmlType.F32, 19, 40, SimdGemm.BT + 3, rnd, Parallel.SERIAL);
        }
    }

    @Test
    void gemmKernelMatchesPlainSums() {
        Random rnd = new Random(9);
        int mr = SimdKernels.MR;
        int n = 37;
        float[] wp = new float[n * mr];
        float[] a = new float[SimdKernels.NB * n + 11];
        for (int i = 0; i < wp.length; i++) {
            wp[i] = rnd.nextInt(17) - 8;
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextInt(9) - 4;
        }
        float[] out = new float[mr * SimdKernels.NB];
        for (int nb = 1; nb <= SimdKernels.NB; nb++) {
            SimdKernels.gemm(wp, 0, 20, a, 3, n + 1, nb, out, false);
            SimdKernels.gemm(wp, 20, n, a, 3, n + 1, nb, out, true);
            for (int j = 0; j < SimdKernels.NB; j++) {
                int e = Math.min(j, nb - 1);
                for (int r = 0; r < mr; r++) {
                    float want = 0;
                    for (int k = 0; k < n; k++) {
                        want += wp[k * mr + r] * a[3 + e * (n + 1) + k];
                    }
                    assertEquals(want, out[j * mr + r], "nb " + nb + " entry " + j + " row " + r);
                }
            }
        }
    }

    @Test
    void q8ActivationFloatsEqualScalarBitForBit() {
        Random rnd = new Random(10);
        int n = 32 * 40;
        for (Mode mode : Mode.values()) {
            float[] v = TestBlocks.activations(n, mode, rnd);
            for (int i = 0; i < 32; i++) {
                v[i] = 0f; // an all-zero block
                v[32 + i] = (i - 16) * 0.5f; // ties at ±0.5 steps after scaling
                v[64 + i] = i == 3 ? 1e-39f : 0f; // subnormal maximum
            }
            MemorySegment x = TestBlocks.seg(v);
            MemorySegment want = MemorySegment.ofArray(new float[n + n / 32]);
            MemorySegment got = MemorySegment.ofArray(new float[n + n / 32]);
            ActivationQuant.toQ8_0Floats(x, 0, n, want, 0, want, 4L * n);
            SimdActivations.toQ8_0Floats(x, 0, n, got, 0, got, 4L * n);
            for (int i = 0; i < n + n / 32; i++) {
                assertEquals(Float.floatToRawIntBits(Mem.f32(want, 4L * i)), Float.floatToRawIntBits(Mem.f32(got, 4L * i)),
                        mode + " value " + i);
            }
        }
    }

    /** The repacked copies ({@link MatMul#pack}, Q4_0 and Q4_K) at batch 1–3, and batch 4 beside them (file bytes). */
    @Test
    void matmulWithPackedCopiesMatchesReference() {
        Random rnd = new Random(8);
        int g = 32 * SimdKernels.L;
        Assumptions.assumeTrue(MatMul.packedBytes(GgmlType.Q4_K, 1, g) > 0, "no packed layouts here");
        try (ThreadPool pool = new ThreadPool(2)) {
            for (GgmlType t : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_K}) {
                for (int batch = 1; batch <= 4; batch++) {
                    check(t, 37, 2 * g, batch, rnd, pool, true);
                    check(t, 5, g, batch, rnd, Parallel.SERIAL, true);
                }
            }
        }
    }

    static void check(GgmlType t, int rows, int cols, int batch, Random rnd, Parallel par) {
        check(t, rows, cols, batch, rnd, par, false);
    }

    static void check(GgmlType t, int rows, int cols, int batch, Random rnd, Parallel par, boolean packed) {
        WeightKernel k = Kernels.forType(t);
        byte[] wBytes = new byte[(int) t.bytes((long) rows * cols)];
        int rowBytes = (int) t.bytes(cols);
        for (int r = 0; r < rows; r++) {
            byte[] row = TestBlocks.row(t, cols, r % 5 == 4 ? Mode.EXTREME_SCALE : Mode.RANDOM, rnd);
            System.arraycopy(row, 0, wBytes, r * rowBytes, rowBytes);
        }
        MemorySegment w = MemorySegment.ofArray(wBytes);
        int xStride = cols + 3;
        int yStride = rows + 5;
        float[] xs = new float[xStride * batch];
        for (int b = 0; b < batch; b++) {
            float[] v = TestBlocks.activations(cols, b % 3 == 2 ? Mode.EXTREME_SCALE : Mode.RANDOM, rnd);
            System.arraycopy(v, 0, xs, b * xStride, cols);
        }
        MemorySegment x = TestBlocks.seg(xs);
        MemorySegment scratch = MemorySegment.ofArray(new byte[(int) MatMul.scratchBytes(t, cols, batch)]);
        MemorySegment yRef = MemorySegment.ofArray(new byte[4 * yStride * batch]);
        MemorySegment yFast = MemorySegment.ofArray(new byte[4 * yStride * batch]);
        MatMul.reference(k, w, rows, cols, x, xStride, batch, yRef, yStride, scratch, Parallel.SERIAL);
        MemorySegment p = null;
        if (packed) {
            long n = MatMul.packedBytes(t, rows, cols);
            assertTrue(n > 0, t + " " + rows + "x" + cols + " has no packed form");
            p = MemorySegment.ofArray(new byte[(int) n]);
            MatMul.pack(t, w, rows, cols, p);
        }
        MatMul.matmul(t, w, p, rows, cols, x, xStride, batch, yFast, yStride, scratch, par);
        float[][] avs = new float[batch][];
        for (int b = 0; b < batch; b++) {
            avs[b] = ReferenceKernelTest.expectedActivations(t,
                    java.util.Arrays.copyOfRange(xs, b * xStride, b * xStride + cols));
        }
        for (int r = 0; r < rows; r++) {
            byte[] row = java.util.Arrays.copyOfRange(wBytes, r * rowBytes, (r + 1) * rowBytes);
            float[] wv = TestBlocks.dequant(t, row, cols);
            float[] mag = ReferenceKernelTest.magnitudes(t, row, wv);
            for (int b = 0; b < batch; b++) {
                float[] av = avs[b];
                double tol = 3 * ReferenceKernelTest.tolerance(t, mag, av);
                float want = Mem.f32(yRef, 4L * (b * yStride + r));
                float got = Mem.f32(yFast, 4L * (b * yStride + r));
                assertTrue(Math.abs(got - want) <= tol, t + " " + rows + "x" + cols + " batch " + batch
                        + " row " + r + " b " + b + ": simd " + got + " reference " + want + " tol " + tol);
            }
        }
    }
}
