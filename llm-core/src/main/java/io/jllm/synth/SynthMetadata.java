package io.jllm.synth;

import io.jllm.gguf.GgufMetadata;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The metadata of a synthesized model: general.*, the architecture's hyperparameters, tokenizer.*. */
public final class SynthMetadata {
    private SynthMetadata() {}

    /**
     * All keys llama.cpp reads for {@code shape}. The tokenizer keys are copied from
     * {@code vocab} (every {@code tokenizer.*} key) or, when null, a synthetic SentencePiece
     * vocabulary of {@code shape.vocab()} tokens.
     */
    public static Map<String, GgufValue> build(ModelShape shape, FileType ft, String name,
                                               @Nullable GgufMetadata vocab) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        String a = shape.arch();
        m.put("general.architecture", str(a));
        m.put("general.name", str(name));
        m.put("general.file_type", u32(ft.id()));
        if (ft.baseType().isQuantized()) {
            m.put("general.quantization_version", u32(2));
        }
        m.put(a + ".vocab_size", u32(shape.vocab()));
        m.put(a + ".context_length", u32(shape.context()));
        m.put(a + ".embedding_length", u32(shape.dim()));
        m.put(a + ".block_count", u32(shape.layers()));
        m.put(a + ".feed_forward_length", u32(shape.ffn()));
        m.put(a + ".attention.head_count", u32(shape.heads()));
        m.put(a + ".attention.head_count_kv", u32(shape.kvHeads()));
        m.put(a + ".attention.layer_norm_rms_epsilon", f32(shape.rmsEps()));
        if (shape.headDim() * shape.heads() != shape.dim()) {
            m.put(a + ".attention.key_length", u32(shape.headDim()));
            m.put(a + ".attention.value_length", u32(shape.headDim()));
        }
        m.put(a + ".rope.freq_base", f32(shape.ropeBase()));
        m.put(a + ".rope.dimension_count", u32(shape.headDim()));
        if (shape.experts() > 0) {
            m.put(a + ".expert_count", u32(shape.experts()));
            m.put(a + ".expert_used_count", u32(shape.expertsUsed()));
            if (a.equals("qwen2moe")) {
                m.put(a + ".expert_feed_forward_length", u32(shape.ffn()));
                m.put(a + ".expert_shared_feed_forward_length", u32(shape.ffn()));
            }
        }
        if (vocab != null) {
            for (Map.Entry<String, GgufValue> e : vocab.asMap().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) {
                    m.put(e.getKey(), e.getValue());
                }
            }
        } else {
            m.putAll(SyntheticVocab.metadata(shape.vocab()));
        }
        return m;
    }

    /** Number of tokens of a vocabulary GGUF's {@code tokenizer.ggml.tokens}. */
    public static int vocabSize(GgufMetadata vocab) {
        GgufValue v = vocab.get("tokenizer.ggml.tokens");
        if (v == null || v.elementType() != GgufValueType.STRING) {
            throw new IllegalArgumentException("vocabulary has no tokenizer.ggml.tokens string array");
        }
        return v.length();
    }

    private static GgufValue str(String s) {
        return GgufValue.of(GgufValueType.STRING, s);
    }

    private static GgufValue u32(long v) {
        return GgufValue.of(GgufValueType.UINT32, v);
    }

    private static GgufValue f32(double v) {
        return GgufValue.of(GgufValueType.FLOAT32, (float) v);
    }
}
