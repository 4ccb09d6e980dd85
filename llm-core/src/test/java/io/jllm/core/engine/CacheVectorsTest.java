package io.jllm.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.core.ops.F32;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The vectorised cache loops against plain scalar arithmetic, halves of every kind included. */
class CacheVectorsTest {
    @Test
    void halvesWidenExactlyAndLoopsMatchScalar() {
        Assumptions.assumeTrue(KvCache.SIMD, "SIMD path off on this JVM");
        Random r = new Random(3);
        try (Arena a = Arena.ofConfined()) {
            for (int n : new int[] {4, 32, 45, 64, 128}) {
                MemorySegment q = a.allocate(4L * n);
                MemorySegment k = a.allocate(2L * n);
                MemorySegment out = a.allocate(4L * n);
                MemorySegment ref = a.allocate(4L * n);
                double want = 0;
                for (int d = 0; d < n; d++) {
                    short h = switch (d % 5) {
                        case 0 -> (short) r.nextInt(0x400); // subnormal
                        case 1 -> (short) (0x8000 | r.nextInt(0x7c00)); // negative
                        default -> (short) r.nextInt(0x7c00);
                    };
                    k.set(F32.LE16, 2L * d, h);
                    float qv = (float) r.nextGaussian();
                    F32.set(q, d, qv);
                    want += (double) qv * Float.float16ToFloat(h);
                    F32.set(out, d, d);
                    F32.set(ref, d, d + 0.5f * Float.float16ToFloat(h));
                }
                float got = CacheVectors.dot(q, 0, k, 0, n, true);
                assertEquals(want, got, 1e-5 * Math.max(1, Math.abs(want)) * n, "dot n=" + n);
                MemorySegment wide = a.allocate(4L * n);
                CacheVectors.widen(k, 0, wide, 0, n);
                for (int d = 0; d < n; d++) {
                    assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(k.get(F32.LE16, 2L * d))),
                            Float.floatToRawIntBits(F32.get(wide, d)), "widen n=" + n + " d=" + d);
                }
                assertEquals(got, CacheVectors.dot(q, 0, wide, 0, n, false), "dot of the widened row, n=" + n);
                CacheVectors.axpy(0.5f, k, 0, out, 0, n, true);
                for (int d = 0; d < n; d++) {
                    assertEquals(F32.get(ref, d), F32.get(out, d), "axpy n=" + n + " d=" + d);
                }
            }
        }
    }

    @Test
    void dotSumsLanesPairwiseTheSameColdAndCompiled() {
        Assumptions.assumeTrue(KvCache.SIMD, "SIMD path off on this JVM");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        int n = 3 * lanes;
        Random r = new Random(11);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment q = a.allocate(4L * n);
            MemorySegment k = a.allocate(4L * n);
            for (int rep = 0; rep < 20_000; rep++) {
                float[] acc = new float[lanes];
                for (int d = 0; d < n; d++) {
                    float qv = (float) (Math.exp(r.nextGaussian() * 3) * (r.nextBoolean() ? 1 : -1));
                    float kv = (float) r.nextGaussian();
                    F32.set(q, d, qv);
                    F32.set(k, d, kv);
                    acc[d % lanes] = Math.fma(qv, kv, acc[d % lanes]);
                }
                for (int w = lanes / 2; w >= 1; w /= 2) {
                    for (int i = 0; i < w; i++) {
                        acc[i] += acc[i + w];
                    }
                }
                assertEquals(acc[0], CacheVectors.dot(q, 0, k, 0, n, false), "repetition " + rep);
            }
        }
    }
}
