package io.jllm.core.arch;

/** The feed-forward block of a layer. */
public enum FfnKind {
    /** {@code down(silu(gate·m) ⊙ up·m)} (llama, qwen2). */
    SWIGLU,
    /** {@code down(gelu(up·m + b) + b)} (gpt2). */
    GELU
}
