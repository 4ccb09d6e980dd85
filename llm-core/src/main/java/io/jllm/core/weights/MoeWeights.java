package io.jllm.core.weights;

import io.jllm.core.ModelConfig;
import io.jllm.core.MoeConfig;
import io.jllm.core.arch.MoeTraits;
import io.jllm.gguf.GgufTensor;
import org.jspecify.annotations.Nullable;

/**
 * The tensors of one mixture-of-experts feed-forward block. The expert stacks
 * {@code ffn_{gate,up,down}_exps} ({@code {n_in, n_out, n_expert}} in the file) are split into
 * per-expert matrix views of the mapped data, so a batch multiplies only the selected experts.
 *
 * @param router        {@code ffn_gate_inp} {n_embd, n_expert}: one logit per expert
 * @param selectionBias {@code exp_probs_b} {n_expert}, added to the probabilities for choosing only (V3), or null
 * @param gate          expert e's {@code ffn_gate_exps} matrix at index e
 * @param up            expert e's {@code ffn_up_exps} matrix
 * @param down          expert e's {@code ffn_down_exps} matrix
 * @param sharedGate    {@code ffn_gate_shexp}, or null without a shared expert
 * @param sharedUp      {@code ffn_up_shexp}, or null
 * @param sharedDown    {@code ffn_down_shexp}, or null
 * @param sharedRouter  {@code ffn_gate_inp_shexp} {n_embd} as a 1-row matrix (qwen2moe), or null
 */
public record MoeWeights(Matrix router, float @Nullable [] selectionBias, Matrix[] gate, Matrix[] up, Matrix[] down,
                         @Nullable Matrix sharedGate, @Nullable Matrix sharedUp, @Nullable Matrix sharedDown,
                         @Nullable Matrix sharedRouter) {

    /** Whether layer {@code layer} of {@code cfg} is a MoE layer. */
    public static boolean isMoeLayer(ModelConfig cfg, int layer) {
        return cfg.moe() != null && cfg.moe().isMoeLayer(layer);
    }

    static MoeWeights load(TensorBinder b, ModelConfig cfg, int layer) {
        MoeConfig m = cfg.moe();
        if (m == null) {
            throw new IllegalStateException("not a MoE model");
        }
        String p = "blk." + layer + ".";
        int e = cfg.embedding();
        int n = m.experts();
        int ff = m.expertFeedForward();
        Matrix router = b.matrix(p + "ffn_gate_inp.weight", e, n);
        float[] bias = b.optionalVector(p + "exp_probs_b.bias", n);
        Matrix[] gate = b.stack(p + "ffn_gate_exps.weight", e, ff, n);
        Matrix[] up = b.stack(p + "ffn_up_exps.weight", e, ff, n);
        Matrix[] down = b.stack(p + "ffn_down_exps.weight", ff, e, n);
        Matrix sg = null;
        Matrix su = null;
        Matrix sd = null;
        Matrix sr = null;
        if (m.shared() != MoeTraits.SharedExpert.NONE) {
            int sf = m.sharedFeedForward();
            sg = b.matrix(p + "ffn_gate_shexp.weight", e, sf);
            su = b.matrix(p + "ffn_up_shexp.weight", e, sf);
            sd = b.matrix(p + "ffn_down_shexp.weight", sf, e);
            if (m.shared() == MoeTraits.SharedExpert.GATED) {
                GgufTensor t = b.tensor(p + "ffn_gate_inp_shexp.weight", e);
                sr = new Matrix(t.name(), t.type(), b.data(t), 1, e);
            }
        }
        return new MoeWeights(router, bias, gate, up, down, sg, su, sd, sr);
    }
}
