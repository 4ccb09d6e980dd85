package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link KQuantRows} (with its activation permutation) against the scalar vec_dot reference. */
class KQuantRowsTest {
    private static final int COLS = 1024;
    private static final GgmlType[] TYPES = {GgmlType.Q4_K, GgmlType.Q6_K};

    /** Weight patterns beyond {@link Mode}: every quant and scale field at its maximum or minimum. */
    enum Pattern { RANDOM, ZERO, MAX, EXTREME_SCALE, ALL_ONES, ALL_ZERO_QUANTS, SCALES_MAX_QUANTS_ZERO }

    /** Activation patterns: quantize to ±127 everywhere, alternate signs, zero, random, huge range. */
    enum Acts { RANDOM, ZERO, PLUS_127, MINUS_127, ALTERNATING, MAX, EXTREME_SCALE }

    @BeforeAll
    static void needsVectors() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && KQuantRows.ENABLED, "needs 512-bit SIMD");
    }

    @Test
    void rowsMatchScalarReferenceOnRandomAndAdversarialBlocks() {
        Random rnd = new Random(11);
        for (GgmlType t : TYPES) {
            for (Pattern p : Pattern.values()) {
                for (Acts a : Acts.values()) {
                    for (int rep = 0; rep < 3; rep++) {
                        check(t, weights(t, p, rnd), activations(a, rnd), p + "/" + a);
                    }
                }
            }
        }
    }

    @Test
    void permutationIsABijectionPerSuperblock() {
        for (boolean q6 : new boolean[] {false, true}) {
            boolean[] seen = new boolean[256];
            for (int g = 0; g < 2; g++) {
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < 32; i++) {
                        int e = KQuantRows.element(q6, g, k, i);
                        assertTrue(!seen[e], "element " + e + " twice");
                        seen[e] = true;
                    }
                }
            }
        }
    }

    static byte[] weights(GgmlType t, Pattern p, Random rnd) {
        return switch (p) {
            case RANDOM -> TestBlocks.row(t, COLS, Mode.RANDOM, rnd);
            case ZERO -> TestBlocks.row(t, COLS, Mode.ZERO, rnd);
            case MAX -> TestBlocks.row(t, COLS, Mode.MAX, rnd);
            case EXTREME_SCALE -> TestBlocks.row(t, COLS, Mode.EXTREME_SCALE, rnd);
            case ALL_ONES -> fill(t, (byte) 0xFF, (byte) 0xFF, rnd);
            case ALL_ZERO_QUANTS -> fill(t, (byte) 0xFF, (byte) 0, rnd);
            case SCALES_MAX_QUANTS_ZERO -> fill(t, t == GgmlType.Q6_K ? (byte) 0x7F : (byte) 0xFF, (byte) 0, rnd);
        };
    }

    /** Every block: scale bytes {@code sc} (Q4_K: 6-bit scales and mins 63 at 0xFF), quants {@code q}. */
    private static byte[] fill(GgmlType t, byte sc, byte q, Random rnd) {
        byte[] b = new byte[(int) t.bytes(COLS)];
        int bb = t.typeSize();
        for (int blk = 0; blk < COLS / 256; blk++) {
            int o = blk * bb;
            if (t == GgmlType.Q4_K) {
                Arrays.fill(b, o + 4, o + 16, sc);
                Arrays.fill(b, o + 16, o + 144, q);
                TestBlocks.putF16(b, o, rnd.nextBoolean() ? 65504f : -65504f);
                TestBlocks.putF16(b, o + 2, rnd.nextBoolean() ? 65504f : 6.1035156e-5f);
            } else {
                Arrays.fill(b, o, o + 192, q);
                Arrays.fill(b, o + 192, o + 208, rnd.nextBoolean() ? sc : (byte) 0x80);
                TestBlocks.putF16(b, o + 208, rnd.nextBoolean() ? 65504f : -5.9604645e-8f);
            }
        }
        return b;
    }

    static float[] activations(Acts a, Random rnd) {
        if (a == Acts.MAX) {
            return TestBlocks.activations(COLS, Mode.MAX, rnd);
        }
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) {
            x[i] = switch (a) {
                case ZERO -> 0f;
                case PLUS_127 -> i % 256 == 0 ? -3.25f : 3.25f; // Q8_K: +127 but the first (-127)
                case MINUS_127 -> -3.25f; // all -127
                case ALTERNATING -> (i & 1) == 0 ? 1e-3f : -1e-3f;
                case MAX -> 0f;
                case EXTREME_SCALE -> (float) (rnd.nextGaussian() * Math.pow(10, (i / 256) % 7 - 3));
                case RANDOM -> (float) rnd.nextGaussian();
            };
        }
        return x;
    }

    static void check(GgmlType t, byte[] row, float[] x, String what) {
        MemorySegment w = MemorySegment.ofArray(row);
        MemorySegment xs = TestBlocks.seg(x);
        MemorySegment act = MemorySegment.ofArray(new byte[(int) IntMatVec.actBytes(t, COLS)]);
        IntMatVec.convert(GgmlType.Q8_K, xs, 0, COLS, act, 0);
        KQuantRows.permute(t, COLS, act, 0);
        float got = t == GgmlType.Q4_K ? KQuantRows.q4_K(w, 0, COLS, act, 0) : KQuantRows.q6_K(w, 0, COLS, act, 0);

        WeightKernel k = Kernels.forType(t);
        MemorySegment refAct = MemorySegment.ofArray(new byte[(int) k.activationBytes(COLS)]);
        k.convertActivations(xs, 0, COLS, refAct, 0);
        float want = k.dot(w, 0, refAct, 0, COLS);

        float[] wv = TestBlocks.dequant(t, row, COLS);
        double tol = ReferenceKernelTest.tolerance(t, row, wv, ReferenceKernelTest.expectedActivations(t, x));
        if (!Float.isFinite(want) || !Double.isFinite(tol)) {
            assertEquals(Float.isNaN(want), Float.isNaN(got), t + " " + what + ": " + got + " vs " + want);
            return;
        }
        assertTrue(Math.abs(got - want) <= tol, t + " " + what + ": kernel " + got + " reference " + want + " tol " + tol);
    }
}
