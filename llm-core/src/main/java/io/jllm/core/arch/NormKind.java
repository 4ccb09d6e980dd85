package io.jllm.core.arch;

/** How a block normalises its input. */
public enum NormKind {
    /** RMSNorm: {@code x / sqrt(mean(x²) + eps) · w}. */
    RMS,
    /** LayerNorm with weight and bias: {@code (x − mean) / sqrt(var + eps) · w + b}. */
    LAYER
}
