package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The type of each tensor for a file type, as llama-quantize would choose it. Pure (every
 * single-type file): every matrix takes the file type, token_embd and output included; 1-D
 * tensors and MoE routers stay F32. Mixes (q4_k_m, ...): llama-quantize's per-tensor rules for
 * the k-quant mixes (output Q6_K; attn_v and ffn_down Q6_K on the layers use_more_bits picks).
 * In both, a matrix whose rows are not a whole number of blocks falls back as llama-quantize does
 * (Q4_K→Q5_0, Q5_K→Q5_1, Q6_K→Q8_0, Q2_K/Q3_K/IQ4_XS→IQ4_NL, others→F16).
 */
public final class TypePlan {
    private TypePlan() {}

    /** The type of every tensor in {@code tensors}, by name, for a model of {@code shape}. */
    public static Map<String, GgmlType> assign(ModelShape shape, List<TensorSpec> tensors, FileType ft,
                                               boolean pure) {
        Map<String, GgmlType> out = new LinkedHashMap<>();
        boolean mix = ft.isMix() && !pure;
        if (mix && !MIXES.contains(ft)) {
            throw new IllegalArgumentException("file type " + ft.cliName() + " is a mix whose rules synth does not"
                    + " implement (supported mixes: q4_k_s, q4_k_m, q5_k_s, q5_k_m); add --pure for single-type " + ft.baseType());
        }
        int attnV = 0;
        int ffnDown = 0;
        int nAttnV = 0;
        for (TensorSpec t : tensors) {
            if (t.baseName().equals("attn_v.weight")) {
                nAttnV++;
            }
        }
        for (TensorSpec t : tensors) {
            GgmlType type;
            if (t.kind() != TensorSpec.Kind.MATRIX) {
                type = GgmlType.F32;
            } else if (!mix) {
                type = ft.baseType();
            } else {
                type = mixType(shape, t, ft, attnV, nAttnV, ffnDown);
                if (t.baseName().equals("attn_v.weight")) {
                    attnV++;
                } else if (t.baseName().contains("ffn_down")) {
                    ffnDown++;
                }
            }
            out.put(t.name(), fallback(type, t.rowLength()));
        }
        return out;
    }

    private static final List<FileType> MIXES = List.of(FileType.Q4_K_S, FileType.Q4_K_M, FileType.Q5_K_S,
            FileType.Q5_K_M);

    private static GgmlType mixType(ModelShape shape, TensorSpec t, FileType ft, int iAttnV, int nAttnV,
                                    int iFfnDown) {
        String base = t.baseName();
        boolean isOutput = t.name().equals("output.weight") || (shape.tied() && t.name().equals("token_embd.weight"));
        // llama-quantize's layer_info: with experts, the layer is parsed from the name (so a shared
        // expert's ffn_down counts as its layer); otherwise a running count of ffn_down tensors
        int iDown = shape.experts() > 1 ? t.layer() : iFfnDown;
        if (isOutput) {
            return t.rowLength() % 256 != 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
        }
        if (base.equals("attn_v.weight")) {
            if (shape.experts() == 8) {
                return GgmlType.Q8_0;
            }
            if ((ft == FileType.Q4_K_M || ft == FileType.Q5_K_M) && useMoreBits(iAttnV, nAttnV)) {
                return GgmlType.Q6_K;
            }
            if (ft == FileType.Q4_K_S && iAttnV < 4) {
                return GgmlType.Q5_K;
            }
        } else if (base.equals("attn_k.weight") && shape.experts() == 8) {
            return GgmlType.Q8_0;
        } else if (base.contains("ffn_down")) {
            if ((ft == FileType.Q4_K_M || ft == FileType.Q5_K_M) && useMoreBits(iDown, shape.layers())) {
                return GgmlType.Q6_K;
            }
            if (ft == FileType.Q4_K_S && iDown < shape.layers() / 8) {
                return GgmlType.Q5_K;
            }
        } else if (base.equals("attn_output.weight") && shape.experts() == 8
                && (ft == FileType.Q4_K_S || ft == FileType.Q4_K_M)) {
            return GgmlType.Q5_K;
        }
        return ft.baseType();
    }

    /** llama-quantize's layer choice for extra bits: the first and last eighth, and every third between. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** The type llama-quantize uses when rows of {@code rowLength} cannot hold whole blocks of {@code type}. */
    static GgmlType fallback(GgmlType type, long rowLength) {
        if (rowLength % type.blockSize() == 0) {
            return type;
        }
        GgmlType f = switch (type) {
            case Q2_K, Q3_K, IQ4_XS, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return rowLength % f.blockSize() == 0 ? f : GgmlType.F16;
    }
}
