package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code llm generate} and the demo, in-process. */
class GenerateCommandTest {
    @SuppressWarnings("unchecked")
    @Test
    void greedyJsonMatchesGolden() throws Exception {
        Map<String, Object> g = JsonReader.parseObject(TestData.path("golden", "kjv-5m.q8_0.json"));
        LogitsCommandTest.Run r = LogitsCommandTest.run("generate", "-m", TestData.path("demo", "kjv-5m.q8_0.gguf").toString(),
                "-p", (String) g.get("prompt"), "-n", "16", "--temp", "0", "--ignore-eos", "-t", "2", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> out = (Map<String, Object>) JsonReader.parse(r.out().strip());
        assertEquals(g.get("tokens"), out.get("prompt_tokens"));
        assertEquals(g.get("greedy"), out.get("tokens"));
        assertTrue(((String) out.get("text")).startsWith("\nGenesis 4:2 And the LORD said unto him"), (String) out.get("text"));
        // F16 cache: 4 layers × (128 + 128) × 2 bytes
        assertEquals(2048L, out.get("kv_bytes_per_token"));
        assertTrue(((Number) out.get("pp_tokens_per_s")).doubleValue() > 0);
        assertTrue(((Number) out.get("tg_tokens_per_s")).doubleValue() > 0);
    }

    @Test
    void textModeStreamsTheContinuation() {
        LogitsCommandTest.Run r = LogitsCommandTest.run("generate", "-m", TestData.path("demo", "kjv-5m.q8_0.gguf").toString(),
                "-p", "Exodus 2:1", "-n", "12", "--temp", "0.7", "--top-p", "0.9", "--repeat-penalty", "1.1",
                "--seed", "5", "-t", "1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().length() > 5, r.out());
        LogitsCommandTest.Run again = LogitsCommandTest.run("generate", "-m", TestData.path("demo", "kjv-5m.q8_0.gguf").toString(),
                "-p", "Exodus 2:1", "-n", "12", "--temp", "0.7", "--top-p", "0.9", "--repeat-penalty", "1.1",
                "--seed", "5", "-t", "2");
        assertEquals(r.out(), again.out(), "same seed, same text");
    }

    @Test
    void badOptionsAreClearErrors() {
        LogitsCommandTest.Run r = LogitsCommandTest.run("generate", "-m", TestData.path("demo", "kjv-5m.q8_0.gguf").toString(),
                "-n", "abc");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("-n") && r.err().contains("abc"), r.err());
        LogitsCommandTest.Run c = LogitsCommandTest.run("generate", "-m", TestData.path("demo", "kjv-5m.q8_0.gguf").toString(),
                "-p", "x", "--bogus");
        assertEquals(1, c.status());
        assertTrue(c.err().contains("--bogus"), c.err());
    }

    @Test
    void logitsFromPromptTokenizesLikeGenerate() throws Exception {
        Map<String, Object> g = JsonReader.parseObject(TestData.path("golden", "kjv-5m.q8_0.json"));
        LogitsCommandTest.Run r = LogitsCommandTest.run("logits", "-m", TestData.path("demo", "kjv-5m.q8_0.gguf").toString(),
                "-p", (String) g.get("prompt"), "--top", "3", "--json");
        assertEquals(0, r.status(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) JsonReader.parse(r.out().strip());
        assertEquals(g.get("tokens"), out.get("tokens"));
        assertEquals(((List<?>) g.get("tokens")).size(), ((List<?>) out.get("top")).size());
    }

    @Test
    void demoFindsTheBundledModelAndStreams() {
        String home = System.getProperty("jllm.home");
        try {
            System.setProperty("jllm.home", java.nio.file.Path.of("..").toAbsolutePath().normalize().toString());
            LogitsCommandTest.Run r = LogitsCommandTest.run();
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().startsWith(DemoCommand.PROMPT) && r.out().length() > DemoCommand.PROMPT.length() + 20, r.out());
        } finally {
            if (home == null) {
                System.clearProperty("jllm.home");
            } else {
                System.setProperty("jllm.home", home);
            }
        }
    }
}
