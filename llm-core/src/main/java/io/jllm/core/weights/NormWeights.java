package io.jllm.core.weights;

import org.jspecify.annotations.Nullable;

/** A norm's weight and optional bias (LayerNorm), decoded to f32 at load (they are small). */
public record NormWeights(float[] weight, float @Nullable [] bias) {
}
