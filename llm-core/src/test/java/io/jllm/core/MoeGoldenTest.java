package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance for the mixture-of-experts and latent-attention models: llama.cpp's goldens for
 * mixtral (llama + experts), qwen2moe (shared expert with sigmoid gate), deepseek2-lite (MLA
 * without the query low rank, leading dense layer, shared expert) and deepseek3 (MLA with q
 * low rank, sigmoid gating with selection bias, weight norm and scale, YaRN), by the rule of
 * shared/README.md: every position of the prompt in one batch, then one token at a time over
 * tokens + greedy[0..14], then the greedy continuation up to the first near-tie.
 */
class MoeGoldenTest {
    static List<String> goldens() {
        return List.of("mixtral.q8_0", "mixtral.q4_k_m", "qwen2moe.q8_0", "qwen2moe.q4_k_m", "deepseek3.f16");
    }

    /**
     * Files the default (fast) numerics do not match within tol, although llama.cpp reproduces
     * them within 4e-5 across builds (docs/moe-mla.md, "Known deviations"): the absorbed MLA form
     * lacks the baseline's fp16 rounding of per-head keys and values, and the float summation
     * order of the products differs from ggml's; 27 layers of Q8 re-quantization
     * (deepseek2-lite.q8_0) and a routing near-tie (deepseek3.q4_k_m) turn that into tenths. With
     * {@code -Djllm.numerics=reference} both match to 5e-5 by the full rule
     * ({@link MoeGoldenReferenceNumericsTest}).
     */
    static List<String> chaotic() {
        return List.of("deepseek2-lite.q8_0", "deepseek3.q4_k_m");
    }

    /**
     * What can be asserted on the chaotic files: the typical (median) deviation over all positions
     * stays within 2 × tol in both modes. A wrong block (RoPE, scale, routing, cache) moves
     * the median by whole units.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("chaotic")
    void chaoticFilesStayNearLlamaCpp(String name) throws Exception {
        Golden g = Golden.load(name);
        GoldenLogitsTest.assumeKernels(g);
        double tol = g.tolerance();
        int n = g.tokens().length;
        double[] batch = new double[n];
        double[] step = new double[n + 15];
        try (Model model = Model.load(g.modelPath(), ModelOptions.builder().threads(2).build())) {
            try (Session s = model.session()) {
                float[][] all = s.evaluateAll(g.tokens());
                for (int i = 0; i < n; i++) {
                    batch[i] = deviation(all[i], g.topIds()[i], g.topLogits()[i]);
                }
            }
            try (Session s = model.session()) {
                for (int i = 0; i < n + 15; i++) {
                    float[] l = s.evaluate(i < n ? g.tokens()[i] : g.greedy()[i - n]);
                    step[i] = i < n - 1 ? deviation(l, g.topIds()[i], g.topLogits()[i])
                            : deviation(l, g.greedyTopIds()[i - n + 1], g.greedyTopLogits()[i - n + 1]);
                }
            }
        }
        double mb = median(batch);
        double ms = median(step);
        System.out.printf(Locale.ROOT, "GOLDEN-KNOWN %-22s tol %.2f  median|d| batch %.3f step %.3f  max batch %.3f step %.3f  "
                + "positions over tol %d/%d%n", name, tol, mb, ms, max(batch), max(step), over(step, tol), step.length);
        assertTrue(mb <= 2 * tol && ms <= 2 * tol, name + ": median deviation batch " + mb + ", step " + ms);
    }

    private static double deviation(float[] ours, int[] ids, float[] ref) {
        double m = 0;
        for (int k = 0; k < ids.length; k++) {
            m = Math.max(m, Math.abs(ours[ids[k]] - ref[k]));
        }
        return m;
    }

    private static double median(double[] a) {
        double[] c = a.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static int over(double[] a, double tol) {
        int c = 0;
        for (double v : a) {
            c += v > tol ? 1 : 0;
        }
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void matchesLlamaCpp(String name) throws Exception {
        Golden g = Golden.load(name);
        GoldenLogitsTest.assumeKernels(g);
        check(g, g.modelPath());
    }

    /** The README's comparison of {@code g} against the model at {@code modelPath}; fails beyond tol. */
    static void check(Golden g, java.nio.file.Path modelPath) throws Exception {
        String name = g.name();
        double tol = g.tolerance();
        ModelOptions opts = ModelOptions.builder().threads(2).build();
        double maxBatch = 0;
        double maxStep = 0;
        int greedyChecked = 0;
        try (Model model = Model.load(modelPath, opts)) {
            assertEquals(g.nVocab(), model.config().vocabSize(), "n_vocab");
            try (Session s = model.session()) {
                float[][] all = s.evaluateAll(g.tokens());
                for (int i = 0; i < g.tokens().length; i++) {
                    maxBatch = Math.max(maxBatch, GoldenLogitsTest.compare(name + " batch", i, all[i], g.topIds()[i],
                            g.topLogits()[i], tol));
                }
            }
            try (Session s = model.session()) {
                int n = g.tokens().length;
                boolean tiesSeen = false;
                for (int i = 0; i < n + 15; i++) {
                    int tok = i < n ? g.tokens()[i] : g.greedy()[i - n];
                    float[] l = s.evaluate(tok);
                    if (i < n - 1) {
                        maxStep = Math.max(maxStep, GoldenLogitsTest.compare(name + " one-at-a-time", i, l,
                                g.topIds()[i], g.topLogits()[i], tol));
                    } else {
                        int k = i - (n - 1);
                        maxStep = Math.max(maxStep, GoldenLogitsTest.compare(name + " one-at-a-time greedy step", k, l,
                                g.greedyTopIds()[k], g.greedyTopLogits()[k], tol));
                        tiesSeen |= g.greedyGap()[k] < 2 * tol;
                        if (!tiesSeen) {
                            assertEquals(g.greedy()[k], GoldenLogitsTest.argmax(l), name + ": greedy token " + k);
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
