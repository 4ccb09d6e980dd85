package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufMetadata;
import io.jllm.gguf.GgufTensor;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * llama-quantize's choice of tensor type (llama.cpp build 4748, {@code llama_model_quantize_impl}
 * and {@code llama_tensor_get_type}, without imatrix or overrides): which tensors are quantized,
 * the per-tensor rules of the K-quant mixes, the output/token-embedding special cases, the
 * MoE rules, and the fallbacks for rows that are not a multiple of the block size. Stateful like
 * llama.cpp's {@code quantize_state_impl}: call {@link #choose} once per tensor in
 * {@link ModelQuantizer#fileOrder file order}.
 */
final class TensorTypeRules {
    private static final Pattern BLOCK = Pattern.compile("^blk\\.(-?\\d+)\\.");
    private static final List<String> NOT_QUANTIZED = List.of("_norm.weight", "ffn_gate_inp.weight",
            "ssm_conv1d.weight", "time_mix_first.weight", "time_mix_w1.weight", "time_mix_w2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
            "attn_rel_b.weight");

    private final LlamaFileType ftype;
    private final boolean pure;
    private final boolean leaveOutput;
    private final @Nullable GgmlType outputType;
    private final @Nullable GgmlType tokenEmbeddingType;
    private final String arch;
    private final int nLayer;
    private final int nExpert;
    private final int nGqa;
    private final boolean is70B;
    private final boolean hasOutput;
    private final int nAttentionWv;
    private final Consumer<String> warn;
    private int iAttentionWv;
    private int iFfnDown;
    private int iFfnGate;
    private int iFfnUp;

    TensorTypeRules(GgufMetadata md, List<GgufTensor> tensors, ModelQuantizer.Options options, Consumer<String> warn) {
        this.ftype = options.fileType();
        this.pure = options.pure();
        this.leaveOutput = options.leaveOutputTensor();
        this.outputType = options.outputTensorType();
        this.tokenEmbeddingType = options.tokenEmbeddingType();
        this.warn = warn;
        this.arch = md.getString("general.architecture", "");
        this.nLayer = md.getInt(arch + ".block_count", 0);
        this.nExpert = md.getInt(arch + ".expert_count", 0);
        int nHead = nLayer > 0 ? md.getIntPerLayer(arch + ".attention.head_count", nLayer, 0)[0]
                : md.getInt(arch + ".attention.head_count", 0);
        int nHeadKv = nLayer > 0 ? md.getIntPerLayer(arch + ".attention.head_count_kv", nLayer, nHead)[0]
                : md.getInt(arch + ".attention.head_count_kv", nHead);
        this.nGqa = nHeadKv == 0 ? 0 : nHead / nHeadKv;
        // llama.cpp's LLM_TYPE_70B: an 80-layer llama with grouped KV heads
        this.is70B = arch.equals("llama") && nLayer == 80 && nHead != nHeadKv;
        int wv = 0;
        boolean output = false;
        for (GgufTensor t : tensors) {
            String n = t.name();
            if (n.contains("attn_v.weight") || n.contains("attn_qkv.weight") || n.contains("attn_kv_b.weight")) {
                wv++;
            } else if (n.equals("output.weight")) {
                output = true;
            }
        }
        this.nAttentionWv = wv;
        this.hasOutput = output;
    }

    /** ggml's {@code ggml_n_dims}: trailing dimensions of 1 do not count. */
    static int ggmlDims(GgufTensor t) {
        for (int i = t.nDims() - 1; i >= 1; i--) {
            if (t.dim(i) > 1) {
                return i + 1;
            }
        }
        return 1;
    }

    /** Whether llama-quantize quantizes this tensor at all (2-D/3-D weights except norms, routers, ...). */
    static boolean quantizable(GgufTensor t) {
        String n = t.name();
        if (!n.endsWith("weight") || ggmlDims(t) < 2) {
            return false;
        }
        for (String s : NOT_QUANTIZED) {
            if (n.contains(s)) {
                return false;
            }
        }
        return !n.equals("position_embd.weight") && !n.equals("token_types.weight");
    }

    /** The type this tensor is written with. */
    GgmlType choose(GgufTensor t) {
        String name = t.name();
        if (!quantizable(t) || (leaveOutput && name.equals("output.weight"))) {
            return t.type();
        }
        GgmlType type = ftype.defaultType();
        if (type.isQuantized()) {
            type = pure ? type : mixType(t, type);
            type = fallback(t, type);
        }
        // the explicit overrides win last, as in llama_model_quantize_impl (also with --pure)
        if (tokenEmbeddingType != null && name.equals("token_embd.weight")) {
            type = tokenEmbeddingType;
        }
        if (outputType != null && name.equals("output.weight")) {
            type = outputType;
        }
        if (t.dim(0) % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + t.dim(0)
                    + " values are not a multiple of the " + type + " block size " + type.blockSize());
        }
        return type;
    }

    private static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    private int layerOf(String name, int counter) {
        if (nExpert <= 1) {
            return counter;
        }
        Matcher m = BLOCK.matcher(name);
        if (!m.find()) {
            throw new IllegalArgumentException("cannot determine the layer of tensor '" + name + "'");
        }
        int layer = Integer.parseInt(m.group(1));
        if (layer < 0 || layer >= nLayer) {
            throw new IllegalArgumentException("tensor '" + name + "': layer " + layer + " is not in [0, " + nLayer + ")");
        }
        return layer;
    }

    private boolean is(LlamaFileType... any) {
        for (LlamaFileType f : any) {
            if (f == ftype) {
                return true;
            }
        }
        return false;
    }

    /** {@code llama_tensor_get_type} before the fallback, for the file types supported here. */
    private GgmlType mixType(GgufTensor t, GgmlType type) {
        String name = t.name();
        boolean falcon = arch.equals("falcon");
        if (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"))) {
            if (outputType != null) {
                return outputType;
            }
            if (falcon || t.dim(0) % type.blockSize() != 0) {
                return GgmlType.Q8_0;
            }
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
        }
        if (name.equals("token_embd.weight")) {
            return tokenEmbeddingType != null ? tokenEmbeddingType : type;
        }
        if (name.contains("attn_v.weight")) {
            if (is(LlamaFileType.Q2_K)) {
                type = nGqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (is(LlamaFileType.Q3_K_M)) {
                type = iAttentionWv < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (is(LlamaFileType.Q3_K_L)) {
                type = GgmlType.Q5_K;
            } else if (is(LlamaFileType.IQ4_NL, LlamaFileType.IQ4_XS) && nGqa >= 4) {
                type = GgmlType.Q5_K;
            } else if (is(LlamaFileType.Q4_K_M, LlamaFileType.Q5_K_M) && useMoreBits(iAttentionWv, nAttentionWv)) {
                type = GgmlType.Q6_K;
            } else if (is(LlamaFileType.Q4_K_S) && iAttentionWv < 4) {
                type = GgmlType.Q5_K;
            }
            if (is70B && (type == GgmlType.Q3_K || type == GgmlType.Q4_K)) {
                type = GgmlType.Q5_K;
            }
            if (nExpert == 8) {
                type = GgmlType.Q8_0;
            }
            iAttentionWv++;
        } else if (name.contains("attn_k.weight")) {
            if (nExpert == 8) {
                type = GgmlType.Q8_0;
            }
        } else if (name.contains("ffn_down")) {
            int i = layerOf(name, iFfnDown);
            int n = nLayer;
            if (is(LlamaFileType.Q2_K)) {
                type = GgmlType.Q3_K;
            } else if (is(LlamaFileType.Q3_K_M)) {
                type = i < n / 16 ? GgmlType.Q5_K
                        : !falcon || useMoreBits(i, n) ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (is(LlamaFileType.Q3_K_L)) {
                type = falcon ? GgmlType.Q4_K : GgmlType.Q5_K;
            } else if (is(LlamaFileType.Q4_K_M)) {
                if (falcon) {
                    type = i < n / 16 ? GgmlType.Q6_K : useMoreBits(i, n) ? GgmlType.Q5_K : GgmlType.Q4_K;
                } else if (useMoreBits(i, n)) {
                    type = GgmlType.Q6_K;
                }
            } else if (i < n / 8 && is(LlamaFileType.IQ4_NL, LlamaFileType.IQ4_XS)) {
                type = GgmlType.Q5_K;
            } else if (is(LlamaFileType.Q5_K_M) && useMoreBits(i, n)) {
                type = GgmlType.Q6_K;
            } else if (is(LlamaFileType.Q4_K_S) && !falcon && i < n / 8) {
                type = GgmlType.Q5_K;
            }
            iFfnDown++;
        } else if (name.contains("attn_output.weight")) {
            if (!falcon) {
                if (nExpert == 8) {
                    if (is(LlamaFileType.Q2_K, LlamaFileType.Q3_K_S, LlamaFileType.Q3_K_M, LlamaFileType.IQ4_NL,
                            LlamaFileType.Q4_K_S, LlamaFileType.Q4_K_M, LlamaFileType.IQ4_XS)) {
                        type = GgmlType.Q5_K;
                    }
                } else if (is(LlamaFileType.Q2_K)) {
                    type = GgmlType.Q3_K;
                } else if (is(LlamaFileType.Q3_K_M)) {
                    type = GgmlType.Q4_K;
                } else if (is(LlamaFileType.Q3_K_L)) {
                    type = GgmlType.Q5_K;
                }
            } else if (is(LlamaFileType.Q3_K_L)) {
                type = GgmlType.Q4_K;
            }
        } else if (name.contains("attn_qkv.weight")) {
            if (is(LlamaFileType.Q3_K_M, LlamaFileType.Q3_K_L)) {
                type = GgmlType.Q4_K;
            } else if (is(LlamaFileType.Q4_K_M)) {
                type = GgmlType.Q5_K;
            } else if (is(LlamaFileType.Q5_K_M)) {
                type = GgmlType.Q6_K;
            }
        } else if (name.contains("ffn_gate")) {
            layerOf(name, iFfnGate);
            iFfnGate++;
        } else if (name.contains("ffn_up")) {
            layerOf(name, iFfnUp);
            iFfnUp++;
        }
        return type;
    }

    /** Rows that the chosen type cannot hold fall back to a 32-block type, or F16 (llama.cpp's table). */
    private GgmlType fallback(GgufTensor t, GgmlType type) {
        long nx = t.dim(0);
        if (nx % type.blockSize() == 0) {
            return type;
        }
        GgmlType to = switch (type) {
            case TQ1_0, TQ2_0 -> GgmlType.Q4_0;
            case IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M, Q2_K, Q3_K, IQ4_XS -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "': rows of " + nx
                    + " values are not a multiple of the " + type + " block size " + type.blockSize()
                    + " and llama-quantize has no fallback for " + type);
        };
        if (nx % to.blockSize() != 0) {
            to = GgmlType.F16;
        }
        warn.accept(t.name() + ": rows of " + nx + " are not a multiple of " + type.blockSize() + " (" + type
                + "); using " + to + (pure ? " (llama-quantize --pure would abort here)" : ""));
        return to;
    }
}
