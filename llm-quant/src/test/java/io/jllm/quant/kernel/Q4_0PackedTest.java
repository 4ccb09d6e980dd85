package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The repacked Q4_0 rows against ggml's scalar Q4_0 × Q8_0 dot, on random and adversarial blocks. */
class Q4_0PackedTest {
    private static final GgmlType T = GgmlType.Q4_0;

    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && Numerics.current() == Numerics.FAST && Q4_0Packed.packable(32 * SimdKernels.L),
                "SIMD path in fast numerics with 8/16-lane floats unavailable");
    }

    @Test
    void packableNeedsWholeGroups() {
        int g = 32 * SimdKernels.L;
        assertTrue(Q4_0Packed.packable(3 * g));
        assertFalse(Q4_0Packed.packable(g + 32));
        assertEquals(18L * 3 * g / 32, Q4_0Packed.rowBytes(3 * g));
    }

    @Test
    void rowsMatchReferenceOnRandomAndAdversarialBlocks() {
        Random rnd = new Random(11);
        int g = 32 * SimdKernels.L;
        for (int cols : new int[] {g, 3 * g, 2048}) {
            if (!Q4_0Packed.packable(cols)) {
                continue;
            }
            for (Mode wMode : Mode.values()) {
                for (Mode aMode : Mode.values()) {
                    check(cols, TestBlocks.row(T, cols, wMode, rnd), aMode, rnd);
                }
            }
            // every nibble 0 or every nibble 15 with real scales; activations at ±127 (MAX mode)
            for (byte fill : new byte[] {0, (byte) 0xFF, (byte) 0x0F, (byte) 0xF0}) {
                byte[] row = TestBlocks.row(T, cols, Mode.EXTREME_SCALE, rnd);
                for (int b = 0; b < cols / 32; b++) {
                    java.util.Arrays.fill(row, 18 * b + 2, 18 * b + 18, fill);
                }
                check(cols, row, Mode.MAX, rnd);
                check(cols, row, Mode.RANDOM, rnd);
            }
        }
    }

    @Test
    void fourRowKernelIsTheOneRowKernelBitForBit() {
        Random rnd = new Random(13);
        int g = 32 * SimdKernels.L;
        for (int cols : new int[] {g, 2048}) {
            if (!Q4_0Packed.packable(cols)) {
                continue;
            }
            // every weight mode, all-15 nibbles, and scales that are inf, -inf and NaN
            byte[][] rows = new byte[Mode.values().length + 4 + 8][]; // the last two tiles random: every tile position
            for (Mode m : Mode.values()) {
                rows[m.ordinal()] = TestBlocks.row(T, cols, m, rnd);
            }
            int k = Mode.values().length;
            rows[k] = TestBlocks.row(T, cols, Mode.EXTREME_SCALE, rnd);
            for (int b = 0; b < cols / 32; b++) {
                java.util.Arrays.fill(rows[k], 18 * b + 2, 18 * b + 18, (byte) 0xFF);
            }
            short[] special = {0x7C00, (short) 0xFC00, 0x7E00};
            for (int i = 0; i < 3; i++) {
                rows[k + 1 + i] = TestBlocks.row(T, cols, Mode.RANDOM, rnd);
                int b = rnd.nextInt(cols / 32);
                rows[k + 1 + i][18 * b] = (byte) special[i];
                rows[k + 1 + i][18 * b + 1] = (byte) (special[i] >> 8);
            }
            for (int r = k + 4; r < rows.length; r++) {
                rows[r] = TestBlocks.row(T, cols, Mode.RANDOM, rnd);
            }
            for (Mode aMode : Mode.values()) {
                PackedMatMulCheck.rows4AgainstRow(cols, rows, TestBlocks.activations(cols, aMode, rnd), "act " + aMode);
            }
        }
    }

    @Test
    void matmulWithPackedCopyMatchesReferenceAndUnpackedForEveryBatch() {
        PackedMatMulCheck.everyBatch(T, new int[] {32 * SimdKernels.L, 2 * 32 * SimdKernels.L}, new Random(12));
    }

    private static void check(int cols, byte[] row, Mode aMode, Random rnd) {
        float[] xs = TestBlocks.activations(cols, aMode, rnd);
        if (aMode == Mode.MAX) {
            for (int i = 0; i < cols; i++) {
                xs[i] = (i & 1) == 0 ? 1f : -1f; // quantizes to ±127 everywhere
            }
        }
        PackedMatMulCheck.rowAgainstReference(T, cols, row, xs, "act " + aMode);
    }
}
