package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every llama.cpp test vector in shared/testdata/vocab, and the goldens' prompts. */
class GgufVocabTest {
    static final String[] VOCABS = {"llama-spm", "llama-bpe", "qwen2", "gpt-2", "deepseek-llm", "deepseek-coder",
        "falcon", "starcoder", "refact", "mpt", "phi-3", "bert-bge"};

    @TestFactory
    Stream<DynamicTest> vocabTestVectors() {
        return Arrays.stream(VOCABS).map(name -> DynamicTest.dynamicTest(name, () -> {
            Path dir = TestData.path("vocab");
            Path gguf = dir.resolve("ggml-vocab-" + name + ".gguf");
            VocabCases c = VocabCases.read(TestData.path("vocab", gguf.getFileName() + ".inp"),
                    TestData.path("vocab", gguf.getFileName() + ".out"));
            Tokenizer t = Tokenizer.fromGguf(gguf);
            assertEquals(c.inputs().size(), c.expected().size(), name + ": case count");
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < c.inputs().size(); i++) {
                String in = c.inputs().get(i);
                int[] got = t.encode(in, false, false);
                if (!Arrays.equals(c.expected().get(i), got)) {
                    failures.add("case " + i + " " + JsonQuote.q(in) + "\n  want " + Arrays.toString(c.expected().get(i))
                            + "\n  got  " + Arrays.toString(got));
                }
                assertEquals(got.length, t.countTokens(in, false, false));
            }
            System.out.println("vocab " + name + ": " + (c.inputs().size() - failures.size()) + "/" + c.inputs().size()
                    + " cases pass");
            assertTrue(failures.isEmpty(), name + ": " + failures.size() + " of " + c.inputs().size()
                    + " cases differ:\n" + String.join("\n", failures));
        }));
    }

    @TestFactory
    Stream<DynamicTest> goldenPrompts() throws IOException {
        Path dir = TestData.path("golden");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        return files.stream().map(g -> DynamicTest.dynamicTest(g.getFileName().toString(), () -> {
            String base = g.getFileName().toString().replaceAll("\\.json$", ".gguf");
            Path model = TestData.root().resolve("models").resolve(base);
            if (!Files.exists(model)) {
                model = TestData.path("demo", base);
            }
            Map<String, Object> json = JsonReader.parseObject(g);
            String prompt = (String) json.get("prompt");
            int[] want = ((List<?>) json.get("tokens")).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
            Tokenizer t = Tokenizer.fromGguf(model);
            assertArrayEquals(want, t.encode(prompt), g.getFileName().toString());
        }));
    }

    @Test
    void demoModelRoundTrip() throws IOException {
        Tokenizer t = Tokenizer.fromGguf(TestData.path("demo", "kjv-5m.q8_0.gguf"));
        assertEquals(4096, t.vocabSize());
        assertEquals(4094, t.bosId());
        assertEquals(4095, t.eosId());
        assertTrue(t.addBos());
        assertTrue(t.isEndOfGeneration(4095));
        String s = "Genesis 1:1 In the beginning God created the heaven and the earth.\n";
        int[] ids = t.encode(s);
        assertEquals(4094, ids[0]);
        assertEquals(s, t.decode(ids));
        assertEquals("<|bos|>" + s, t.decode(ids, true));
    }
}
