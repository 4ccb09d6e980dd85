package io.jllm.synth;

import org.jspecify.annotations.Nullable;

/**
 * The hyperparameters of a model to synthesize: everything that decides tensor shapes and the
 * metadata llama.cpp reads. Dense models have {@code experts == 0}; with experts the
 * feed-forward becomes a mixture of {@code experts} experts, {@code expertsUsed} per token,
 * each of width {@code ffn}.
 *
 * @param arch         llama.cpp architecture name ({@code llama}, {@code qwen2}, {@code qwen2moe})
 * @param dim          embedding length
 * @param layers       block count
 * @param heads        attention heads
 * @param kvHeads      key/value heads
 * @param headDim      per-head dimension (usually {@code dim / heads})
 * @param ffn          feed-forward length (per expert in MoE models)
 * @param vocab        vocabulary size (rows of token_embd)
 * @param context      training context length
 * @param ropeBase     RoPE frequency base
 * @param rmsEps       RMS-norm epsilon
 * @param tied         no output.weight: the output projection reuses token_embd
 * @param qkvBias      Q/K/V projections have biases (qwen2)
 * @param llama3Rope   Llama-3 RoPE frequency factors ({@code rope_freqs.weight}), or null
 * @param experts      number of experts (0 for a dense model)
 * @param expertsUsed  experts used per token
 */
public record ModelShape(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int ffn,
                         int vocab, int context, double ropeBase, double rmsEps, boolean tied, boolean qkvBias,
                         @Nullable Llama3Rope llama3Rope, int experts, int expertsUsed) {

    /** Llama 3's RoPE scaling ({@code rope_scaling.rope_type = llama3} in config.json). */
    public record Llama3Rope(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {}

    public ModelShape {
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kv-heads", kvHeads);
        positive("head-dim", headDim);
        positive("ffn", ffn);
        positive("vocab-size", vocab);
        positive("context", context);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + headDim + " must be even (RoPE rotates pairs)");
        }
        if (experts < 0 || expertsUsed < 0 || (experts > 0 && (expertsUsed == 0 || expertsUsed > experts))) {
            throw new IllegalArgumentException("experts-used (" + expertsUsed + ") must be in 1.." + experts
                    + " when there are experts");
        }
        if (!(ropeBase > 0) || !(rmsEps > 0)) {
            throw new IllegalArgumentException("rope base and rms epsilon must be positive");
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }

    /** Number of weights (all tensors, elements). */
    public long parameterCount() {
        long n = 0;
        for (TensorSpec t : TensorPlan.tensors(this)) {
            n += t.elements();
        }
        return n;
    }

    public ModelShape withDim(int v) {
        return new ModelShape(arch, v, layers, heads, kvHeads, v / heads, ffn, vocab, context, ropeBase, rmsEps,
                tied, qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withHeads(int h, int kv) {
        return new ModelShape(arch, dim, layers, h, kv, dim / h, ffn, vocab, context, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withHeadDim(int v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, v, ffn, vocab, context, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withLayers(int v) {
        return new ModelShape(arch, dim, v, heads, kvHeads, headDim, ffn, vocab, context, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withFfn(int v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, v, vocab, context, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withVocab(int v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, ffn, v, context, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withContext(int v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, v, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withRopeBase(double v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, context, v, rmsEps, tied,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    public ModelShape withTied(boolean v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, context, ropeBase, rmsEps, v,
                qkvBias, llama3Rope, experts, expertsUsed);
    }

    /**
     * With {@code n} experts, {@code used} per token ({@code n == 0}: dense). A dense
     * {@code llama} model becomes Mixtral-style; {@code qwen2} becomes {@code qwen2moe}.
     */
    public ModelShape withExperts(int n, int used) {
        String a = arch;
        if (n > 0 && arch.equals("qwen2")) {
            a = "qwen2moe";
        } else if (n == 0 && arch.equals("qwen2moe")) {
            a = "qwen2";
        }
        return new ModelShape(a, dim, layers, heads, kvHeads, headDim, ffn, vocab, context, ropeBase, rmsEps, tied,
                qkvBias, llama3Rope, n, n == 0 ? 0 : used);
    }
}
