package io.jllm.core.arch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * How an architecture's graph builder calls llama.cpp's {@code llm_build_moe_ffn}, as data: the
 * things that are fixed per builder rather than read from metadata. Everything else (expert
 * counts, widths, gating function, scale, groups, leading dense layers) comes from the file.
 *
 * @param normWeights       the selected weights are renormalised by their sum (mixtral: always)
 * @param normFromMetadata  {@code expert_weights_norm} decides instead of {@link #normWeights} (deepseek2)
 * @param scaleFromMetadata the weights are multiplied by {@code expert_weights_scale} (deepseek2)
 * @param shared            the kind of shared expert that runs for every token besides the routed ones
 */
public record MoeTraits(boolean normWeights, boolean normFromMetadata, boolean scaleFromMetadata, SharedExpert shared) {

    /** The shared (always-on) expert of a MoE layer. */
    public enum SharedExpert {
        /** None (mixtral). */
        NONE,
        /**
         * {@code ffn_{gate,up,down}_shexp} of width {@code expert_shared_feed_forward_length}, scaled per
         * token by {@code sigmoid(ffn_gate_inp_shexp · m)} (qwen2moe).
         */
        GATED,
        /**
         * {@code ffn_{gate,up,down}_shexp} of width {@code expert_feed_forward_length × expert_shared_count},
         * added without a gate (deepseek2).
         */
        UNGATED
    }

    private static final Map<String, MoeTraits> REGISTRY = new ConcurrentHashMap<>();

    /** Mixtral files say {@code llama} and carry {@code expert_count}: softmax, top-k, renormalised. */
    public static final MoeTraits LLAMA = register("llama", new MoeTraits(true, false, false, SharedExpert.NONE));
    /** qwen2moe: softmax, top-k without renormalisation, sigmoid-gated shared expert. */
    public static final MoeTraits QWEN2MOE = register("qwen2moe", new MoeTraits(false, false, false, SharedExpert.GATED));
    /** deepseek2 (V2, V2-Lite, V3): gating, norm and scale from metadata, ungated shared experts. */
    public static final MoeTraits DEEPSEEK2 = register("deepseek2", new MoeTraits(false, true, true, SharedExpert.UNGATED));

    /** Adds (or replaces) the traits of architecture {@code name}; returns them. */
    public static MoeTraits register(String name, MoeTraits t) {
        REGISTRY.put(name, t);
        return t;
    }

    /** The traits of architecture {@code name}, or null if it has no mixture-of-experts builder. */
    public static @Nullable MoeTraits find(String name) {
        return REGISTRY.get(name);
    }
}
