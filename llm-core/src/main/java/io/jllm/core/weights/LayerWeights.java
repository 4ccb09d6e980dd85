package io.jllm.core.weights;

import org.jspecify.annotations.Nullable;

/**
 * The tensors of one transformer block. Attention projections are separate ({@code wq, wk, wv})
 * or fused ({@code wqkv}); every bias and the FFN gate are optional, as the architecture allows.
 */
public record LayerWeights(
        NormWeights attnNorm,
        @Nullable Matrix wq, @Nullable Matrix wk, @Nullable Matrix wv, @Nullable Matrix wqkv,
        float @Nullable [] bq, float @Nullable [] bk, float @Nullable [] bv, float @Nullable [] bqkv,
        Matrix wo, float @Nullable [] bo,
        NormWeights ffnNorm,
        @Nullable Matrix ffnGate, Matrix ffnUp, Matrix ffnDown,
        float @Nullable [] ffnGateBias, float @Nullable [] ffnUpBias, float @Nullable [] ffnDownBias) {
}
