package io.jllm.core;

import io.jllm.core.arch.Architecture;
import io.jllm.core.arch.Architectures;
import io.jllm.core.arch.RopeKind;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufMetadata;
import io.jllm.gguf.GgufTensor;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The hyperparameters of a model, read once from GGUF metadata with llama.cpp's defaults
 * (reference sections 5 and 6) and validated. Immutable.
 *
 * @param architecture   the architecture's traits
 * @param layers         {@code block_count}
 * @param embedding      {@code embedding_length} (n_embd)
 * @param feedForward    {@code feed_forward_length} (n_ff)
 * @param heads          {@code attention.head_count}
 * @param kvHeads        {@code attention.head_count_kv} (default: heads)
 * @param headDimK       {@code attention.key_length} (default n_embd / n_head)
 * @param headDimV       {@code attention.value_length} (default n_embd / n_head)
 * @param trainContext   {@code context_length}
 * @param vocabSize      {@code vocab_size}, else the token list's length, else token_embd's rows
 * @param normEpsilon    the RMS or LayerNorm epsilon of the architecture
 * @param ropeDims       {@code rope.dimension_count} (n_rot; default headDimK)
 * @param ropeFreqBase   {@code rope.freq_base} (default 10000)
 * @param ropeScaling    {@code rope.scaling.type} (default linear)
 * @param ropeFreqScale  1 / {@code rope.scaling.factor} (1 when the factor is 0 or the type is none)
 * @param ropeAttnFactor {@code rope.scaling.attn_factor} (default 1)
 * @param ropeOrigContext {@code rope.scaling.original_context_length} (default context_length)
 * @param kqScale        {@code attention.scale}, else 1/√headDimK
 * @param moe            mixture-of-experts hyperparameters, or null for a dense model
 * @param mla            multi-head latent attention hyperparameters (deepseek2), or null
 */
