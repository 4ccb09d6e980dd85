package io.jllm.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PresetsTest {
    /** Parameter counts published for the real models (Hugging Face model cards / num_parameters()). */
    @ParameterizedTest
    @CsvSource({
        "tinyllama-1.1b, 1100048384",
        "llama-3.2-1b, 1235814400",
        "qwen2.5-0.5b, 494032768",
        "smollm2-135m, 134515008",
    })
    void parameterCountsMatchTheRealModels(String name, long expected) {
        ModelShape s = Presets.get(name);
        assertNotNull(s);
        long n = 0;
        for (TensorSpec t : TensorPlan.tensors(s)) {
            if (t.kind() != TensorSpec.Kind.FIXED) { // rope_freqs is computed, not a trained parameter
                n += t.elements();
            }
        }
        assertEquals(expected, n);
    }

    @Test
    void tinyLlamaShapes() {
        ModelShape s = Presets.get("TinyLlama-1.1B");
        assertNotNull(s);
        assertEquals(2048, s.dim());
        assertEquals(22, s.layers());
        assertEquals(256, s.kvHeads() * s.headDim());
        var t = TensorPlan.tensors(s);
        assertEquals(3 + 22 * 9, t.size());
        assertEquals("token_embd.weight[2048, 32000]", t.get(0).toString());
        assertEquals("output.weight[2048, 32000]", t.get(t.size() - 1).toString());
        assertEquals("blk.0.attn_k.weight[2048, 256]", t.get(3).toString());
        assertEquals("blk.21.ffn_down.weight[5632, 2048]", t.get(t.size() - 3).toString());
    }

    @Test
    void qwenHasBiasesAndNoOutput() {
        var t = TensorPlan.tensors(Presets.get("qwen2.5-0.5b"));
        assertEquals(2 + 24 * 12, t.size());
        assertEquals("blk.0.attn_k.bias[128]", t.stream().filter(x -> x.name().equals("blk.0.attn_k.bias"))
                .findFirst().orElseThrow().toString());
        assertEquals(0, t.stream().filter(x -> x.name().equals("output.weight")).count());
    }

    @Test
    void expertsAddStackedTensors() {
        ModelShape s = Presets.get("tinyllama-1.1b").withLayers(1).withExperts(4, 2);
        var names = TensorPlan.tensors(s).stream().map(TensorSpec::toString).toList();
        assertEquals(true, names.contains("blk.0.ffn_gate_exps.weight[2048, 5632, 4]"));
        assertEquals(true, names.contains("blk.0.ffn_down_exps.weight[5632, 2048, 4]"));
        assertEquals(true, names.contains("blk.0.ffn_gate_inp.weight[2048, 4]"));
        assertEquals("qwen2moe", Presets.get("qwen2.5-0.5b").withExperts(8, 2).arch());
    }

    @Test
    void badShapesAreRejected() {
        ModelShape s = Presets.get("smollm2-135m");
        assertThrows(IllegalArgumentException.class, () -> s.withHeads(9, 2));
        assertThrows(IllegalArgumentException.class, () -> s.withLayers(0));
        assertThrows(IllegalArgumentException.class, () -> s.withExperts(4, 5));
        assertNull(Presets.get("no-such-model"));
    }

    @Test
    void layerAndBaseName() {
        TensorSpec t = new TensorSpec("blk.17.attn_v.weight", new long[] {8, 4}, TensorSpec.Kind.MATRIX);
        assertEquals(17, t.layer());
        assertEquals("attn_v.weight", t.baseName());
        assertEquals(-1, new TensorSpec("output.weight", new long[] {8, 4}, TensorSpec.Kind.MATRIX).layer());
    }
}
