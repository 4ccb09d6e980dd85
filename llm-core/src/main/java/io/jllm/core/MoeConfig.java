package io.jllm.core;

import io.jllm.core.arch.MoeTraits;
import io.jllm.gguf.GgufMetadata;
import org.jspecify.annotations.Nullable;

/**
 * The mixture-of-experts hyperparameters of a model (reference sections 6 and 10), or absent
 * when {@code expert_count} is 0 or missing.
 *
 * @param experts           {@code expert_count}
 * @param expertsUsed       {@code expert_used_count} (top-k)
 * @param expertFeedForward width of a routed expert: {@code expert_feed_forward_length}, else n_ff
 * @param shared            kind of shared expert
 * @param sharedFeedForward width of the shared expert (0 when there is none)
 * @param leadingDense      {@code leading_dense_block_count}: layers below it use the dense FFN
 * @param gating            {@code expert_gating_func}: 1 softmax, 2 sigmoid, 0/missing softmax
 * @param normWeights       renormalise the selected weights by their sum
 * @param weightsScale      factor on the weights after normalisation (1 = none)
 * @param groups            {@code expert_group_count} (≤ 1: no group-limited routing)
 * @param groupsUsed        {@code expert_group_used_count}
 */
public record MoeConfig(int experts, int expertsUsed, int expertFeedForward, MoeTraits.SharedExpert shared,
                        int sharedFeedForward, int leadingDense, Gating gating, boolean normWeights,
                        float weightsScale, int groups, int groupsUsed) {

    /** How router logits become probabilities. */
    public enum Gating {
        SOFTMAX, SIGMOID
    }

    public MoeConfig {
        check(experts > 0 && expertsUsed > 0 && expertsUsed <= experts, "expert_used_count " + expertsUsed
                + " must be in [1, expert_count " + experts + "]");
        check(expertFeedForward > 0, "expert feed-forward length must be positive, got " + expertFeedForward);
        check(shared == MoeTraits.SharedExpert.NONE || sharedFeedForward > 0,
                "shared expert feed-forward length must be positive, got " + sharedFeedForward);
        check(leadingDense >= 0, "leading_dense_block_count must not be negative, got " + leadingDense);
        if (groups > 1) {
            check(experts % groups == 0, "expert_count " + experts + " is not a multiple of expert_group_count " + groups);
            check(experts / groups >= 2, "expert groups need at least 2 experts each (top-2 group score)");
            check(groupsUsed > 0 && groupsUsed <= groups, "expert_group_used_count " + groupsUsed
                    + " must be in [1, expert_group_count " + groups + "]");
            check(groupsUsed * (experts / groups) >= expertsUsed, "expert_group_used_count " + groupsUsed
                    + " leaves fewer than expert_used_count " + expertsUsed + " experts");
        }
    }

    private static void check(boolean ok, String msg) {
        if (!ok) {
            throw new ModelLoadException(msg);
        }
    }

    /** Whether layer {@code layer} uses the experts (rather than the dense FFN). */
    public boolean isMoeLayer(int layer) {
        return layer >= leadingDense;
    }

    /**
     * Reads the MoE keys of architecture {@code arch} (key prefix {@code arch + "."}); null when
     * the model has no experts.
     *
     * @param feedForward the model's {@code feed_forward_length}
     */
    static @Nullable MoeConfig read(GgufMetadata md, String arch, int feedForward) {
        String p = arch + ".";
        int experts = md.getInt(p + "expert_count", 0);
        if (experts <= 0) {
            return null;
        }
        MoeTraits traits = MoeTraits.find(arch);
        if (traits == null) {
            throw new ModelLoadException("architecture '" + arch + "' has expert_count " + experts
                    + " but no mixture-of-experts support");
        }
        int used = md.getInt(p + "expert_used_count", 0);
        int ffExp = md.getInt(p + "expert_feed_forward_length", 0);
        if (ffExp == 0) {
            ffExp = traits.shared() == MoeTraits.SharedExpert.GATED ? feedForward / Math.max(1, used) : feedForward;
        }
        int sharedFf = switch (traits.shared()) {
            case NONE -> 0;
            case GATED -> md.getInt(p + "expert_shared_feed_forward_length", feedForward);
            case UNGATED -> ffExp * md.getInt(p + "expert_shared_count", 0);
        };
        MoeTraits.SharedExpert shared = sharedFf == 0 ? MoeTraits.SharedExpert.NONE : traits.shared();
        int func = md.getInt(p + "expert_gating_func", 0);
        Gating gating = switch (func) {
            case 0, 1 -> Gating.SOFTMAX;
            case 2 -> Gating.SIGMOID;
            default -> throw new ModelLoadException("metadata key '" + p + "expert_gating_func' has unsupported value "
                    + func + " (1 softmax, 2 sigmoid)");
        };
        boolean norm = traits.normFromMetadata() ? md.getBoolean(p + "expert_weights_norm", false) : traits.normWeights();
        float scale = traits.scaleFromMetadata() ? md.getFloat(p + "expert_weights_scale", 1f) : 1f;
        if (scale == 0f) {
            scale = 1f; // as newer llama.cpp: a scale of 0 (unset) is not applied
        }
        int groups = md.getInt(p + "expert_group_count", 0);
        int groupsUsed = md.getInt(p + "expert_group_used_count", 0);
        return new MoeConfig(experts, used, ffExp, shared, sharedFf, md.getInt(p + "leading_dense_block_count", 0),
                gating, norm, scale, groups, groupsUsed);
    }
}
