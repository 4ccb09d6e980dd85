package io.jllm.core;

import io.jllm.gguf.GgufMetadata;
import org.jspecify.annotations.Nullable;

/**
 * Multi-head latent attention hyperparameters (deepseek2; reference sections 6 and 10), present
 * when the file has {@code attention.kv_lora_rank}.
 *
 * <p>Older files give the per-head dims in {@code attention.key_length} (nope + rope) and
 * {@code value_length}; files converted for llama.cpp's absorbed MLA give them in
 * {@code key_length_mla} / {@code value_length_mla} (their plain keys then describe the latent
 * cache row: kv_lora_rank + rope and kv_lora_rank).
 *
 * @param qLoraRank      {@code attention.q_lora_rank}, 0 when the query is projected directly ({@code attn_q})
 * @param kvLoraRank     {@code attention.kv_lora_rank}: width of the compressed latent c
 * @param nopeDim        per-head key dims without RoPE (qk_nope_head_dim)
 * @param ropeDim        per-head RoPE dims, shared key (qk_rope_head_dim = rope.dimension_count)
 * @param vDim           per-head value dims
 * @param kqScale        the attention scale {@code mscale² / √(nope + rope)}
 * @param ropeAttnFactor the RoPE attn_factor {@code 1 / (1 + 0.1·ln(1/freq_scale))}, cancelling ggml's YaRN magnitude
 */
public record MlaConfig(int qLoraRank, int kvLoraRank, int nopeDim, int ropeDim, int vDim, float kqScale,
                        float ropeAttnFactor) {

    public MlaConfig {
        if (kvLoraRank <= 0 || nopeDim < 0 || ropeDim <= 0 || ropeDim % 2 != 0 || vDim <= 0 || qLoraRank < 0) {
            throw new ModelLoadException("inconsistent MLA dimensions: kv_lora_rank " + kvLoraRank + ", nope " + nopeDim
                    + ", rope " + ropeDim + ", value " + vDim + ", q_lora_rank " + qLoraRank);
        }
    }

    /** Per-head query/key width (nope + rope). */
    public int qkHeadDim() {
        return nopeDim + ropeDim;
    }

    /** Values per token and layer in the compressed cache: the normalised latent and the roped shared key. */
    public int cacheWidth() {
        return kvLoraRank + ropeDim;
    }

    /**
     * Reads the MLA keys of {@code arch}; null when {@code attention.kv_lora_rank} is absent.
     *
     * @param ropeDims   {@code rope.dimension_count}
     * @param freqScale  the RoPE frequency scale (1/factor)
     * @param attnFactor {@code rope.scaling.attn_factor}
     */
    static @Nullable MlaConfig read(GgufMetadata md, String arch, int embedding, int heads, int ropeDims,
                                    float freqScale, float attnFactor) {
        String p = arch + ".";
        int rank = md.getInt(p + "attention.kv_lora_rank", 0);
        if (rank <= 0) {
            return null;
        }
        boolean split = md.contains(p + "attention.key_length_mla") && md.contains(p + "attention.value_length_mla");
        int qk = split ? md.getInt(p + "attention.key_length_mla") : md.getInt(p + "attention.key_length", embedding / heads);
        int v = split ? md.getInt(p + "attention.value_length_mla") : md.getInt(p + "attention.value_length", embedding / heads);
        if (ropeDims >= qk) {
            throw new ModelLoadException("rope.dimension_count " + ropeDims + " must be below the MLA key length " + qk);
        }
        float logMul = md.getFloat(p + "rope.scaling.yarn_log_multiplier", 0f);
        // llama.cpp build_deepseek2: pre-scale kq_scale and the RoPE attn_factor so YaRN works
        float mscale = attnFactor * (1.0f + logMul * (float) Math.log(1.0f / freqScale));
        float kqScale = mscale * mscale / (float) Math.sqrt((float) qk);
        float ropeAttn = 1.0f / (1.0f + 0.1f * (float) Math.log(1.0f / freqScale));
        return new MlaConfig(md.getInt(p + "attention.q_lora_rank", 0), rank, qk - ropeDims, ropeDims, v, kqScale,
                ropeAttn);
    }
}
