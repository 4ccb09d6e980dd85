package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufWriter;
import io.jllm.testing.TestData;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MoE and MLA files with missing or inconsistent tensors and keys fail to load with a clear message. */
class MoeLoadErrorTest {
    @TempDir
    Path dir;

    private Path variant(String model, String drop, Consumer<GgufWriter> edit) throws Exception {
        Path out = dir.resolve("variant.gguf");
        try (GgufFile f = GgufFile.open(TestData.model(model))) {
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
        return assertThrows(ModelLoadException.class, () -> Model.load(p).close()).getMessage();
    }

    @Test
    void missingExpertStackIsNamed() throws Exception {
        String m = failure(variant("qwen2moe.q8_0.gguf", "blk.1.ffn_up_exps.weight", w -> {}));
        assertTrue(m.contains("variant.gguf") && m.contains("blk.1.ffn_up_exps.weight") && m.contains("missing"), m);
    }

    @Test
    void expertCountDisagreeingWithTheStackNamesShapes() throws Exception {
        String m = failure(variant("qwen2moe.q8_0.gguf", "", w -> w.put("qwen2moe.expert_count", GgufValue.uint32(4))));
        assertTrue(m.contains("blk.0.ffn_gate_inp.weight") && m.contains("[256, 8]") && m.contains("[256, 4]"), m);
    }

    @Test
    void tooManyExpertsUsedIsRejected() throws Exception {
        String m = failure(variant("qwen2moe.q8_0.gguf", "", w -> w.put("qwen2moe.expert_used_count", GgufValue.uint32(9))));
        assertTrue(m.contains("variant.gguf") && m.contains("expert_used_count 9"), m);
    }

    @Test
    void missingLatentNormIsNamed() throws Exception {
        String m = failure(variant("deepseek3.f16.gguf", "blk.2.attn_kv_a_norm.weight", w -> {}));
        assertTrue(m.contains("blk.2.attn_kv_a_norm.weight") && m.contains("missing"), m);
    }

    @Test
    void kvLoraRankDisagreeingWithTheLatentProjectionNamesShapes() throws Exception {
        String m = failure(variant("deepseek3.f16.gguf", "", w -> w.put("deepseek2.attention.kv_lora_rank",
                GgufValue.uint32(96))));
        assertTrue(m.contains("blk.0.attn_kv_a_mqa.weight") && m.contains("[256, 160]") && m.contains("[256, 128]"), m);
    }
}
