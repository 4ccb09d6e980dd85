package io.jllm.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama-quantize's rules where no shared reference file exists: fallbacks for rows that are not
 * a multiple of 256 (stories260K: 64 and 172 wide), tied embeddings, ggml's dimension count.
 * Expected types are worked out by hand from llama.cpp's llama_tensor_get_type.
 */
class TensorTypeRulesTest {
    @TempDir
    Path tmp;

    static Map<String, GgmlType> plan(String file, LlamaFileType ft, List<String> warnings) throws IOException {
        try (GgufFile f = GgufFile.open(TestData.model(file))) {
            Map<String, GgmlType> m = new HashMap<>();
            for (ModelQuantizer.TensorPlan p : ModelQuantizer.plan(f, ft, false, warnings::add)) {
                m.put(p.source().name(), p.type());
            }
            return m;
        }
    }

    @Test
    void narrowRowsFallBack() throws IOException {
        List<String> warnings = new ArrayList<>();
        Map<String, GgmlType> q4km = plan("stories260K.f32.gguf", LlamaFileType.Q4_K_M, warnings);
        assertEquals(GgmlType.Q8_0, q4km.get("output.weight"));          // nx % 256 != 0 → Q8_0
        assertEquals(GgmlType.Q5_0, q4km.get("token_embd.weight"));      // Q4_K → Q5_0
        assertEquals(GgmlType.F32, q4km.get("output_norm.weight"));
        for (int l = 0; l < 5; l++) {
            boolean more = l == 2 || l == 4;                              // use_more_bits(l, 5)
            assertEquals(more ? GgmlType.Q8_0 : GgmlType.Q5_0, q4km.get("blk." + l + ".attn_v.weight"), "attn_v " + l);
            assertEquals(GgmlType.F16, q4km.get("blk." + l + ".ffn_down.weight"), "172-wide rows → F16");
            assertEquals(GgmlType.Q5_0, q4km.get("blk." + l + ".ffn_up.weight"));
            assertEquals(GgmlType.F32, q4km.get("blk." + l + ".attn_norm.weight"));
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("blk.0.ffn_down.weight") && w.contains("f16")), warnings.toString());

