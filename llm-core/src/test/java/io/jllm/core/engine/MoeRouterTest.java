package io.jllm.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.core.MoeConfig;
import io.jllm.core.arch.MoeTraits;
import org.junit.jupiter.api.Test;

/** Expert selection: gating, selection bias, ties, groups, renormalisation and scale. */
class MoeRouterTest {
    private static MoeConfig cfg(int n, int k, MoeConfig.Gating g, boolean norm, float scale, int groups, int used) {
        return new MoeConfig(n, k, 16, MoeTraits.SharedExpert.NONE, 0, 0, g, norm, scale, groups, used);
    }

    @Test
    void tiesKeepTheLowerIndexAsGgmlArgsort() {
        int[] idx = new int[5];
        MoeRouter.topK(new float[] {1, 3, 3, 0, 3}, 0, 5, idx, 3);
        assertArrayEquals(new int[] {1, 2, 4}, java.util.Arrays.copyOf(idx, 3));
    }

    @Test
    void exchangeSortQuirkMatchesGgml() {
        // ggml's exchange sort is not stable: position 0 swaps to index 1 (2 > 1), then to 3 (5 > 2);
        // index 1 travels to position 3 and index 0 ends up after it among equal values.
        int[] idx = new int[4];
        MoeRouter.topK(new float[] {1, 2, 1, 5}, 0, 4, idx, 4);
        assertArrayEquals(new int[] {3, 1, 2, 0}, idx);
    }

    @Test
    void softmaxTopKRenormalised() {
        MoeRouter r = new MoeRouter(cfg(4, 2, MoeConfig.Gating.SOFTMAX, true, 1f, 0, 0));
        int[] e = new int[2];
        float[] w = new float[2];
        r.route(new float[] {0f, 2f, 1f, -1f}, 0, null, e, w, 0);
        assertArrayEquals(new int[] {1, 2}, e);
        double a = Math.exp(2);
        double b = Math.exp(1);
        assertEquals(a / (a + b), w[0], 1e-6);
        assertEquals(b / (a + b), w[1], 1e-6);
    }

    @Test
    void softmaxWithoutRenormalisation() {
        MoeRouter r = new MoeRouter(cfg(4, 2, MoeConfig.Gating.SOFTMAX, false, 1f, 0, 0));
        int[] e = new int[2];
        float[] w = new float[2];
        r.route(new float[] {0f, 2f, 1f, -1f}, 0, null, e, w, 0);
        double z = Math.exp(0) + Math.exp(2) + Math.exp(1) + Math.exp(-1);
        assertEquals(Math.exp(2) / z, w[0], 1e-6);
        assertEquals(Math.exp(1) / z, w[1], 1e-6);
    }

    @Test
    void sigmoidBiasChoosesButDoesNotWeigh() {
        MoeRouter r = new MoeRouter(cfg(4, 2, MoeConfig.Gating.SIGMOID, true, 2.5f, 0, 0));
        int[] e = new int[2];
        float[] w = new float[2];
        // expert 3 has the lowest logit but a large bias: chosen, weighted by its unbiased sigmoid
        r.route(new float[] {1f, 0.5f, 0f, -1f}, 0, new float[] {0f, 0f, 0f, 2f}, e, w, 0);
        assertArrayEquals(new int[] {3, 0}, e);
        double s3 = 1 / (1 + Math.exp(1));
        double s0 = 1 / (1 + Math.exp(-1));
        assertEquals(2.5 * s3 / (s3 + s0), w[0], 1e-6);
        assertEquals(2.5 * s0 / (s3 + s0), w[1], 1e-6);
    }

    @Test
    void groupsKeepOnlyTheBestGroups() {
        // 8 experts in 4 groups of 2; group scores (sum of both): g0 0.3, g1 1.1, g2 1.0, g3 0.2.
        // Without groups the top-2 would be experts 1 and 6 (0.9 each is not present: see values).
        MoeRouter r = new MoeRouter(cfg(8, 2, MoeConfig.Gating.SIGMOID, false, 1f, 4, 1));
        float[] logits = new float[8];
        float[] sel = {0.2f, 0.1f, 0.6f, 0.5f, 0.05f, 0.95f, 0.1f, 0.1f};
        float[] bias = new float[8];
        for (int i = 0; i < 8; i++) {
            bias[i] = sel[i] - 0.5f; // sigmoid(0) = 0.5, so selection score = sel[i]
        }
        int[] e = new int[2];
        float[] w = new float[2];
        r.route(logits, 0, bias, e, w, 0);
        // group 1 (experts 2, 3: 1.1) beats group 2 (experts 4, 5: 1.0) though expert 5 is the single best
        assertArrayEquals(new int[] {2, 3}, e);
        assertEquals(0.5f, w[0]);
    }
}
