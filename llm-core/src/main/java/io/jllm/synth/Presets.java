package io.jllm.synth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Shapes of real models, from their Hugging Face {@code config.json}: hidden_size,
 * num_hidden_layers, num_attention_heads, num_key_value_heads, intermediate_size, vocab_size,
 * max_position_embeddings, rope_theta, rms_norm_eps, tie_word_embeddings, rope_scaling.
 */
public final class Presets {
    private static final Map<String, ModelShape> PRESETS = new LinkedHashMap<>();

    static {
        // TinyLlama/TinyLlama-1.1B-Chat-v1.0
        PRESETS.put("tinyllama-1.1b", new ModelShape("llama", 2048, 22, 32, 4, 64, 5632, 32000, 2048,
                10000, 1e-5, false, false, null, 0, 0));
        // meta-llama/Llama-3.2-1B: rope_scaling {factor 32, low 1, high 4, original 8192, llama3}
        PRESETS.put("llama-3.2-1b", new ModelShape("llama", 2048, 16, 32, 8, 64, 8192, 128256, 131072,
                500000, 1e-5, true, false, new ModelShape.Llama3Rope(32, 1, 4, 8192), 0, 0));
        // Qwen/Qwen2.5-0.5B
        PRESETS.put("qwen2.5-0.5b", new ModelShape("qwen2", 896, 24, 14, 2, 64, 4864, 151936, 32768,
                1_000_000, 1e-6, true, true, null, 0, 0));
        // HuggingFaceTB/SmolLM2-135M
        PRESETS.put("smollm2-135m", new ModelShape("llama", 576, 30, 9, 3, 64, 1536, 49152, 8192,
                100000, 1e-5, true, false, null, 0, 0));
    }

    private Presets() {}

    public static Set<String> names() {
        return PRESETS.keySet();
    }

    /** The preset's shape, or null for an unknown name. */
    public static @Nullable ModelShape get(String name) {
        return PRESETS.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
