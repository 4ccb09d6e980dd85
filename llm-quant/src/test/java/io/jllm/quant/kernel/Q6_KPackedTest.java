package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.Q4_KPackedTest.Acts;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The repacked Q6_K rows ({@link Q6_KPacked}) against ggml's scalar Q6_K × Q8_K dot on random
 * and adversarial blocks, its activation quants against ggml's Q8_K bit for bit, its decode
 * against {@link SimdDecode} bit for bit, and {@link MatMul#matmul} with the packed copy.
 */
class Q6_KPackedTest {
    private static final GgmlType T = GgmlType.Q6_K;
    private static final int L = SimdKernels.L;

    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && Numerics.current() == Numerics.FAST && Q6_KPacked.packable(256),
                "SIMD path in fast numerics with 8/16-lane floats unavailable");
    }

    @Test
    void packableNeedsWholeSuperblocks() {
        assertTrue(Q6_KPacked.packable(256));
        assertTrue(Q6_KPacked.packable(5632));
        assertFalse(Q6_KPacked.packable(128));
        assertFalse(Q6_KPacked.packable(256 + 128));
        assertFalse(Q6_KPacked.packable(1000));
        assertEquals((13L * L + 4) * 2048 / (16 * L), Q6_KPacked.rowBytes(2048));
        assertEquals(7 * Q6_KPacked.rowBytes(5632), MatMul.packedBytes(T, 7, 5632));
        assertEquals(0, MatMul.packedBytes(T, 7, 256 + 128));
        // the converted activations of a batch of 3 fit the scratch MatMul sizes
        assertTrue(3 * Q6_KPacked.actBytes(5632) <= MatMul.scratchBytes(T, 5632, 3));
    }

    @Test
    void activationQuantsEqualGgmlQ8KBitForBit() {
        Random rnd = new Random(4);
        for (int cols : new int[] {256, 768, 2048}) {
            for (Acts a : Acts.values()) {
                float[] xs = Q4_KPackedTest.activations(cols, a, rnd);
                MemorySegment x = TestBlocks.seg(xs);
                MemorySegment act = MemorySegment.ofArray(new byte[(int) Q6_KPacked.actBytes(cols)]);
                Q6_KPacked.convert(x, 0, cols, act, 0);
                MemorySegment ref = MemorySegment.ofArray(new byte[ActivationQuant.Q8_K_BYTES * (cols / 256)]);
                ActivationQuant.toQ8_K(x, 0, cols, ref, 0);
                for (int s = 0; s < cols / 16; s++) {
                    long go = 40L * L * (s / L);
                    int j = s % L;
                    long ro = (long) ActivationQuant.Q8_K_BYTES * (s / 16);
                    for (int e = 0; e < 16; e++) {
                        int want = Mem.i8(ref, ro + 4 + 16 * (s % 16) + e);
                        int got = Mem.i16(act, go + 4L * L * (e % 8) + 2L * (2 * j + e / 8));
                        assertEquals(want, got, a + " cols " + cols + " sub-block " + s + " element " + e);
                    }
                    assertEquals(32 * Mem.i16(ref, ro + 260 + 2L * (s % 16)), Mem.i32(act, go + 32L * L + 4L * j),
                            a + " 32·bsum");
                    assertEquals(Float.floatToRawIntBits(Mem.f32(ref, ro)),
                            Float.floatToRawIntBits(Mem.f32(act, go + 36L * L + 4L * j)), a + " d_y");
                }
            }
        }
    }

    @Test
    void rowsMatchReferenceOnRandomAndAdversarialBlocks() {
        Random rnd = new Random(11);
        for (int cols : new int[] {256, 768, 2048}) {
            for (Mode wMode : Mode.values()) {
                for (Acts a : Acts.values()) {
                    check(cols, TestBlocks.row(T, cols, wMode, rnd), activations(cols, a, rnd));
                }
            }
            // quants all 0 / all 63 / alternating, scales ±127, −128, 0, extreme d
            for (byte q : new byte[] {0, (byte) 0xFF, (byte) 0x0F, (byte) 0xF0, (byte) 0x55}) {
                for (byte sc : new byte[] {127, -128, -127, 0, 1}) {
                    byte[] row = fill(cols, sc, q, rnd);
                    for (Acts a : Acts.values()) {
                        check(cols, row, activations(cols, a, rnd));
                    }
                    check(cols, row, constant(cols, 3.25f)); // every quant −127
                    check(cols, row, constant(cols, -3.25f)); // every quant +127
                }
            }
        }
    }

    @Test
    void decodeEqualsSimdDecodeOfTheOriginalBitForBit() {
        Random rnd = new Random(5);
        WeightKernel k = Kernels.forType(T);
        for (int cols : new int[] {256, 2048}) {
            for (Mode mode : Mode.values()) {
                byte[] row = TestBlocks.row(T, cols, mode, rnd);
                byte[] two = new byte[2 * row.length];
                System.arraycopy(row, 0, two, 0, row.length);
                System.arraycopy(row, 0, two, row.length, row.length);
                MemorySegment w = MemorySegment.ofArray(two);
                MemorySegment p = MemorySegment.ofArray(new byte[(int) (2 * Q6_KPacked.rowBytes(cols))]);
                Q6_KPacked.pack(w, 2, cols, p);
                // whole superblocks: SimdDecode decodes Q6_K by 256
                for (int[] range : new int[][] {{0, cols}, {256, cols - 256}, {cols - 256, 256}}) {
                    if (range[1] <= 0) {
                        continue;
                    }
                    float[] want = new float[range[1] + 3];
                    float[] got = new float[range[1] + 3];
                    float[] mins = new float[cols / 32 + 1];
                    SimdDecode.decode(k, w, row.length, range[0], range[1], want, 3, mins, 0);
                    Q6_KPacked.decode(p, Q6_KPacked.rowBytes(cols), range[0], range[1], got, 3);
                    int g = 16 * SimdKernels.L;
                    boolean[] seen = new boolean[range[1]];
                    for (int i = 0; i < range[1]; i++) {
                        int at = i / g * g + Q6_KPacked.position(i % g); // decode writes group order
                        assertTrue(!seen[at], "position " + at + " twice");
                        seen[at] = true;
                        assertEquals(Float.floatToRawIntBits(want[3 + i]), Float.floatToRawIntBits(got[3 + at]),
                                mode + " cols " + cols + " from " + range[0] + " element " + i + ": " + got[3 + at] + " vs " + want[3 + i]);
                    }
                    assertEquals(0f, got[0] + got[1] + got[2], "wrote before dOff");
                }
            }
        }
    }

    @Test
    void matmulWithPackedCopyMatchesReferenceAndUnpackedForEveryBatch() {
        PackedMatMulCheck.everyBatch(T, new int[] {256, 1024}, new Random(12));
    }

    /** Every superblock: all 16 scales {@code sc}, all ql and qh bytes {@code q}, extreme d. */
    private static byte[] fill(int cols, byte sc, byte q, Random rnd) {
        byte[] b = new byte[(int) T.bytes(cols)];
        for (int blk = 0; blk < cols / 256; blk++) {
            int o = 210 * blk;
            Arrays.fill(b, o, o + 192, q);
            Arrays.fill(b, o + 192, o + 208, sc);
            TestBlocks.putF16(b, o + 208, switch (rnd.nextInt(3)) {
                case 0 -> 65504f;
                case 1 -> -6.1035156e-5f;
                default -> 0.5f;
            });
        }
        return b;
    }

    private static float[] activations(int cols, Acts a, Random rnd) {
        return Q4_KPackedTest.activations(cols, a, rnd);
    }

    private static float[] constant(int cols, float v) {
        float[] x = new float[cols];
        Arrays.fill(x, v);
        return x;
    }

    private static void check(int cols, byte[] row, float[] xs) {
        PackedMatMulCheck.rowAgainstReference(T, cols, row, xs, "");
    }
}
