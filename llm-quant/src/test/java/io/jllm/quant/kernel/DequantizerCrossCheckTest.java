package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.Dequantizer;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks with the quant helper's {@link Dequantizer} (an independent implementation of
 * ggml's {@code to_float}): the kernels' weight decoding is bit-identical to it, the converted
 * activations dequantize to exactly the values the SIMD path uses, and each reference dot is
 * close to the exact dot of the two dequantized vectors.
 */
class DequantizerCrossCheckTest {
    static final int N = 1024;

    @Test
    void weightDecodeIsBitIdenticalToDequantizer() {
        Random rnd = new Random(11);
        for (GgmlType t : TestBlocks.ALL_TYPES) {
            WeightKernel k = Kernels.forType(t);
            for (Mode mode : Mode.values()) {
                byte[] row = TestBlocks.row(t, N, mode, rnd);
                MemorySegment s = MemorySegment.ofArray(row);
                float[] want = new float[N];
                Dequantizer.dequantize(t, s, 0, N, want, 0);
                float[] got = new float[N];
                float[] mins = new float[N / 32];
                if (k instanceof BlockKernel bk) {
                    for (int b = 0; b < N / bk.blockSize; b++) {
                        bk.decodeBlock(s, (long) b * bk.blockBytes, got, b * bk.blockSize);
                        if (bk.hasMin()) {
                            float m = bk.blockMin(s, (long) b * bk.blockBytes);
                            for (int e = 0; e < bk.blockSize; e++) {
                                got[b * bk.blockSize + e] += m;
                            }
                        }
                    }
                } else if (VectorSupport.ENABLED) {
                    SimdDecode.decode(k, s, 0, 0, N, got, 0, mins, 0);
                } else {
                    continue;
                }
                for (int i = 0; i < N; i++) {
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                            t + " " + mode + " element " + i);
                }
            }
        }
    }

    @Test
    void convertedActivationsDequantizeToTheSimdPathsValues() {
        Random rnd = new Random(12);
        for (GgmlType wt : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q4_K}) {
            WeightKernel k = Kernels.forType(wt);
            GgmlType act = k.activationType();
            for (Mode mode : Mode.values()) {
                float[] x = TestBlocks.activations(N, mode, rnd);
                MemorySegment xs = TestBlocks.seg(x);
                MemorySegment q = MemorySegment.ofArray(new byte[(int) k.activationBytes(N)]);
                k.convertActivations(xs, 0, N, q, 0);
                float[] want = new float[N];
                Dequantizer.dequantize(act, q, 0, N, want, 0);
                MemorySegment f = MemorySegment.ofArray(new byte[4 * N]);
                if (act == GgmlType.Q8_K) {
                    ActivationQuant.toQ8_KFloats(xs, 0, N, f, 0);
                } else {
                    ActivationQuant.toQ8_0Floats(xs, 0, N, f, 0, null, 0);
                }
                for (int i = 0; i < N; i++) {
                    assertEquals(want[i], Mem.f32(f, 4L * i), act + " " + mode + " element " + i);
                }
            }
        }
    }

    @Test
    void referenceDotIsCloseToDotOfDequantizedVectors() {
        Random rnd = new Random(13);
        for (GgmlType t : TestBlocks.ALL_TYPES) {
            WeightKernel k = Kernels.forType(t);
            for (int rep = 0; rep < 8; rep++) {
                byte[] row = TestBlocks.row(t, N, rep % 4 == 3 ? Mode.EXTREME_SCALE : Mode.RANDOM, rnd);
                float[] x = TestBlocks.activations(N, Mode.RANDOM, rnd);
                MemorySegment a = MemorySegment.ofArray(new byte[(int) k.activationBytes(N)]);
                k.convertActivations(TestBlocks.seg(x), 0, N, a, 0);
                float[] w = new float[N];
                Dequantizer.dequantize(t, MemorySegment.ofArray(row), 0, N, w, 0);
                float[] av = new float[N];
                Dequantizer.dequantize(k.activationType(), a, 0, N, av, 0);
                double exact = 0;
                for (int i = 0; i < N; i++) {
                    exact += (double) w[i] * av[i];
                }
                float got = k.dot(MemorySegment.ofArray(row), 0, a, 0, N);
                double tol = ReferenceKernelTest.tolerance(t, row, w, av);
                assertTrue(Math.abs(got - exact) <= tol, t + ": " + got + " vs " + exact + " tol " + tol);
            }
        }
    }
}