public record ModelConfig(Architecture architecture, int layers, int embedding, int feedForward, int heads,
                          int kvHeads, int headDimK, int headDimV, int trainContext, int vocabSize,
                          float normEpsilon, int ropeDims, float ropeFreqBase, RopeScaling ropeScaling,
                          float ropeFreqScale, float ropeAttnFactor, int ropeOrigContext, float kqScale,
                          @Nullable MoeConfig moe, @Nullable MlaConfig mla) {

    /** A dense model without latent attention. */
    public ModelConfig(Architecture architecture, int layers, int embedding, int feedForward, int heads,
                       int kvHeads, int headDimK, int headDimV, int trainContext, int vocabSize,
                       float normEpsilon, int ropeDims, float ropeFreqBase, RopeScaling ropeScaling,
                       float ropeFreqScale, float ropeAttnFactor, int ropeOrigContext, float kqScale) {
        this(architecture, layers, embedding, feedForward, heads, kvHeads, headDimK, headDimV, trainContext, vocabSize,
                normEpsilon, ropeDims, ropeFreqBase, ropeScaling, ropeFreqScale, ropeAttnFactor, ropeOrigContext,
                kqScale, null, null);
    }

    public ModelConfig {
        check(layers > 0, "block_count must be positive, got " + layers);
        check(embedding > 0, "embedding_length must be positive, got " + embedding);
        check(heads > 0, "attention.head_count must be positive, got " + heads);
        check(kvHeads > 0 && heads % kvHeads == 0, "attention.head_count " + heads
                + " is not a multiple of attention.head_count_kv " + kvHeads);
        check(headDimK > 0 && headDimV > 0, "head dimensions must be positive");
        check(vocabSize > 0, "vocab_size must be positive");
        check(trainContext > 0, "context_length must be positive, got " + trainContext);
        if (architecture.rope() != RopeKind.NONE) {
            check(ropeDims > 0 && ropeDims <= headDimK && ropeDims % 2 == 0, "rope.dimension_count " + ropeDims
                    + " must be even and at most the head dimension " + headDimK);
        }
    }

    private static void check(boolean ok, String msg) {
        if (!ok) {
            throw new ModelLoadException(msg);
        }
    }

    /** Query width: heads × headDimK. */
    public int qDim() {
        return heads * headDimK;
    }

    /** Key width of all KV heads (n_embd_k_gqa). */
    public int kDim() {
        return kvHeads * headDimK;
    }

    /** Value width of all KV heads (n_embd_v_gqa). */
    public int vDim() {
        return kvHeads * headDimV;
    }

    /** Reads and validates the hyperparameters of {@code file}. */
    public static ModelConfig from(GgufFile file) {
        String where = file.path().getFileName().toString();
        String archName = file.architecture();
        if (archName == null) {
            throw new ModelLoadException(where + ": metadata key 'general.architecture' is missing");
        }
        Architecture arch = Architectures.get(archName);
        GgufMetadata md = file.metadata();
        String p = archName + ".";
        try {
            int layers = md.getInt(p + "block_count");
            int embd = md.getInt(p + "embedding_length");
            int ff = md.getInt(p + "feed_forward_length");
            int heads = uniform(md.getIntPerLayer(p + "attention.head_count", layers, 0), p + "attention.head_count", where);
            int kvHeads = uniform(md.getIntPerLayer(p + "attention.head_count_kv", layers, heads),
                    p + "attention.head_count_kv", where);
            if (heads <= 0) {
                throw new ModelLoadException(where + ": metadata key '" + p + "attention.head_count' must be positive");
            }
            int hdk = md.getInt(p + "attention.key_length", embd / heads);
            int hdv = md.getInt(p + "attention.value_length", embd / heads);
            int ctx = md.getInt(p + "context_length");
            int vocab = md.getInt(p + "vocab_size", vocabFallback(file));
            float eps = md.getFloat(arch.normEpsilonKey());
            int nRot = md.getInt(p + "rope.dimension_count", hdk);
            float base = md.getFloat(p + "rope.freq_base", 10000f);
            RopeScaling scaling = RopeScaling.parse(md.getString(p + "rope.scaling.type", "linear"), where);
            float factor = md.contains(p + "rope.scaling.factor") ? md.getFloat(p + "rope.scaling.factor")
                    : md.getFloat(p + "rope.scale_linear", 0f);
            float freqScale = factor == 0f ? 1f : 1f / factor;
            if (scaling == RopeScaling.NONE) {
                freqScale = 1f;
            }
            float attnFactor = md.getFloat(p + "rope.scaling.attn_factor", 1f);
            int orig = md.getInt(p + "rope.scaling.original_context_length", ctx);
            float kqScale = md.contains(p + "attention.scale") ? md.getFloat(p + "attention.scale")
                    : (float) (1.0 / Math.sqrt(hdk));
            MoeConfig moe = MoeConfig.read(md, archName, ff);
            MlaConfig mla = MlaConfig.read(md, archName, embd, heads, nRot, freqScale, attnFactor);
            if (mla != null) { // the per-head dims of the attention that the latent expands to
                hdk = mla.qkHeadDim();
                hdv = mla.vDim();
                kvHeads = heads;
                kqScale = mla.kqScale();
            }
            return new ModelConfig(arch, layers, embd, ff, heads, kvHeads, hdk, hdv, ctx, vocab, eps, nRot, base,
                    scaling, freqScale, attnFactor, orig, kqScale, moe, mla);
        } catch (NoSuchElementException | IllegalArgumentException e) {
            throw new ModelLoadException(e.getMessage(), e);
        } catch (ModelLoadException e) {
            throw new ModelLoadException(where + ": " + e.getMessage(), e);
        }
    }

    private static int uniform(int[] perLayer, String key, String where) {
        for (int v : perLayer) {
            if (v != perLayer[0]) {
                throw new ModelLoadException(where + ": metadata key '" + key
                        + "' differs between layers; per-layer head counts are not supported");
            }
        }
        return perLayer[0];
    }

    private static int vocabFallback(GgufFile file) {
        if (file.metadata().contains("tokenizer.ggml.tokens")) {
            return file.metadata().get("tokenizer.ggml.tokens").length();
        }
        GgufTensor t = file.findTensor("token_embd.weight");
        return t == null ? 0 : (int) t.dim(1);
    }
}
