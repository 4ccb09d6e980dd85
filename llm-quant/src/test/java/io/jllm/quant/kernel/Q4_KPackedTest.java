package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The repacked Q4_K rows ({@link Q4_KPacked}) against ggml's scalar Q4_K × Q8_K dot on random
 * and adversarial blocks, its activation quants against ggml's Q8_K bit for bit, and
 * {@link MatMul#matmul} with the packed copy for small and larger batches.
 */
class Q4_KPackedTest {
    private static final GgmlType T = GgmlType.Q4_K;
    private static final int G = 32 * SimdKernels.L;

    /** Activation patterns beyond {@link Mode}: Q8_K quants ±127 everywhere, alternating, tiny. */
    enum Acts { RANDOM, ZERO, MAX, EXTREME_SCALE, PLUS_127, MINUS_127, ALTERNATING, ONE_HOT }

    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && Numerics.current() == Numerics.FAST && Q4_KPacked.packable(Math.max(256, G)),
                "SIMD path in fast numerics with 8/16-lane floats unavailable");
    }

    @Test
    void packableNeedsWholeGroups() {
        assertTrue(Q4_KPacked.packable(3 * G));
        // not whole superblocks; and, with 16 lanes (two superblocks per group), not whole groups
        assertFalse(Q4_KPacked.packable(G + 32));
        assertEquals(SimdKernels.L == 8, Q4_KPacked.packable(G + 256));
        assertEquals(20L * 3 * G / 32, Q4_KPacked.rowBytes(3 * G));
        assertEquals(20L * 5632 / 32 * 7, MatMul.packedBytes(T, 7, 5632));
        assertEquals(0, MatMul.packedBytes(T, 7, G + 32));
    }

    @Test
    void scalesAndMinsFollowGetScaleMinK4() {
        Random rnd = new Random(3);
        byte[] b = new byte[12];
        for (int rep = 0; rep < 200; rep++) {
            rnd.nextBytes(b);
            for (int j = 0; j < 8; j++) {
                int sc;
                int m;
                if (j < 4) {
                    sc = b[j] & 63;
                    m = b[j + 4] & 63;
                } else {
                    sc = (b[j + 4] & 0xF) | (((b[j - 4] & 0xFF) >> 6) << 4);
                    m = ((b[j + 4] & 0xFF) >> 4) | (((b[j] & 0xFF) >> 6) << 4);
                }
                assertEquals(sc, Q4_KPacked.scale(b, 0, j));
                assertEquals(m, Q4_KPacked.min(b, 0, j));
            }
        }
    }

    @Test
    void activationQuantsEqualGgmlQ8KBitForBit() {
        Random rnd = new Random(4);
        for (int cols : new int[] {G, 3 * G, 2048}) {
            for (Acts a : Acts.values()) {
                float[] xs = activations(cols, a, rnd);
                MemorySegment x = TestBlocks.seg(xs);
                MemorySegment act = MemorySegment.ofArray(new byte[(int) Q4_KPacked.actBytes(cols)]);
                Q4_KPacked.convert(x, 0, cols, act, 0);
                MemorySegment ref = MemorySegment.ofArray(new byte[ActivationQuant.Q8_K_BYTES * (cols / 256)]);
                ActivationQuant.toQ8_K(x, 0, cols, ref, 0);
                for (int b = 0; b < cols / 32; b++) {
                    long go = 72L * SimdKernels.L * (b / SimdKernels.L);
                    int j = b % SimdKernels.L;
                    long ro = (long) ActivationQuant.Q8_K_BYTES * (b / 8);
                    int sum = 0;
                    for (int e = 0; e < 32; e++) {
                        int want = Mem.i8(ref, ro + 4 + 32 * (b % 8) + e);
                        int got = Mem.i16(act, go + PackedGroups.actOffset(e) + 2L * j);
                        assertEquals(want, got, a + " cols " + cols + " sub-block " + b + " element " + e);
                        sum += want;
                    }
                    float d = Mem.f32(ref, ro);
                    assertEquals(Float.floatToRawIntBits(d),
                            Float.floatToRawIntBits(Mem.f32(act, go + 64L * SimdKernels.L + 4L * j)), a + " d_y");
                    assertEquals(Float.floatToRawIntBits(d * sum),
                            Float.floatToRawIntBits(Mem.f32(act, go + 68L * SimdKernels.L + 4L * j)), a + " d_y·Σa");
                }
            }
        }
    }

    @Test
    void rowsMatchReferenceOnRandomAndAdversarialBlocks() {
        Random rnd = new Random(11);
        for (int cols : new int[] {G, 3 * G, 2048}) {
            for (Mode wMode : Mode.values()) {
                for (Acts a : Acts.values()) {
                    check(cols, TestBlocks.row(T, cols, wMode, rnd), a, rnd);
                }
            }
            // scales and mins all 63 (0xFF), nibbles all 0 / all 15 / mixed, extreme d and dmin
            for (byte q : new byte[] {0, (byte) 0xFF, (byte) 0x0F, (byte) 0xF0}) {
                for (byte sc : new byte[] {(byte) 0xFF, 0, (byte) 0x3F}) {
                    byte[] row = fill(cols, sc, q, rnd);
                    for (Acts a : Acts.values()) {
                        check(cols, row, a, rnd);
                    }
                }
            }
        }
    }

    @Test
    void matmulWithPackedCopyMatchesReferenceAndUnpackedForEveryBatch() {
        PackedMatMulCheck.everyBatch(T, new int[] {G, 2 * G}, new Random(12));
    }

    /** Every superblock: the 12 scale bytes {@code sc}, all quant bytes {@code q}, extreme d/dmin. */
    private static byte[] fill(int cols, byte sc, byte q, Random rnd) {
        byte[] b = new byte[(int) T.bytes(cols)];
        for (int blk = 0; blk < cols / 256; blk++) {
            int o = 144 * blk;
            Arrays.fill(b, o + 4, o + 16, sc);
            Arrays.fill(b, o + 16, o + 144, q);
            TestBlocks.putF16(b, o, rnd.nextBoolean() ? 65504f : -65504f);
            TestBlocks.putF16(b, o + 2, rnd.nextBoolean() ? 65504f : 6.1035156e-5f);
        }
        return b;
    }

    static float[] activations(int cols, Acts a, Random rnd) {
        return switch (a) {
            case RANDOM -> TestBlocks.activations(cols, Mode.RANDOM, rnd);
            case ZERO -> TestBlocks.activations(cols, Mode.ZERO, rnd);
            case MAX -> TestBlocks.activations(cols, Mode.MAX, rnd);
            case EXTREME_SCALE -> TestBlocks.activations(cols, Mode.EXTREME_SCALE, rnd);
            default -> {
                float[] x = new float[cols];
                for (int i = 0; i < cols; i++) {
                    x[i] = switch (a) {
                        case PLUS_127 -> i % 256 == 0 ? -3.25f : 3.25f; // +127 but the first of each superblock
                        case MINUS_127 -> -3.25f;
                        case ALTERNATING -> (i & 1) == 0 ? 1e-3f : -1e-3f;
                        default -> i % 97 == 0 ? 1f : 0f;
                    };
                }
                yield x;
            }
        };
    }

    private static void check(int cols, byte[] row, Acts a, Random rnd) {
        PackedMatMulCheck.rowAgainstReference(T, cols, row, activations(cols, a, rnd), "act " + a);
    }
}
