package io.jllm.core.arch;

/** Rotary position embedding pairing (ggml's rope modes), or none. */
public enum RopeKind {
    /** No rotary embedding (e.g. gpt2, which learns absolute positions). */
    NONE,
    /** ggml mode 0: rotates adjacent pairs (2i, 2i+1). */
    NORM,
    /** ggml mode 2: rotates pairs (i, i + n_rot/2). */
    NEOX
}
