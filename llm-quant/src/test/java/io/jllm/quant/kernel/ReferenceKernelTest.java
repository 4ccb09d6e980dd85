package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The scalar reference kernels against independent straightforward computations. */
class ReferenceKernelTest {
    static final int N = 512;

    @Test
    void everyTargetTypeIsRegistered() {
        for (GgmlType t : TestBlocks.ALL_TYPES) {
            assertTrue(Kernels.supports(t), t.toString());
            assertEquals(t, Kernels.forType(t).type());
        }
        assertThrows(UnsupportedOperationException.class, () -> Kernels.forType(GgmlType.IQ2_XXS));
    }

    @Test
    void decodeBlockEqualsGgmlDequantBitForBit() {
        Random rnd = new Random(1);
        for (GgmlType t : TestBlocks.BLOCK_TYPES) {
            BlockKernel k = (BlockKernel) Kernels.forType(t);
            for (Mode mode : Mode.values()) {
                for (int rep = 0; rep < 5; rep++) {
                    byte[] row = TestBlocks.row(t, N, mode, rnd);
                    float[] want = TestBlocks.dequant(t, row, N);
                    MemorySegment s = MemorySegment.ofArray(row);
                    float[] got = new float[N];
                    for (int b = 0; b < N / t.blockSize(); b++) {
                        long wo = (long) b * t.typeSize();
                        k.decodeBlock(s, wo, got, b * t.blockSize());
                        if (k.hasMin()) {
                            float m = k.blockMin(s, wo);
                            for (int e = 0; e < t.blockSize(); e++) {
                                got[b * t.blockSize() + e] += m;
                            }
                        }
                    }
                    for (int i = 0; i < N; i++) {
                        assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                                t + " " + mode + " element " + i + ": " + want[i] + " vs " + got[i]);
                    }
                }
            }
        }
    }

    @Test
    void q8ActivationsRoundHalfToEvenLikeAvx() {
        float[] x = new float[32];
        x[0] = 127f; // amax 127: id = 1, d = 1
        x[1] = 2.5f;
        x[2] = -3.5f;
        x[3] = 0.5f;
        x[4] = 1.5f;
        x[5] = -0.5f;
        x[6] = 126.5f;
        MemorySegment dst = MemorySegment.ofArray(new byte[34]);
        Kernels.forType(GgmlType.Q4_0).convertActivations(TestBlocks.seg(x), 0, 32, dst, 0);
        int[] want = {127, 2, -4, 0, 2, 0, 126};
        for (int j = 0; j < want.length; j++) {
            assertEquals(want[j], Mem.i8(dst, 2 + j), "element " + j);
        }
        assertEquals(1f, Mem.f16(dst, 0));
    }

    @Test
    void activationBytesMatchIndependentQuantizer() {
        Random rnd = new Random(2);
        GgmlType[] weightFor = {GgmlType.Q8_0, GgmlType.Q4_1, GgmlType.Q4_K};
        for (GgmlType wt : weightFor) {
            WeightKernel k = Kernels.forType(wt);
            GgmlType act = k.activationType();
            for (Mode mode : Mode.values()) {
                float[] x = TestBlocks.activations(N, mode, rnd);
                MemorySegment dst = MemorySegment.ofArray(new byte[(int) k.activationBytes(N)]);
                k.convertActivations(TestBlocks.seg(x), 0, N, dst, 0);
                RefActivations.Block[] want = RefActivations.quantize(act, x);
                for (int b = 0; b < want.length; b++) {
                    long o = (long) b * act.typeSize();
                    String where = act + " " + mode + " block " + b;
                    if (act == GgmlType.Q8_K) {
                        assertEquals(want[b].d(), Mem.f32(dst, o), where);
                        for (int j = 0; j < 256; j++) {
                            assertEquals(want[b].q()[j], Mem.i8(dst, o + 4 + j), where + " q" + j);
                        }
                        for (int g = 0; g < 16; g++) {
                            int s = 0;
                            for (int j = 0; j < 16; j++) {
                                s += want[b].q()[16 * g + j];
                            }
                            assertEquals(s, Mem.i16(dst, o + 260 + 2 * g), where + " bsum" + g);
                        }
                    } else {
                        int qs = act == GgmlType.Q8_1 ? 4 : 2;
                        assertEquals(want[b].d(), Mem.f16(dst, o), where);
                        if (act == GgmlType.Q8_1) {
                            assertEquals(want[b].s(), Mem.f16(dst, o + 2), where + " s");
                        }
                        for (int j = 0; j < 32; j++) {
                            assertEquals(want[b].q()[j], Mem.i8(dst, o + qs + j), where + " q" + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bf16RoundingIsNearestEvenWithQuietNan() {
        assertEquals((short) 0x3F80, Mem.floatToBf16(Float.intBitsToFloat(0x3F808000))); // tie, even below
        assertEquals((short) 0x3F82, Mem.floatToBf16(Float.intBitsToFloat(0x3F818000))); // tie, odd below
        assertEquals((short) 0x3F81, Mem.floatToBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x7FC1, Mem.floatToBf16(Float.intBitsToFloat(0x7F810000))); // sNaN quieted
        assertEquals((short) 0x7F80, Mem.floatToBf16(Float.POSITIVE_INFINITY));
    }

    /** Independent bf16 rounding: the nearer of the two neighbouring bf16 values, ties to even. */
    static float bf16Round(float f) {
        int u = Float.floatToIntBits(f);
        float lo = Float.intBitsToFloat(u & 0xFFFF0000);
        float hi = Float.intBitsToFloat((u & 0xFFFF0000) + 0x10000);
        double dl = Math.abs((double) f - lo);
        double dh = Math.abs((double) hi - f);
        if (dl < dh) {
            return lo;
        }
        if (dh < dl) {
            return hi;
        }
        return ((u >>> 16) & 1) == 0 ? lo : hi;
    }

    static float[] expectedActivations(GgmlType t, float[] x) {
        return switch (t) {
            case F32 -> x.clone();
            case F16 -> {
                float[] v = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    v[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
                }
                yield v;
            }
            case BF16 -> {
                float[] v = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    v[i] = bf16Round(x[i]);
                }
                yield v;
            }
            default -> RefActivations.values(Kernels.forType(t).activationType(), x);
        };
    }

    /** |w|+2|min part|: a bound on the magnitude of the terms the kernel sums for element i. */
    static float[] magnitudes(GgmlType t, byte[] row, float[] w) {
        float[] m = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            int blk = i / t.blockSize();
            int e = i % t.blockSize();
            byte[] b = Arrays.copyOfRange(row, blk * t.typeSize(), (blk + 1) * t.typeSize());
            float min = switch (t) {
                case Q4_1, Q5_1 -> RefDequant.h(b, 2);
                case Q2_K -> RefDequant.h(b, 82) * (RefDequant.u8(b, e / 16) >> 4);
                case Q4_K, Q5_K -> RefDequant.h(b, 2) * RefDequant.k4(b, 4, e / 32)[1];
                default -> 0f;
            };
            m[i] = Math.abs(w[i]) + 2 * Math.abs(min);
        }
        return m;
    }

    /** Tolerance of a kernel dot against the exact dot of the same (dequantized) numbers. */
    static double tolerance(GgmlType t, byte[] row, float[] w, float[] a) {
        return tolerance(t, magnitudes(t, row, w), a);
    }

    static double tolerance(GgmlType t, float[] mag, float[] a) {
        double base = 0;
        for (int i = 0; i < mag.length; i++) {
            base += (double) mag[i] * Math.abs(a[i]);
        }
        double tol = 2e-6 * base;
        if (t == GgmlType.Q4_1 || t == GgmlType.Q5_1) {
            tol += 1e-3 * base; // ggml rounds s = d·Σq to fp16
        }
        return tol + 1e-30;
    }

    @Test
    void dotMatchesExactDotOfDequantizedValues() {
        Random rnd = new Random(3);
        for (GgmlType t : TestBlocks.ALL_TYPES) {
            WeightKernel k = Kernels.forType(t);
            for (Mode wm : Mode.values()) {
                for (Mode am : Mode.values()) {
                    for (int rep = 0; rep < 3; rep++) {
                        byte[] row = TestBlocks.row(t, N, wm, rnd);
                        float[] x = TestBlocks.activations(N, am, rnd);
                        MemorySegment a = MemorySegment.ofArray(new byte[(int) k.activationBytes(N)]);
                        k.convertActivations(TestBlocks.seg(x), 0, N, a, 0);
                        float got = k.dot(MemorySegment.ofArray(row), 0, a, 0, N);
                        float[] w = TestBlocks.dequant(t, row, N);
                        float[] av = expectedActivations(t, x);
                        double want = 0;
                        for (int i = 0; i < N; i++) {
                            want += (double) w[i] * av[i];
                        }
                        double tol = tolerance(t, row, w, av);
                        assertTrue(Math.abs(got - want) <= tol,
                                t + " w=" + wm + " x=" + am + ": got " + got + " want " + want + " tol " + tol);
                    }
                }
            }
        }
    }

    @Test
    void rowLengthMustBeWholeBlocks() {
        WeightKernel k = Kernels.forType(GgmlType.Q4_K);
        MemorySegment s = MemorySegment.ofArray(new byte[4096]);
        assertThrows(IllegalArgumentException.class, () -> k.dot(s, 0, s, 0, 100));
    }
}
