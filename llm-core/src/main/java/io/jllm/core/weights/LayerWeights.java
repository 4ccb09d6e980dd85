package io.jllm.core.weights;

import org.jspecify.annotations.Nullable;

/**
 * The tensors of one transformer block. Attention projections are separate ({@code wq, wk, wv})
 * or fused ({@code wqkv}); every bias and the FFN gate are optional, as the architecture allows.
 * A latent-attention block ({@code mla}) has no wq/wk/wv; a mixture-of-experts block ({@code moe})
 * has no dense FFN matrices.
 */
public record LayerWeights(
        NormWeights attnNorm,
        @Nullable Matrix wq, @Nullable Matrix wk, @Nullable Matrix wv, @Nullable Matrix wqkv,
        float @Nullable [] bq, float @Nullable [] bk, float @Nullable [] bv, float @Nullable [] bqkv,
        Matrix wo, float @Nullable [] bo,
        NormWeights ffnNorm,
        @Nullable Matrix ffnGate, @Nullable Matrix ffnUp, @Nullable Matrix ffnDown,
        float @Nullable [] ffnGateBias, float @Nullable [] ffnUpBias, float @Nullable [] ffnDownBias,
        @Nullable MoeWeights moe, @Nullable MlaWeights mla) {

    /** A block with standard attention and a dense FFN. */
    public LayerWeights(NormWeights attnNorm, @Nullable Matrix wq, @Nullable Matrix wk, @Nullable Matrix wv,
                        @Nullable Matrix wqkv, float @Nullable [] bq, float @Nullable [] bk, float @Nullable [] bv,
                        float @Nullable [] bqkv, Matrix wo, float @Nullable [] bo, NormWeights ffnNorm,
                        @Nullable Matrix ffnGate, Matrix ffnUp, Matrix ffnDown, float @Nullable [] ffnGateBias,
                        float @Nullable [] ffnUpBias, float @Nullable [] ffnDownBias) {
        this(attnNorm, wq, wk, wv, wqkv, bq, bk, bv, bqkv, wo, bo, ffnNorm, ffnGate, ffnUp, ffnDown, ffnGateBias,
                ffnUpBias, ffnDownBias, null, null);
    }
}
