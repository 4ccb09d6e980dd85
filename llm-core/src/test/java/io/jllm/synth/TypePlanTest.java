package io.jllm.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufMetadata;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.TestData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TypePlanTest {
    /** A shape read back from a model file's metadata (enough for the type rules). */
    static ModelShape shapeOf(GgufFile f) {
        GgufMetadata m = f.metadata();
        String a = f.architecture();
        int dim = m.getInt(a + ".embedding_length");
        int heads = m.getInt(a + ".attention.head_count");
        int kv = m.getInt(a + ".attention.head_count_kv", heads);
        int headDim = (int) f.tensor("blk.0.attn_q.weight").dim(1) / heads;
        int vocab = (int) f.tensor("token_embd.weight").dim(1);
        int experts = m.getInt(a + ".expert_count", 0);
        return new ModelShape(a, dim, m.getInt(a + ".block_count"), heads, kv, headDim,
                m.getInt(a + ".feed_forward_length", 64), vocab, 128, 10000, 1e-5,
                f.findTensor("output.weight") == null, false, null, experts,
                m.getInt(a + ".expert_used_count", 0));
    }

    /** llama-quantize's own q4_k_m choices (files made by llama.cpp build 4748) are reproduced tensor by tensor. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa.q4_k_m.gguf", "mixtral.q4_k_m.gguf", "qwen2moe.q4_k_m.gguf"})
    void q4KMixMatchesLlamaQuantize(String file) throws Exception {
        try (GgufFile f = GgufFile.open(TestData.model(file))) {
            ModelShape s = shapeOf(f);
            List<TensorSpec> specs = new java.util.ArrayList<>();
            Map<String, GgmlType> expected = new LinkedHashMap<>();
            for (GgufTensor t : f.tensors()) {
                String n = t.name();
                TensorSpec.Kind kind = t.nDims() == 1 ? TensorSpec.Kind.NORM
                        : n.contains("ffn_gate_inp") ? TensorSpec.Kind.ROUTER : TensorSpec.Kind.MATRIX;
                specs.add(new TensorSpec(n, t.shape(), kind));
                expected.put(n, t.type());
            }
            Map<String, GgmlType> got = TypePlan.assign(s, specs, FileType.Q4_K_M, false);
            assertEquals(expected, got);
            assertTrue(got.containsValue(GgmlType.Q6_K), "the mix gives some tensors Q6_K");
        }
    }

    @Test
    void tinyLlamaQ4KM() {
        ModelShape s = Presets.get("tinyllama-1.1b");
        Map<String, GgmlType> t = TypePlan.assign(s, TensorPlan.tensors(s), FileType.Q4_K_M, false);
        assertEquals(GgmlType.Q6_K, t.get("output.weight"));
        assertEquals(GgmlType.Q4_K, t.get("token_embd.weight"));
        assertEquals(GgmlType.F32, t.get("blk.0.attn_norm.weight"));
        // use_more_bits for 22 layers: 0, 1, 4, 7, 10, 13, 16, 19, 20, 21
        for (int i = 0; i < 22; i++) {
            boolean more = List.of(0, 1, 4, 7, 10, 13, 16, 19, 20, 21).contains(i);
            GgmlType want = more ? GgmlType.Q6_K : GgmlType.Q4_K;
            assertEquals(want, t.get("blk." + i + ".attn_v.weight"), "attn_v " + i);
            assertEquals(want, t.get("blk." + i + ".ffn_down.weight"), "ffn_down " + i);
            assertEquals(GgmlType.Q4_K, t.get("blk." + i + ".ffn_up.weight"));
        }
    }

    @Test
    void pureGivesEveryMatrixTheType() {
        ModelShape s = Presets.get("llama-3.2-1b");
        Map<String, GgmlType> t = TypePlan.assign(s, TensorPlan.tensors(s), FileType.Q4_0, false);
        assertEquals(GgmlType.Q4_0, t.get("token_embd.weight"));
        assertEquals(GgmlType.F32, t.get("rope_freqs.weight"));
        assertEquals(GgmlType.Q4_0, t.get("blk.3.ffn_down.weight"));
        assertFalse(t.containsKey("output.weight"));
        Map<String, GgmlType> p = TypePlan.assign(s, TensorPlan.tensors(s), FileType.Q4_K_M, true);
        assertEquals(GgmlType.Q4_K, p.get("token_embd.weight"));
        assertEquals(GgmlType.Q4_K, p.get("blk.0.attn_v.weight"));
    }

    @Test
    void rowsThatAreNotWholeSuperBlocksFallBack() {
        ModelShape s = Presets.get("qwen2.5-0.5b"); // dim 896 = 3.5 × 256
        Map<String, GgmlType> t = TypePlan.assign(s, TensorPlan.tensors(s), FileType.Q4_K_M, false);
        assertEquals(GgmlType.Q8_0, t.get("token_embd.weight")); // tied output: Q6_K → Q8_0 rule
        assertEquals(GgmlType.Q5_0, t.get("blk.0.attn_q.weight")); // Q4_K → Q5_0
        assertEquals(GgmlType.Q8_0, t.get("blk.0.attn_v.weight")); // Q6_K → Q8_0
        assertEquals(GgmlType.Q4_K, t.get("blk.6.ffn_down.weight")); // rows of 4864 = 19 × 256
        assertEquals(GgmlType.Q6_K, t.get("blk.5.ffn_down.weight"));
        assertEquals(GgmlType.F16, TypePlan.fallback(GgmlType.Q4_0, 48));
    }

    @Test
    void unsupportedMixIsRejected() {
        ModelShape s = Presets.get("smollm2-135m");
        assertThrows(IllegalArgumentException.class,
                () -> TypePlan.assign(s, TensorPlan.tensors(s), FileType.Q3_K_M, false));
    }
}
