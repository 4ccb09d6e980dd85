package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Session behaviour: generation paths, cache reuse, concurrency, cancellation, limits. */
class SessionTest {
    private static Model load(String name, ModelOptions o) throws Exception {
        return Model.load(TestData.model(name), o);
    }

    @Test
    void greedyGenerateMatchesGolden() throws Exception {
        Golden g = Golden.load("llama-gqa.f32");
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(2).build()); Session s = m.session()) {
            GenerationResult r = s.generate(g.tokens(), GenerateOptions.builder().temperature(0).maxTokens(16)
                    .ignoreEos(true).logprobs(true).build(), null);
            assertArrayEquals(g.greedy(), r.tokens());
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(16, r.logprobs().length);
            for (float lp : r.logprobs()) {
                assertTrue(lp <= 0 && lp > -50, "logprob " + lp);
            }
            assertEquals(g.tokens().length + 15, s.position());
        }
    }

    @Test
    void demoModelContinuesTheVerseAsLlamaCpp() throws Exception {
        try (Model m = Model.load(TestData.path("demo", "kjv-5m.q8_0.gguf"), ModelOptions.builder().threads(2).build());
             Session s = m.session()) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult r = s.generate("Genesis 1:1 In the beginning God created the heaven and the earth.",
                    GenerateOptions.greedy(16), e -> streamed.append(e.text()));
            // llama.cpp, greedy: newline, BOS (a control token: no text), "Genesis 4:2 And the LORD said unto him, ..."
            assertTrue(r.text().startsWith("\nGenesis 4:2 And the LORD said unto him"), r.text());
            assertEquals(r.text(), streamed.toString());
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertArrayEquals(Golden.load("kjv-5m.q8_0").greedy(), r.tokens());
        }
    }

    @Test
    void stopStringCutsTextAndIsNotStreamed() throws Exception {
        try (Model m = Model.load(TestData.path("demo", "kjv-5m.q8_0.gguf"), ModelOptions.builder().threads(1).build());
             Session s = m.session()) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult r = s.generate("Genesis 1:1 In the beginning God created the heaven and the earth.",
                    GenerateOptions.builder().temperature(0).maxTokens(40).stopStrings(List.of("LORD")).build(),
                    e -> streamed.append(e.text()));
            assertEquals(StopReason.STOP_STRING, r.stopReason());
            assertEquals("\nGenesis 4:2 And the ", r.text());
            assertEquals(r.text(), streamed.toString());
        }
    }

    @Test
    void multiTurnTextPromptsReuseThePrefix() throws Exception {
        try (Model m = Model.load(TestData.path("demo", "kjv-5m.q8_0.gguf"), ModelOptions.builder().threads(1).build());
             Session s = m.session()) {
            String turn1 = "Genesis 1:1 In the beginning God created the heaven and the earth.";
            GenerationResult a = s.generate(turn1, GenerateOptions.greedy(8));
            int cached = s.position();
            String turn2 = turn1 + a.text() + " And God said";
            GenerationResult b = s.generate(turn2, GenerateOptions.greedy(8));
            int[] full = s.tokenize(turn2);
            // only the tokens after the shared prefix were evaluated
            assertTrue(b.promptTokens().length == full.length && cached > 0);
            try (Session fresh = m.session()) {
                assertArrayEquals(fresh.generate(turn2, GenerateOptions.greedy(8)).tokens(), b.tokens());
            }
        }
    }

    @Test
    void streamedPiecesAreWholeCharactersAndAddUpToTheText() throws Exception {
        // gpt2's byte-level vocabulary with random weights emits arbitrary byte tokens, so pieces
        // regularly end inside a multi-byte character: those bytes must wait for the next piece
        Golden g = Golden.load("gpt2.q8_0");
        try (Model m = load("gpt2.q8_0.gguf", ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            List<String> pieces = new ArrayList<>();
            GenerationResult r = s.generate(g.prompt(), GenerateOptions.builder().temperature(1.5f).topK(0).topP(1f)
                    .minP(0f).seed(3).maxTokens(64).ignoreEos(true).build(), e -> pieces.add(e.text()));
            assertEquals(r.text(), String.join("", pieces));
            assertEquals(m.tokenizer().decode(r.tokens()), r.text());
            for (String p : pieces) {
                for (int i = 0; i < p.length(); i++) {
                    char c = p.charAt(i);
                    if (Character.isHighSurrogate(c)) {
                        assertTrue(i + 1 < p.length() && Character.isLowSurrogate(p.charAt(i + 1)), "split surrogate pair");
                    }
                }
            }
            try (Session t = m.session()) {
                List<TokenEvent> events = t.stream(g.prompt(), GenerateOptions.builder().temperature(1.5f).topK(0)
                        .topP(1f).minP(0f).seed(3).maxTokens(64).ignoreEos(true).build()).toList();
                assertEquals(64, events.size());
                assertArrayEquals(r.tokens(), events.stream().mapToInt(TokenEvent::token).toArray());
            }
        }
    }

    @Test
    void iteratorAndCallbackAgree() throws Exception {
        Golden g = Golden.load("qwen2.f32");
        try (Model m = load("qwen2.f32.gguf", ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            GenerateOptions o = GenerateOptions.builder().temperature(0.8f).seed(42).maxTokens(12).ignoreEos(true).build();
            List<Integer> cb = new ArrayList<>();
            GenerationResult r = s.generate(g.tokens(), o, e -> cb.add(e.token()));
            s.reset();
            List<Integer> it = new ArrayList<>();
            for (Iterator<TokenEvent> i = s.iterate(g.tokens(), o); i.hasNext(); ) {
                it.add(i.next().token());
            }
            assertEquals(cb, it);
            assertEquals(12, r.tokens().length);
            assertArrayEquals(r.tokens(), s.lastResult().tokens());
        }
    }

    @Test
    void multiTurnReusesCache() throws Exception {
        Golden g = Golden.load("llama-gqa.f32");
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            GenerateOptions o = GenerateOptions.builder().temperature(0).maxTokens(4).ignoreEos(true).build();
            int[] half = Arrays.copyOf(g.tokens(), 20);
            s.generate(half, o, null);
            assertEquals(23, s.position());
            // the longer prompt shares its first 20 tokens with the cache: only the rest is evaluated
            GenerationResult r = s.generate(g.tokens(), o, null);
            assertArrayEquals(Arrays.copyOf(g.greedy(), 4), r.tokens());
            assertTrue(r.promptTokensPerSecond() > 0);
        }
    }

    @Test
    void twoSessionsInTwoThreadsMatchEachAlone() throws Exception {
        Golden a = Golden.load("llama-gqa.f32");
        Golden b = Golden.load("stories260K.f32");
        GenerateOptions o = GenerateOptions.builder().temperature(0.7f).seed(7).maxTokens(20).ignoreEos(true).build();
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).build())) {
            int[] aloneA;
            int[] aloneB;
            try (Session s = m.session()) {
                aloneA = s.generate(a.tokens(), o, null).tokens();
            }
            try (Session s = m.session()) {
                aloneB = s.generate(b.tokens(), o, null).tokens();
            }
            ExecutorService ex = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                Future<int[]> fa = ex.submit(() -> {
                    try (Session s = m.session()) {
                        go.await();
                        return s.generate(a.tokens(), o, null).tokens();
                    }
                });
                Future<int[]> fb = ex.submit(() -> {
                    try (Session s = m.session()) {
                        go.await();
                        return s.generate(b.tokens(), o, null).tokens();
                    }
                });
                go.countDown();
                assertArrayEquals(aloneA, fa.get());
                assertArrayEquals(aloneB, fb.get());
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void cancelFromAnotherThreadStops() throws Exception {
        Golden g = Golden.load("llama-gqa.f32");
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            GenerateOptions o = GenerateOptions.builder().temperature(0).maxTokens(200).ignoreEos(true).build();
            CountDownLatch first = new CountDownLatch(1);
            Thread canceller = new Thread(() -> {
                try {
                    first.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                s.cancel();
            });
            canceller.start();
            List<Integer> seen = new ArrayList<>();
            GenerationResult r = s.generate(g.tokens(), o, e -> {
                seen.add(e.token());
                first.countDown();
                if (seen.size() == 1) {
                    try {
                        canceller.join();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertEquals(1, r.tokens().length);
        }
    }

    @Test
    void contextFullIsAClearError() throws Exception {
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).contextLength(8).build());
             Session s = m.session()) {
            s.evaluate(1, 2, 3, 4, 5, 6);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.evaluate(7, 8, 9));
            assertTrue(e.getMessage().contains("context full"), e.getMessage());
            GenerationResult r = s.generate(new int[] {1, 2, 3, 4, 5, 6}, GenerateOptions.builder().temperature(0)
                    .maxTokens(10).ignoreEos(true).build(), null);
            assertEquals(StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(3, r.tokens().length);
        }
    }

    @Test
    void badTokenIdLeavesTheCacheUntouched() throws Exception {
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).ubatch(2).build()); Session s = m.session()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.evaluate(1, 2, 3, 512));
            assertTrue(e.getMessage().contains("512") && e.getMessage().contains("index 3"), e.getMessage());
            assertEquals(0, s.position());
        }
    }

    @Test
    void splitModelGivesTheSameLogits() throws Exception {
        Golden g = Golden.load("llama-gqa.q8_0");
        float[] whole;
        try (Model m = load("llama-gqa.q8_0.gguf", ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            whole = s.evaluate(g.tokens()).clone();
        }
        try (Model m = Model.load(TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf"),
                ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            assertArrayEquals(whole, s.evaluate(g.tokens()));
        }
    }

    @Test
    void contextShiftKeepsGenerating() throws Exception {
        Golden g = Golden.load("llama-gqa.f32");
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).contextLength(48).build());
             Session s = m.session()) {
            GenerationResult r = s.generate(g.tokens(), GenerateOptions.builder().temperature(0).maxTokens(60)
                    .ignoreEos(true).contextShift(1).build(), null);
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(60, r.tokens().length);
            // the first 13 tokens fit without a shift: they are llama.cpp's greedy continuation
            assertArrayEquals(Arrays.copyOf(g.greedy(), 13), Arrays.copyOf(r.tokens(), 13));
            assertEquals(g.tokens()[0], s.tokens()[0], "BOS kept");
            assertTrue(s.position() <= 48);
        }
    }

    @Test
    void ubatchSplitGivesSameLogits() throws Exception {
        Golden g = Golden.load("qwen2.f32");
        float[] whole;
        try (Model m = load("qwen2.f32.gguf", ModelOptions.builder().threads(1).build()); Session s = m.session()) {
            whole = s.evaluate(g.tokens()).clone();
        }
        try (Model m = load("qwen2.f32.gguf", ModelOptions.builder().threads(1).ubatch(7).mmap(false).build());
             Session s = m.session()) {
            float[] split = s.evaluate(g.tokens());
            // the whole prompt runs through the GEMM kernels, batches of 7 through the dot kernels:
            // the same products summed in a different order (differences ~1e-4 after all layers)
            for (int i = 0; i < whole.length; i++) {
                assertEquals(whole[i], split[i], 1e-3f);
            }
        }
    }

    @Test
    void f32CacheAlsoMatchesGolden() throws Exception {
        Golden g = Golden.load("llama-gqa.f32");
        try (Model m = load("llama-gqa.f32.gguf", ModelOptions.builder().threads(1).kvCacheType(KvCacheType.F32).build());
             Session s = m.session()) {
            float[][] all = s.evaluateAll(g.tokens());
            for (int i = 0; i < all.length; i++) {
                GoldenLogitsTest.compare("f32 cache", i, all[i], g.topIds()[i], g.topLogits()[i], 0.02);
            }
            assertEquals(2L * 2 * (2 * 32) * 4, s.kvBytesPerToken());
        }
    }
}
