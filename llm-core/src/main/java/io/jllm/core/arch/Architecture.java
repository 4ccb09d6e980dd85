package io.jllm.core.arch;

import java.util.Set;

/**
 * What distinguishes one architecture from another, as data: which shared blocks a layer is
 * assembled from and which tensors are required. The forward pass is one generic loop over
 * these traits (as llama.cpp's graph builders compose shared builders); adding an architecture
 * is adding a row to {@link Architectures}, not copying the forward pass.
 *
 * @param name            {@code general.architecture} value
 * @param norm            normalisation of every block and the output
 * @param rope            rotary embedding mode
 * @param ffn             feed-forward kind
 * @param fusedQkv        Q, K and V come from one {@code attn_qkv} matrix (split in that order)
 * @param learnedPositions {@code position_embd} is added to the token embedding
 * @param requiredBiases  bias tensors (suffix after {@code blk.N.}, e.g. {@code attn_q}) that must exist
 * @param tiedOutputAllowed a missing {@code output.weight} means the output reuses {@code token_embd}
 */
public record Architecture(String name, NormKind norm, RopeKind rope, FfnKind ffn, boolean fusedQkv,
                           boolean learnedPositions, Set<String> requiredBiases, boolean tiedOutputAllowed) {
    public Architecture {
        requiredBiases = Set.copyOf(requiredBiases);
    }

    /** The metadata key holding the norm epsilon for this architecture's norm kind. */
    public String normEpsilonKey() {
        return name + (norm == NormKind.RMS ? ".attention.layer_norm_rms_epsilon" : ".attention.layer_norm_epsilon");
    }
}
