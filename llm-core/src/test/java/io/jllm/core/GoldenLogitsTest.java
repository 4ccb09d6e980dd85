package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.quant.kernel.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance: logits and greedy continuations against llama.cpp's goldens, by the comparison
 * rule of shared/README.md — the whole prompt in one batch, then one token at a time over
 * tokens + greedy[0..14], then the greedy continuation up to the first near-tie.
 */
class GoldenLogitsTest {
    static List<String> goldens() {
        List<String> l = new ArrayList<>();
        for (String t : new String[] {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k",
                "q3_k_s", "q4_k_s", "q5_k_s", "q6_k", "iq4_nl", "iq4_xs", "q3_k_m", "q4_k_m", "q5_k_m"}) {
            l.add("llama-gqa." + t);
        }
        l.addAll(List.of("llama-mha-tied.f32", "llama-mha-tied.q8_0", "llama-mha-tied.q4_0",
                "llama3-rope.f32", "llama3-rope.q8_0", "llama3-rope.q4_0",
                "qwen2.f32", "qwen2.q8_0", "qwen2.q4_0", "gpt2.q8_0", "stories260K.f32",
                "kjv-5m.f32", "kjv-5m.q8_0"));
        return l;
    }

    static void assumeKernels(Golden g) throws Exception {
        try (GgufFile f = GgufFile.open(g.modelPath())) {
            for (GgufTensor t : f.tensors()) {
                if (t.nDims() >= 2 && !Kernels.supports(t.type())) {
                    Assumptions.abort("NOT YET: " + g.name() + " needs a " + t.type() + " kernel (tensor " + t.name() + ")");
                }
            }
        }
    }

    /** Max |ours − ref| over the 10 reference ids; fails with the position if above tol. */
    static double compare(String what, int pos, float[] ours, int[] ids, float[] ref, double tol) {
        double max = 0;
        for (int k = 0; k < ids.length; k++) {
            double d = Math.abs(ours[ids[k]] - ref[k]);
            max = Math.max(max, d);
            if (!(d <= tol)) {
                throw new AssertionError(String.format(Locale.ROOT, "%s: position %d, token %d: ours %.5f, llama.cpp %.5f (|d| %.5f > %.3f)",
                        what, pos, ids[k], ours[ids[k]], ref[k], d, tol));
            }
        }
        return max;
    }

    static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void matchesLlamaCpp(String name) throws Exception {
        Golden g = Golden.load(name);
        assumeKernels(g);
        double tol = g.tolerance();
        ModelOptions opts = ModelOptions.builder().threads(2).build();
        double maxBatch = 0;
        double maxStep = 0;
        int greedyChecked = 0;
        try (Model model = Model.load(g.modelPath(), opts)) {
            assertEquals(g.nVocab(), model.config().vocabSize(), "n_vocab");
            try (Session s = model.session()) {
                assertArrayEquals(g.tokens(), s.tokenize(g.prompt()), name + ": tokenization of the prompt");
            }
            try (Session s = model.session()) {
                float[][] all = s.evaluateAll(g.tokens());
                for (int i = 0; i < g.tokens().length; i++) {
                    maxBatch = Math.max(maxBatch, compare(name + " batch", i, all[i], g.topIds()[i], g.topLogits()[i], tol));
                }
            }
            try (Session s = model.session()) {
                int n = g.tokens().length;
                boolean tiesSeen = false;
                for (int i = 0; i < n + 15; i++) {
                    int tok = i < n ? g.tokens()[i] : g.greedy()[i - n];
                    float[] l = s.evaluate(tok);
                    if (i < n - 1) {
                        maxStep = Math.max(maxStep, compare(name + " one-at-a-time", i, l, g.topIds()[i], g.topLogits()[i], tol));
                    } else {
                        int k = i - (n - 1);
                        maxStep = Math.max(maxStep, compare(name + " one-at-a-time greedy step", k, l, g.greedyTopIds()[k],
                                g.greedyTopLogits()[k], tol));
                        tiesSeen |= g.greedyGap()[k] < 2 * tol;
                        if (!tiesSeen) {
                            assertEquals(g.greedy()[k], argmax(l), name + ": greedy token " + k);
                            greedyChecked++;
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "GOLDEN %-22s tol %.2f  max|d| batch %.5f  one-at-a-time %.5f  greedy %d/16 checked%n",
                name, tol, maxBatch, maxStep, greedyChecked);
        assertTrue(maxBatch <= tol && maxStep <= tol);
    }
}
