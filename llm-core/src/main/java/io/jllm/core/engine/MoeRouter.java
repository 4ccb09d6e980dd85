package io.jllm.core.engine;

import io.jllm.core.MoeConfig;
import org.jspecify.annotations.Nullable;

/**
 * Expert selection for one token, as llama.cpp's {@code llm_build_moe_ffn} computes it
 * (reference sections 6 and 10): softmax or sigmoid of the router logits; optional selection
 * bias (used for choosing only); optional group-limited routing; top-k by ggml's argsort; the
 * unbiased probabilities of the chosen experts as weights, optionally renormalised and scaled.
 * Holds its scratch arrays, so routing allocates nothing; one instance per session.
 */
final class MoeRouter {
    /** Newer llama.cpp clamps the weight sum to this before dividing. */
    static final float MIN_WEIGHT_SUM = 6.103515625e-5f;

    private final MoeConfig cfg;
    private final float[] probs;
    private final float[] selection;
    private final int[] order;
    private final float[] groupScore;
    private final int[] groupOrder;
    private final int[] inGroup;

    MoeRouter(MoeConfig cfg) {
        this.cfg = cfg;
        int n = cfg.experts();
        this.probs = new float[n];
        this.selection = new float[n];
        this.order = new int[n];
        int g = Math.max(1, cfg.groups());
        this.groupScore = new float[g];
        this.groupOrder = new int[g];
        this.inGroup = new int[n / g];
    }

    /**
     * Routes one token: reads {@code n_expert} logits from {@code logits[lo..]}, writes the chosen
     * experts (best first) to {@code experts[eo..eo+k)} and their weights to {@code weights[eo..]}.
     */
    void route(float[] logits, int lo, float @Nullable [] bias, int[] experts, float[] weights, int eo) {
        int n = cfg.experts();
        int k = cfg.expertsUsed();
        if (cfg.gating() == MoeConfig.Gating.SOFTMAX) {
            softmax(logits, lo, probs, n);
        } else {
            for (int i = 0; i < n; i++) {
                probs[i] = 1.0f / (1.0f + (float) Math.exp(-logits[lo + i]));
            }
        }
        for (int i = 0; i < n; i++) {
            selection[i] = bias == null ? probs[i] : probs[i] + bias[i];
        }
        if (cfg.groups() > 1) {
            maskGroups();
        }
        topK(selection, 0, n, order, k);
        for (int s = 0; s < k; s++) {
            experts[eo + s] = order[s];
            weights[eo + s] = probs[order[s]];
        }
        if (cfg.normWeights()) {
            double sum = 0;
            for (int s = 0; s < k; s++) {
                sum += weights[eo + s];
            }
            float sf = Math.max((float) sum, MIN_WEIGHT_SUM);
            for (int s = 0; s < k; s++) {
                weights[eo + s] = weights[eo + s] / sf;
            }
        }
        if (cfg.weightsScale() != 1.0f) {
            for (int s = 0; s < k; s++) {
                weights[eo + s] = weights[eo + s] * cfg.weightsScale();
            }
        }
    }

    /** ggml's soft_max: exp(x − max) in float, summed in double, times (float)(1/sum). */
    static void softmax(float[] x, int xo, float[] y, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[xo + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = (float) Math.exp(x[xo + i] - max);
            y[i] = v;
            sum += v;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            y[i] *= inv;
        }
    }

    /**
     * The first {@code k} entries of ggml's descending argsort of {@code v[vo .. vo+n)} into
     * {@code idx}: an exchange sort that swaps only when strictly smaller, so its first k
     * positions are final after k outer passes (ties mostly keep the lower index, exactly as ggml).
     */
    static void topK(float[] v, int vo, int n, int[] idx, int k) {
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int j = 0; j < k; j++) {
            for (int m = j + 1; m < n; m++) {
                if (v[vo + idx[j]] < v[vo + idx[m]]) {
                    int t = idx[j];
                    idx[j] = idx[m];
                    idx[m] = t;
                }
            }
        }
    }

    /**
     * Group-limited routing (section 10): score each group by the sum of its two best selection
     * scores, keep the best {@code expert_group_used_count} groups, set every other score to −∞.
     */
    private void maskGroups() {
        int g = cfg.groups();
        int per = cfg.experts() / g;
        for (int q = 0; q < g; q++) {
            topK(selection, q * per, per, inGroup, 2);
            groupScore[q] = (float) ((double) selection[q * per + inGroup[0]] + selection[q * per + inGroup[1]]);
        }
        topK(groupScore, 0, g, groupOrder, cfg.groupsUsed());
        for (int q = 0; q < g; q++) {
            boolean kept = false;
            for (int s = 0; s < cfg.groupsUsed(); s++) {
                kept |= groupOrder[s] == q;
            }
            if (!kept) {
                for (int i = 0; i < per; i++) {
                    selection[q * per + i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
