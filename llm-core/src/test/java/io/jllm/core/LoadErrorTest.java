package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufWriter;
import io.jllm.testing.TestData;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading fails early with a message naming the file and the key or tensor at fault. */
class LoadErrorTest {
    @TempDir
    Path dir;

    /** Rewrites llama-gqa.f32 with {@code edit} applied, skipping tensor {@code drop}. */
    private Path variant(String drop, Consumer<GgufWriter> edit) throws Exception {
        Path out = dir.resolve("variant.gguf");
        try (GgufFile f = GgufFile.open(TestData.model("llama-gqa.f32.gguf"))) {
            GgufWriter w = new GgufWriter().putAll(f.metadata());
            for (GgufTensor t : f.tensors()) {
                if (!t.name().equals(drop)) {
                    w.addTensor(t);
                }
            }
            edit.accept(w);
            w.write(out);
        }
        return out;
    }

    private static String failure(Path p) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(p).close());
        return e.getMessage();
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        String m = failure(variant("blk.1.ffn_up.weight", w -> {}));
        assertTrue(m.contains("variant.gguf") && m.contains("blk.1.ffn_up.weight") && m.contains("missing"), m);
    }

    @Test
    void inconsistentShapeNamesTensorAndKey() throws Exception {
        String m = failure(variant("", w -> w.put("llama.attention.head_count_kv", GgufValue.uint32(4))));
        assertTrue(m.contains("blk.0.attn_k.weight") && m.contains("[256, 64]") && m.contains("[256, 128]"), m);
    }

    @Test
    void unsupportedTensorTypeIsNamed() throws Exception {
        Path out = dir.resolve("q81.gguf");
        try (GgufFile f = GgufFile.open(TestData.model("llama-gqa.f32.gguf")); Arena a = Arena.ofConfined()) {
            GgufWriter w = new GgufWriter().putAll(f.metadata());
            for (GgufTensor t : f.tensors()) {
                if (t.name().equals("blk.0.attn_q.weight")) {
                    w.addTensor(t.name(), GgmlType.Q8_1, t.shape(), a.allocate(GgmlType.Q8_1.bytes(t.elementCount())));
                } else {
                    w.addTensor(t);
                }
            }
            w.write(out);
        }
        String m = failure(out);
        assertTrue(m.contains("blk.0.attn_q.weight") && m.contains("q8_1"), m);
    }

    @Test
    void missingHyperparameterIsNamed() throws Exception {
        String m = failure(variant("", w -> w.remove("llama.block_count")));
        assertTrue(m.contains("llama.block_count"), m);
    }

    @Test
    void headCountsMustDivide() throws Exception {
        String m = failure(variant("", w -> w.put("llama.attention.head_count_kv", GgufValue.uint32(3))));
        assertTrue(m.contains("head_count") && m.contains("variant.gguf"), m);
    }

    @Test
    void unknownArchitectureListsSupported() throws Exception {
        Path p = variant("", w -> w.put("general.architecture", GgufValue.string("mamba")));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Model.load(p).close());
        assertTrue(e.getMessage().contains("mamba") && e.getMessage().contains("llama"), e.getMessage());
    }

    @Test
    void tooLargeContextFailsFastWithNumbers() throws Exception {
        ModelOptions o = ModelOptions.builder().contextLength(1_000_000_000).build();
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Model.load(TestData.model("llama-gqa.f32.gguf"), o).close());
        assertTrue(e.getMessage().contains("does not fit in memory") && e.getMessage().contains("KV cache"), e.getMessage());
    }

    @Test
    void learnedPositionsBoundTheContext() throws Exception {
        ModelOptions o = ModelOptions.builder().contextLength(300).build();
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Model.load(TestData.model("gpt2.q8_0.gguf"), o).close());
        assertTrue(e.getMessage().contains("position_embd") && e.getMessage().contains("300"), e.getMessage());
    }

    @Test
    void configReadsDefaults() throws Exception {
        try (Model m = Model.load(TestData.model("llama3-rope.f32.gguf"))) {
            ModelConfig c = m.config();
            assertEquals(4, c.heads());
            assertEquals(1, c.kvHeads());
            assertEquals(64, c.headDimK());
            assertEquals(500000f, c.ropeFreqBase());
            assertEquals(RopeScaling.LINEAR, c.ropeScaling());
            assertEquals(1f, c.ropeFreqScale());
            assertEquals(256, c.ropeOrigContext());
        }
    }
}
