package io.jllm.core.arch;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The registry of supported architectures, keyed by {@code general.architecture}. Built-in:
 * {@code llama} (also Mistral-style files and Mixtral: llama with experts), {@code qwen2}, {@code gpt2},
 * {@code qwen2moe}, {@code deepseek2}.
 */
public final class Architectures {
    private static final Map<String, Architecture> REGISTRY = new ConcurrentHashMap<>();

    public static final Architecture LLAMA = register(new Architecture("llama", NormKind.RMS, RopeKind.NORM,
            FfnKind.SWIGLU, false, false, Set.of(), true));
    public static final Architecture QWEN2 = register(new Architecture("qwen2", NormKind.RMS, RopeKind.NEOX,
            FfnKind.SWIGLU, false, false, Set.of("attn_q", "attn_k", "attn_v"), true));
    public static final Architecture GPT2 = register(new Architecture("gpt2", NormKind.LAYER, RopeKind.NONE,
            FfnKind.GELU, true, true, Set.of("attn_qkv", "attn_output", "ffn_up", "ffn_down"), false));
    /** qwen2 attention with routed experts and a gated shared expert (see {@link MoeTraits#QWEN2MOE}). */
    public static final Architecture QWEN2MOE = register(new Architecture("qwen2moe", NormKind.RMS, RopeKind.NEOX,
            FfnKind.SWIGLU, false, false, Set.of("attn_q", "attn_k", "attn_v"), false));
    /** DeepSeek V2/V3: latent attention (MLA) and experts with shared experts after leading dense layers. */
    public static final Architecture DEEPSEEK2 = register(new Architecture("deepseek2", NormKind.RMS, RopeKind.NORM,
            FfnKind.SWIGLU, false, false, Set.of(), false));

    private Architectures() {}

    /** Adds (or replaces) an architecture; returns it. */
    public static Architecture register(Architecture a) {
        REGISTRY.put(a.name(), a);
        return a;
    }

    public static @Nullable Architecture find(String name) {
        return REGISTRY.get(name);
    }

    /** The architecture, or an exception listing the supported ones. */
    public static Architecture get(String name) {
        Architecture a = REGISTRY.get(name);
        if (a == null) {
            throw new UnsupportedOperationException("architecture '" + name + "' is not supported (supported: "
                    + String.join(", ", new TreeMap<>(REGISTRY).keySet()) + ")");
        }
        return a;
    }
}