        Map<String, GgmlType> q3km = plan("stories260K.f32.gguf", LlamaFileType.Q3_K_M, new ArrayList<>());
        assertEquals(GgmlType.IQ4_NL, q3km.get("token_embd.weight"));    // Q3_K → IQ4_NL
        assertEquals(GgmlType.IQ4_NL, q3km.get("blk.3.attn_q.weight"));
        assertEquals(GgmlType.Q5_1, q3km.get("blk.0.attn_v.weight"));    // first two attn_v: Q5_K → Q5_1
        assertEquals(GgmlType.Q5_1, q3km.get("blk.1.attn_v.weight"));
        assertEquals(GgmlType.Q5_0, q3km.get("blk.2.attn_v.weight"));    // Q4_K → Q5_0
        assertEquals(GgmlType.Q5_0, q3km.get("blk.2.attn_output.weight"));
        assertEquals(GgmlType.F16, q3km.get("blk.2.ffn_down.weight"));
    }

    @Test
    void tiedEmbeddingsTakeTheOutputRule() throws IOException {
        Map<String, GgmlType> m = plan("llama-mha-tied.f32.gguf", LlamaFileType.Q4_K_M, new ArrayList<>());
        assertEquals(GgmlType.Q6_K, m.get("token_embd.weight"));
        assertEquals(GgmlType.Q4_K, m.get("blk.0.attn_v.weight"));
        assertEquals(GgmlType.Q6_K, m.get("blk.1.attn_v.weight"));       // use_more_bits(1, 2)
        assertEquals(GgmlType.Q4_K, m.get("blk.0.ffn_down.weight"));
        assertEquals(GgmlType.Q6_K, m.get("blk.1.ffn_down.weight"));
        Map<String, GgmlType> q8 = plan("llama-mha-tied.f32.gguf", LlamaFileType.Q8_0, new ArrayList<>());
        assertEquals(GgmlType.Q8_0, q8.get("token_embd.weight"));        // Q8_0 stays Q8_0
    }

    @Test
    void positionEmbeddingsAndRoutersStayF32() throws IOException {
        Map<String, GgmlType> gpt2 = plan("gpt2.q8_0.gguf", LlamaFileType.Q4_0, new ArrayList<>());
        assertEquals(GgmlType.F32, gpt2.get("position_embd.weight"));
        assertEquals(GgmlType.Q8_0, gpt2.get("output.weight"));          // Q6_K, 64-wide rows → Q8_0
        assertEquals(GgmlType.Q4_0, gpt2.get("blk.0.attn_qkv.weight"));  // no mix rule for Q4_0
        Map<String, GgmlType> moe = plan("mixtral.q8_0.gguf", LlamaFileType.Q4_K_M, new ArrayList<>());
        assertEquals(GgmlType.F32, moe.get("blk.0.ffn_gate_inp.weight"));
    }

    static Map<String, GgmlType> plan(String file, ModelQuantizer.Options o) throws IOException {
        try (GgufFile f = GgufFile.open(TestData.model(file))) {
            Map<String, GgmlType> m = new HashMap<>();
            for (ModelQuantizer.TensorPlan p : ModelQuantizer.plan(f, o, w -> { })) {
                m.put(p.source().name(), p.type());
            }
            return m;
        }
    }

    @Test
    void overridesWinLast() throws IOException {
        var o = new ModelQuantizer.Options(LlamaFileType.Q4_K_M, false, false, 1, false, GgmlType.Q8_0, GgmlType.F16);
        Map<String, GgmlType> m = plan("llama-gqa.f32.gguf", o);
        assertEquals(GgmlType.Q8_0, m.get("output.weight"));
        assertEquals(GgmlType.F16, m.get("token_embd.weight"));
        assertEquals(GgmlType.Q6_K, m.get("blk.1.attn_v.weight"));      // the rest of the mix is unchanged

        var leave = new ModelQuantizer.Options(LlamaFileType.Q4_K_M, false, false, 1, true, null, null);
        assertEquals(GgmlType.F32, plan("llama-gqa.f32.gguf", leave).get("output.weight"));

        // tied embeddings take the output type; with --pure the overrides still apply
        var tied = new ModelQuantizer.Options(LlamaFileType.Q4_K_M, false, false, 1, false, GgmlType.Q8_0, null);
        assertEquals(GgmlType.Q8_0, plan("llama-mha-tied.f32.gguf", tied).get("token_embd.weight"));
        var pure = new ModelQuantizer.Options(LlamaFileType.Q4_0, true, false, 1, false, GgmlType.Q6_K, GgmlType.Q8_0);
        Map<String, GgmlType> p = plan("llama-gqa.f32.gguf", pure);
        assertEquals(GgmlType.Q6_K, p.get("output.weight"));
        assertEquals(GgmlType.Q8_0, p.get("token_embd.weight"));
        assertEquals(GgmlType.Q4_0, p.get("blk.0.attn_q.weight"));

        var bad = new ModelQuantizer.Options(LlamaFileType.Q4_K_M, false, false, 1, false, GgmlType.Q4_K, null);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> plan("stories260K.f32.gguf", bad));
        assertTrue(e.getMessage().contains("output.weight") && e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void trailingUnitDimensionsDoNotCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(4 * 256);
            GgufTensor flat = new GgufTensor("blk.0.x.weight", GgmlType.F32, new long[] {256, 1}, 0, 1024, data);
            GgufTensor matrix = new GgufTensor("blk.0.x.weight", GgmlType.F32, new long[] {32, 8}, 0, 1024, data);
            assertEquals(1, TensorTypeRules.ggmlDims(flat));
            assertFalse(TensorTypeRules.quantizable(flat));
            assertTrue(TensorTypeRules.quantizable(matrix));
            assertFalse(TensorTypeRules.quantizable(new GgufTensor("blk.0.attn_norm.weight", GgmlType.F32,
                    new long[] {32, 8}, 0, 1024, data)));
            assertFalse(TensorTypeRules.quantizable(new GgufTensor("blk.0.attn_q.bias", GgmlType.F32,
                    new long[] {32, 8}, 0, 1024, data)));
        }
    }

    @Test
    void fallbackFilesDequantizeCloseToTheSource() throws IOException {
        Path out = tmp.resolve("s.gguf");
        ModelQuantizer.quantize(TestData.model("stories260K.f32.gguf"), out,
                new ModelQuantizer.Options(LlamaFileType.Q3_K_M, false, false, 2), new ModelQuantizer.Listener() {});
        try (GgufFile src = GgufFile.open(TestData.model("stories260K.f32.gguf")); GgufFile q = GgufFile.open(out)) {
            for (GgufTensor t : q.tensors()) {
                GgufTensor s = src.tensor(t.name());
                int n = (int) t.elementCount();
                float[] a = new float[n];
                float[] b = new float[n];
                Dequantizer.dequantize(s.type(), s.data(), 0, n, a, 0);
                Dequantizer.dequantize(t.type(), t.data(), 0, n, b, 0);
                double err = 0;
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    err += (a[i] - b[i]) * (double) (a[i] - b[i]);
                    norm += a[i] * (double) a[i];
                }
                assertTrue(err <= 0.02 * norm, t + ": relative squared error " + err / norm);
            }
        }
    }
}
