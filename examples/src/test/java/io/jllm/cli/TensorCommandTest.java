package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code llm tensor} writes exactly ggml's dequantized values (sha256 from the shared goldens). */
class TensorCommandTest {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
        String lastErrLine() {
            String[] lines = err.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Result run(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = Main.run(List.of(argv), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
        "llama-gqa.q4_k_m, token_embd.weight",
        "llama-gqa.q4_k_m, output.weight",
        "llama-gqa.q3_k_m, blk.0.ffn_down.weight",
        "llama-gqa.iq4_xs, blk.1.attn_q.weight",
        "llama-gqa.bf16, blk.0.ffn_up.weight",
        "llama-gqa.f32, blk.0.attn_norm.weight",
        "mixtral.q4_k_m, blk.1.ffn_down_exps.weight",
    })
    @SuppressWarnings("unchecked")
    void writesGgmlsValues(String model, String tensor) throws Exception {
        Path file = TestData.model(model + ".gguf");
        Map<String, Object> golden = (Map<String, Object>) JsonReader.parseObject(
                TestData.path("dequant", model + ".dequant.json")).get(tensor);
        Path out = tmp.resolve("t.f32");
        Result r = run("tensor", file.toString(), tensor, "--f32", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(((Number) golden.get("n")).longValue() * 4, Files.size(out));
        assertEquals(golden.get("sha256_f32"), sha256(out), model + " " + tensor);
    }

    @Test
    void jsonSummary() throws Exception {
        Path out = tmp.resolve("n.f32");
        Result r = run("tensor", TestData.model("llama-gqa.q8_0.gguf").toString(), "output_norm.weight",
                "--f32", out.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(r.out().strip());
        assertEquals("output_norm.weight", m.get("name"));
        assertEquals(1024L, m.get("bytes"));
    }

    @Test
    void unknownTensorNamesIt() {
        Result r = run("tensor", TestData.model("llama-gqa.q8_0.gguf").toString(), "blk.9.nope.weight",
                "--f32", tmp.resolve("x").toString());
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("no tensor named 'blk.9.nope.weight'"), r.lastErrLine());
        assertTrue(r.lastErrLine().contains("llama-gqa.q8_0.gguf"), r.lastErrLine());
    }

    @Test
    void missingFileAndOption() {
        Result r = run("tensor", tmp.resolve("absent.gguf").toString(), "x", "--f32", tmp.resolve("x").toString());
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("absent.gguf"), r.lastErrLine());
        Result r2 = run("tensor", TestData.model("llama-gqa.q8_0.gguf").toString(), "output.weight");
        assertEquals(1, r2.status());
        assertTrue(r2.lastErrLine().contains("--f32"), r2.lastErrLine());
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                md.update(buf, 0, k);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
