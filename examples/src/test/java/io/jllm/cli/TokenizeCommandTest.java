package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    record Result(int status, String out, String err) {}

    static Result run(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int st = Main.run(List.of(argv), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void casesReproduceOutFiles() throws Exception {
        for (String v : new String[] {"llama-spm", "llama-bpe", "qwen2", "gpt-2", "bert-bge"}) {
            Path gguf = TestData.path("vocab", "ggml-vocab-" + v + ".gguf");
            Path inp = TestData.path("vocab", "ggml-vocab-" + v + ".gguf.inp");
            Path outFile = TestData.path("vocab", "ggml-vocab-" + v + ".gguf.out");
            Result r = run("tokenize", gguf.toString(), "--cases", inp.toString());
            assertEquals(0, r.status(), r.err());
            List<String> want = new ArrayList<>(Files.readAllLines(outFile));
            List<String> got = new ArrayList<>(r.out().lines().toList());
            assertEquals(want.stream().map(String::strip).toList(), got.stream().map(String::strip).toList(), v);
        }
    }

    @Test
    void textAndJson() {
        Path demo = TestData.path("demo", "kjv-5m.q8_0.gguf");
        Result r = run("tokenize", demo.toString(), "--text", "In the beginning", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("{\"ids\": [4094, "), r.out());
        assertTrue(r.out().contains("\"count\": "), r.out());
        Result nb = run("tokenize", demo.toString(), "--text", "In the beginning", "--no-bos");
        Result wb = run("tokenize", demo.toString(), "--text", "In the beginning");
        assertEquals("4094 " + nb.out().strip(), wb.out().strip());
    }

    @Test
    void badInputIsOneClearLine() {
        Result r = run("tokenize", "/no/such.gguf", "--text", "x");
        assertEquals(1, r.status());
        assertTrue(r.err().strip().lines().reduce((a, b) -> b).orElse("").contains("/no/such.gguf"), r.err());
        Result r2 = run("tokenize", TestData.path("demo", "kjv-5m.q8_0.gguf").toString());
        assertEquals(1, r2.status());
    }
}
