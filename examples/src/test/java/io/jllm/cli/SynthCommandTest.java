package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void scaledPresetWithOverrides() throws Exception {
        Path out = dir.resolve("m.gguf");
        String[] r = run("synth", "--preset", "qwen2.5-0.5b", "--type", "q8_0", "--layers", "2", "--dim", "256",
                "--heads", "4", "--kv-heads", "2", "--ffn", "512", "--vocab-size", "400", "--seed", "3", "--json",
                out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("{\"path\": "), r[1]);
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals("qwen2", f.architecture());
            assertEquals(2, f.metadata().getInt("qwen2.block_count"));
            assertEquals(256, f.metadata().getInt("qwen2.embedding_length"));
            assertEquals(400, f.tensor("token_embd.weight").dim(1));
            assertEquals(GgmlType.Q8_0, f.tensor("blk.1.attn_q.weight").type());
            assertEquals(GgmlType.F32, f.tensor("blk.1.attn_q.bias").type());
            assertEquals(7, f.metadata().getInt("general.file_type"));
        }
    }

    @Test
    void moeVariant() throws Exception {
        Path out = dir.resolve("moe.gguf");
        String[] r = run("synth", "--preset", "smollm2-135m", "--type", "f16", "--layers", "1", "--experts", "4",
                "--experts-used", "2", "--vocab-size", "300", out.toString());
        assertEquals("0", r[0], r[2]);
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(4, f.metadata().getInt("llama.expert_count"));
            assertEquals(2, f.metadata().getInt("llama.expert_used_count"));
            assertEquals(4, f.tensor("blk.0.ffn_up_exps.weight").dim(2));
        }
    }

    @Test
    void badInput() {
        String[] r = run("synth", "--preset", "gpt-5", "--type", "q4_0", dir.resolve("x.gguf").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].strip().endsWith("(known: tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b, smollm2-135m)"), r[2]);
        r = run("synth", "--preset", "tinyllama-1.1b", "--type", "q9_9", dir.resolve("x.gguf").toString());
        assertTrue(r[2].contains("unknown file type 'q9_9'"), r[2]);
        r = run("synth", "--preset", "tinyllama-1.1b", "--type", "q3_k_m", dir.resolve("x.gguf").toString());
        assertTrue(r[2].contains("add --pure"), r[2]);
        r = run("synth", "--preset", "tinyllama-1.1b", "--type", "q4_0", "--heads", "5", dir.resolve("x.gguf").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("bad model shape"), r[2]);
        r = run("synth", "--preset", "tinyllama-1.1b", "--type", "q4_0", "/no/such/dir/x.gguf");
        assertTrue(r[2].contains("does not exist"), r[2]);
    }
}
