package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code llm logits} against llama.cpp's golden for stories260K, batched and one token per step. */
class LogitsCommandTest {
    record Run(int status, String out, String err) {}

    static Run run(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int st = Main.run(List.of(argv), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(ints = {512, 1, 5})
    void matchesGolden(int ubatch) throws Exception {
        Map<String, Object> g = JsonReader.parseObject(TestData.path("golden", "stories260K.f32.json"));
        List<Object> tokens = (List<Object>) g.get("tokens");
        StringBuilder ids = new StringBuilder();
        for (Object t : tokens) {
            ids.append(ids.isEmpty() ? "" : ",").append(t);
        }
        Run r = run("logits", "-m", TestData.model("stories260K.f32.gguf").toString(), "--tokens", ids.toString(),
                "--ubatch", String.valueOf(ubatch), "-t", "2", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> out = (Map<String, Object>) JsonReader.parse(r.out());
        assertEquals(tokens, out.get("tokens"));
        List<Object> top = (List<Object>) out.get("top");
        List<Object> ref = (List<Object>) g.get("top");
        assertEquals(ref.size(), top.size());
        for (int i = 0; i < ref.size(); i++) {
            List<Object> mine = (List<Object>) top.get(i);
            List<Object> theirs = (List<Object>) ref.get(i);
            assertEquals(10, mine.size());
            List<Object> mineIds = new ArrayList<>();
            for (Object p : mine) {
                mineIds.add(((List<Object>) p).get(0));
            }
            for (Object p : theirs) {
                List<Object> pair = (List<Object>) p;
                double want = ((Number) pair.get(1)).doubleValue();
                int at = mineIds.indexOf(pair.get(0));
                if (at >= 0) {
                    double got = ((Number) ((List<Object>) mine.get(at)).get(1)).doubleValue();
                    assertEquals(want, got, 0.02, "position " + i + " token " + pair.get(0));
                } else {
                    // not in our top 10: it must be within tolerance of our 10th logit
                    double tenth = ((Number) ((List<Object>) mine.get(9)).get(1)).doubleValue();
                    assertTrue(want <= tenth + 0.02, "position " + i + " token " + pair.get(0) + " missing from top");
                }
            }
        }
    }

    @Test
    void badTokenIsAClearError() {
        Run r = run("logits", "-m", TestData.model("stories260K.f32.gguf").toString(), "--tokens", "1,2,70000");
        assertEquals(1, r.status());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.contains("70000") && last.contains("index 2"), last);
    }

    @Test
    void missingFileIsAClearError() {
        Run r = run("logits", "-m", "/no/such/model.gguf", "--tokens", "1");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("/no/such/model.gguf"), r.err());
    }

    @Test
    void numericsOptionIsCheckedAndFixedPerJvm() {
        String model = TestData.model("stories260K.f32.gguf").toString();
        Run bad = run("logits", "-m", model, "--tokens", "1", "--numerics", "exact");
        assertEquals(1, bad.status());
        String last = bad.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.contains("--numerics") && last.contains("exact"), last);
        // this test JVM runs the default mode: asking for it works, asking for the other is refused
        assertEquals(0, run("logits", "-m", model, "--tokens", "1", "--numerics", "fast").status());
        Run other = run("logits", "-m", model, "--tokens", "1", "--numerics", "reference");
        assertEquals(1, other.status());
        assertTrue(other.err().contains("already computes in fast numerics"), other.err());
    }
}
