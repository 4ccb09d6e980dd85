package io.jllm.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.core.arch.RopeKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class OpsTest {
    @Test
    void geluFollowsGgmlTable() {
        assertEquals(0f, Activations.gelu(-10f));
        assertEquals(12.5f, Activations.gelu(12.5f));
        // inside (−10, 10): fp16(gelu(fp16(x)))
        float x = 0.123456f;
        float h = Fp16.round(x);
        float expect = Fp16.round((float) (0.5 * h * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * h * (1 + 0.044715 * h * h)))));
        assertEquals(expect, Activations.gelu(x), 1e-3f * Math.abs(expect));
        assertEquals(Fp16.round(Activations.gelu(x)), Activations.gelu(x));
    }

    @Test
    void ropeRotatesNormAndNeoxPairs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cache = a.allocate(4 * 4);
            MemorySegment x = a.allocate(4 * 4);
            for (RopeKind kind : new RopeKind[] {RopeKind.NORM, RopeKind.NEOX}) {
                Rope r = new Rope(kind, 4, 10000f, 1f, 0f, 1f, 256, 32f, 1f, null);
                r.cache(3, cache, 0);
                for (int i = 0; i < 4; i++) {
                    F32.set(x, i, i + 1);
                }
                r.apply(x, 0, 1, 4, cache, 0);
                double t0 = 3;
                double t1 = 3 * Math.pow(10000, -0.5);
                int[][] pairs = kind == RopeKind.NORM ? new int[][] {{0, 1}, {2, 3}} : new int[][] {{0, 2}, {1, 3}};
                double[] th = {t0, t1};
                for (int p = 0; p < 2; p++) {
                    double a0 = pairs[p][0] + 1;
                    double a1 = pairs[p][1] + 1;
                    assertEquals(a0 * Math.cos(th[p]) - a1 * Math.sin(th[p]), F32.get(x, pairs[p][0]), 1e-5, kind + " pair " + p);
                    assertEquals(a0 * Math.sin(th[p]) + a1 * Math.cos(th[p]), F32.get(x, pairs[p][1]), 1e-5, kind + " pair " + p);
                }
            }
        }
    }

    @Test
    void ropeFreqFactorsAndLinearScalingDivideTheta() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c1 = a.allocate(4 * 4);
            MemorySegment c2 = a.allocate(4 * 4);
            new Rope(RopeKind.NORM, 4, 10000f, 1f, 0f, 1f, 256, 32f, 1f, new float[] {2f, 4f}).cache(10, c1, 0);
            new Rope(RopeKind.NORM, 4, 10000f, 0.5f, 0f, 1f, 256, 32f, 1f, null).cache(10, c2, 0);
            assertEquals((float) Math.cos(5.0), F32.get(c1, 0), 1e-6f);
            assertEquals((float) Math.cos(5.0), F32.get(c2, 0), 1e-6f);
            assertEquals((float) Math.cos(10 * 0.01 / 4), F32.get(c1, 2), 1e-6f);
        }
    }

    @Test
    void yarnKeepsHighFrequenciesAndScalesMagnitude() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(8 * 4);
            float fs = 0.25f;
            new Rope(RopeKind.NORM, 8, 10000f, fs, 1f, 1f, 64, 32f, 1f, null).cache(7, c, 0);
            float mscale = 1f + 0.1f * (float) Math.log(1 / fs);
            // pair 0 is below the low correction dim: pure extrapolation (theta unscaled)
            assertEquals((float) Math.cos(7.0) * mscale, F32.get(c, 0), 1e-5f);
            double norm = Math.hypot(F32.get(c, 6), F32.get(c, 7));
            assertEquals(mscale, norm, 1e-5);
        }
    }

    @Test
    void rmsNormSumsInDouble() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment x = a.allocate(4 * 3);
            MemorySegment y = a.allocate(4 * 3);
            F32.set(x, 0, 1f);
            F32.set(x, 1, 2f);
            F32.set(x, 2, 3f);
            Norms.rms(x, 0, 3, 0f, new float[] {1f, 1f, 2f}, y, 0);
            float s = 1f / (float) Math.sqrt(14f / 3f);
            assertEquals(1f * s, F32.get(y, 0));
            assertEquals(3f * s * 2f, F32.get(y, 2));
            Norms.layer(x, 0, 3, 0f, new float[] {1f, 1f, 1f}, new float[] {0f, 0f, 1f}, y, 0);
            float ls = 1f / (float) Math.sqrt(2f / 3f);
            assertEquals(-ls, F32.get(y, 0), 1e-6f);
            assertEquals(ls + 1f, F32.get(y, 2), 1e-6f);
        }
    }
}
