package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fused F16/BF16 rows against the scalar reference (HalfKernel), incl. every fp16 pattern. */
class HalfMatVecTest {
    private static final int[] COLS = {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257, 1283};
    /** fp16 edge values: ±0, min subnormal, max subnormal, min normal, max normal, ±1, inf, NaN. */
    private static final short[] F16_EDGES = {0, (short) 0x8000, 1, (short) 0x8001, 0x03FF, (short) 0x83FF,
        0x0400, (short) 0x8400, 0x7BFF, (short) 0xFBFF, 0x3C00, (short) 0xBC00, 0x7C00, (short) 0xFC00, 0x7E00,
        0x7C01, (short) 0xFFFF};
    private static final short[] BF16_EDGES = {0, (short) 0x8000, 1, (short) 0x8001, 0x007F, 0x0080,
        0x7F7F, (short) 0xFF7F, 0x3F80, (short) 0xBF80, 0x7F80, (short) 0xFF80, 0x7FC0, 0x7F81};

    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(VectorSupport.ENABLED, "SIMD path disabled on this JVM");
    }

    @Test
    void randomRowsMatchReference() {
        Random rnd = new Random(11);
        for (boolean bf16 : new boolean[] {false, true}) {
            for (int cols : COLS) {
                for (int rep = 0; rep < 4; rep++) {
                    check(bf16, randomRows(bf16, cols, rnd, false), randomActs(cols, rnd, false), cols);
                }
            }
        }
    }

    @Test
    void adversarialRowsMatchReference() {
        Random rnd = new Random(12);
        for (boolean bf16 : new boolean[] {false, true}) {
            for (int cols : COLS) {
                for (int rep = 0; rep < 8; rep++) {
                    check(bf16, randomRows(bf16, cols, rnd, true), randomActs(cols, rnd, rep % 2 == 1), cols);
                }
            }
        }
    }

    /** Every fp16 bit pattern, alone in a row of zeros (in the vector body and in the tail), times 1. */
    @Test
    void everyF16PatternComesOutExact() {
        int cols = 2 * SimdKernels.L + 3;
        float[] ones = new float[cols];
        java.util.Arrays.fill(ones, 1f);
        MemorySegment a = act(false, ones);
        MemorySegment w = MemorySegment.ofArray(new byte[8 * cols]);
        float[] out = new float[4];
        for (int p = 0; p < 65536; p++) {
            int pos = p % cols;
            w.fill((byte) 0);
            w.set(Mem.I16, 2L * pos, (short) p);
            HalfMatVec.rows4(false, false, w, 0, 2L * cols, 4L * cols, 6L * cols, cols, a, 0, out);
            float want = Float.float16ToFloat((short) p);
            assertSame(want, out[0], "pattern " + Integer.toHexString(p) + " at " + pos);
            assertEquals(0f, out[1]);
        }
    }

    /**
     * F16 with its verification flags (MatMul.packedBytes/pack): the first product checks each
     * 4-row group and flags the clean ones, later products skip the check there. Every product
     * equals the one without flags bit for bit, and a group holding an inf stays unflagged and
     * keeps giving the exact (non-finite) result.
     */
    @Test
    void verifiedF16RowsGiveTheSameProducts() {
        int rows = 41;
        int cols = 3 * SimdKernels.L + 5;
        Random rnd = new Random(13);
        MemorySegment w = MemorySegment.ofArray(new byte[2 * rows * cols]);
        for (int i = 0; i < rows * cols; i++) {
            w.set(Mem.I16, 2L * i, Float.floatToFloat16((float) rnd.nextGaussian()));
        }
        int infRow = 22; // group 5
        w.set(Mem.I16, 2L * (infRow * cols + 7), (short) 0x7C00);
        long n = MatMul.packedBytes(GgmlType.F16, rows, cols);
        Assumptions.assumeTrue(n > 0, "flags disabled (jllm.repack=false)");
        Assumptions.assumeTrue(Numerics.current() == Numerics.FAST, "reference numerics run the scalar rows");
        assertEquals((rows + 3) / 4, n);
        MemorySegment flags = MemorySegment.ofArray(new byte[(int) n]);
        MatMul.pack(GgmlType.F16, w, rows, cols, flags);
        for (int batch = 1; batch <= 2; batch++) {
            float[] xs = new float[batch * cols];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) rnd.nextGaussian();
            }
            MemorySegment x = TestBlocks.seg(xs);
            MemorySegment scratch = MemorySegment.ofArray(new byte[(int) MatMul.scratchBytes(GgmlType.F16, cols, batch)]);
            MemorySegment plain = MemorySegment.ofArray(new byte[4 * rows * batch]);
            MatMul.matmul(GgmlType.F16, w, null, rows, cols, x, cols, batch, plain, rows, scratch, Parallel.SERIAL);
            for (int pass = 0; pass < 2; pass++) {
                MemorySegment y = MemorySegment.ofArray(new byte[4 * rows * batch]);
                MatMul.matmul(GgmlType.F16, w, flags, rows, cols, x, cols, batch, y, rows, scratch, Parallel.SERIAL);
                for (int i = 0; i < rows * batch; i++) {
                    float want = plain.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i);
                    float got = y.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i);
                    if (Float.isFinite(want)) { // same products; the lane sum order may differ (JIT state)
                        assertEquals(want, got, 1e-5f * (1 + Math.abs(want)), "batch " + batch + " pass " + pass + " i " + i);
                    }
                }
                for (int b = 0; b < batch; b++) {
                    float v = y.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * (b * rows + infRow));
                    assertTrue(Float.isInfinite(v) || Float.isNaN(v), "row with an inf weight: " + v);
                }
                for (int g = 0; g < n; g++) {
                    assertEquals(g == infRow / 4 ? 0 : 1, flags.get(java.lang.foreign.ValueLayout.JAVA_BYTE, g),
                            "flag of group " + g);
                }
            }
        }
    }

    /** A 1-row matrix: the reference with ggml's rounding of the activations (double sums). */
    private static void check(boolean bf16, short[][] rows, float[] x, int cols) {
        WeightKernel k = Kernels.forType(bf16 ? GgmlType.BF16 : GgmlType.F16);
        MemorySegment w = MemorySegment.ofArray(new byte[2 * 4 * cols]);
        for (int r = 0; r < 4; r++) {
            for (int i = 0; i < cols; i++) {
                w.set(Mem.I16, 2L * (r * cols + i), rows[r][i]);
            }
        }
        MemorySegment xs = TestBlocks.seg(x);
        MemorySegment refAct = MemorySegment.ofArray(new byte[2 * cols]);
        k.convertActivations(xs, 0, cols, refAct, 0);
        MemorySegment a = MemorySegment.ofArray(new byte[4 * cols]);
        HalfMatVec.convert(bf16, xs, 0, cols, a, 0);
        float[] out = new float[4];
        HalfMatVec.rows4(bf16, false, w, 0, 2L * cols, 4L * cols, 6L * cols, cols, a, 0, out);
        for (int r = 0; r < 4; r++) {
            float want = k.dot(w, 2L * r * cols, refAct, 0, cols);
            double mag = 0;
            for (int i = 0; i < cols; i++) {
                float wv = bf16 ? Mem.bf16ToFloat(rows[r][i]) : Float.float16ToFloat(rows[r][i]);
                float av = bf16 ? Mem.bf16ToFloat(refAct.get(Mem.I16, 2L * i)) : Mem.f16(refAct, 2L * i);
                mag += Math.abs((double) wv * av);
            }
            String what = (bf16 ? "bf16" : "f16") + " cols " + cols + " row " + r;
            if (!(mag < 1e30) || Float.isInfinite(want) || Float.isNaN(want)) {
                assertSpecialAgrees(want, out[r], what);
            } else {
                double tol = (cols + 2) * 0x1p-24 * mag + Float.MIN_VALUE;
                assertTrue(Math.abs(out[r] - want) <= tol, what + ": got " + out[r] + " want " + want);
            }
        }
    }

    /** With inf/NaN inputs only NaN-ness and the infinity's sign are order-independent. */
    private static void assertSpecialAgrees(float want, float got, String what) {
        if (Float.isNaN(want)) {
            assertTrue(Float.isNaN(got) || Float.isInfinite(got), what + ": got " + got + " want NaN");
        } else if (Float.isInfinite(want)) {
            assertTrue(got == want || Float.isNaN(got), what + ": got " + got + " want " + want);
        } else {
            assertTrue(Float.isInfinite(got) || Float.isNaN(got) || Math.abs(got - want) <= 1e-3 * Math.abs(want),
                    what + ": got " + got + " want " + want);
        }
    }

    private static void assertSame(float want, float got, String what) {
        if (Float.isNaN(want)) {
            assertTrue(Float.isNaN(got), what + ": got " + got);
        } else {
            // == rather than bits: -0 alone in a row of +0 sums to +0 (as in ggml)
            assertTrue(want == got, what + ": got " + got + " want " + want);
        }
    }

    private static short[][] randomRows(boolean bf16, int cols, Random rnd, boolean adversarial) {
        short[] edges = bf16 ? BF16_EDGES : F16_EDGES;
        short[][] rows = new short[4][cols];
        for (int r = 0; r < 4; r++) {
            // adversarial: row 0 without inf/NaN, so the fast path is checked against edge values too
            int edgeCount = r == 0 ? edges.length - (bf16 ? 4 : 5) : edges.length;
            for (int i = 0; i < cols; i++) {
                float v = (float) rnd.nextGaussian() * 0.05f;
                short h = bf16 ? Mem.floatToBf16(v) : Float.floatToFloat16(v);
                if (adversarial && rnd.nextInt(4) == 0) {
                    h = edges[rnd.nextInt(edgeCount)];
                }
                rows[r][i] = h;
            }
        }
        return rows;
    }

    private static float[] randomActs(int cols, Random rnd, boolean extreme) {
        float[] x = new float[cols];
        float[] edges = {0f, -0f, 65504f, -65504f, 0x1p-24f, -0x1p-24f, 0x1p-14f, 1e-30f, 70000f, 3e38f};
        for (int i = 0; i < cols; i++) {
            x[i] = extreme && rnd.nextInt(3) == 0 ? edges[rnd.nextInt(edges.length)] : (float) rnd.nextGaussian();
        }
        return x;
    }

    private static MemorySegment act(boolean bf16, float[] x) {
        MemorySegment a = MemorySegment.ofArray(new byte[4 * x.length]);
        HalfMatVec.convert(bf16, TestBlocks.seg(x), 0, x.length, a, 0);
        return a;
    }
}
