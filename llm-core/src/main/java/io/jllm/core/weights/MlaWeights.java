package io.jllm.core.weights;

import io.jllm.core.MlaConfig;
import io.jllm.core.ModelConfig;
import io.jllm.core.ModelLoadException;
import org.jspecify.annotations.Nullable;

/**
 * The tensors of one multi-head latent attention block (deepseek2).
 *
 * <p>The key/value up-projection comes either as {@code attn_kv_b} {kv_lora_rank, n_head·(nope + v)}
 * (per head: nope key rows, then v value rows) or, in files converted for absorbed MLA, as
 * {@code attn_k_b} {nope, kv_lora_rank, n_head} (already transposed) and {@code attn_v_b}
 * {kv_lora_rank, v, n_head}. Either way {@link #valueUp} holds, per head, the v × kv_lora_rank
 * matrix that turns an attended latent into that head's value output, as views of the file.
 *
 * @param wq       {@code attn_q} {n_embd, n_head·(nope+rope)} without the query low-rank path, else null
 * @param wqA      {@code attn_q_a} {n_embd, q_lora_rank}, or null
 * @param qANorm   {@code attn_q_a_norm} {q_lora_rank}, or null
 * @param wqB      {@code attn_q_b} {q_lora_rank, n_head·(nope+rope)}, or null
 * @param wkvA     {@code attn_kv_a_mqa} {n_embd, kv_lora_rank + rope}: the latent and the shared rope key
 * @param kvANorm  {@code attn_kv_a_norm} {kv_lora_rank}
 * @param wkvB     {@code attn_kv_b} when the key absorption reads it row by row (no {@code attn_k_b}), else null
 * @param keyAbsorb per head, {@code attn_k_b}'s kv_lora_rank × nope matrix (q_lat = W·q_nope), or null (use wkvB)
 * @param valueUp  per head, the v × kv_lora_rank value up-projection
 */
public record MlaWeights(@Nullable Matrix wq, @Nullable Matrix wqA, float @Nullable [] qANorm, @Nullable Matrix wqB,
                         Matrix wkvA, float[] kvANorm, @Nullable Matrix wkvB, Matrix @Nullable [] keyAbsorb,
                         Matrix[] valueUp) {

    static MlaWeights load(TensorBinder b, ModelConfig cfg, int layer) {
        MlaConfig m = cfg.mla();
        if (m == null) {
            throw new IllegalStateException("not an MLA model");
        }
        String p = "blk." + layer + ".";
        int e = cfg.embedding();
        int heads = cfg.heads();
        int qk = m.qkHeadDim();
        int rank = m.kvLoraRank();
        Matrix wq = null;
        Matrix wqA = null;
        float[] qANorm = null;
        Matrix wqB = null;
        if (m.qLoraRank() > 0) {
            wqA = b.matrix(p + "attn_q_a.weight", e, m.qLoraRank());
            qANorm = b.vector(p + "attn_q_a_norm.weight", m.qLoraRank());
            wqB = b.matrix(p + "attn_q_b.weight", m.qLoraRank(), heads * qk);
        } else {
            wq = b.matrix(p + "attn_q.weight", e, heads * qk);
        }
        Matrix wkvA = b.matrix(p + "attn_kv_a_mqa.weight", e, m.cacheWidth());
        float[] kvANorm = b.vector(p + "attn_kv_a_norm.weight", rank);
        if (b.has(p + "attn_k_b.weight") && b.has(p + "attn_v_b.weight")) {
            Matrix[] kb = b.stack(p + "attn_k_b.weight", m.nopeDim(), rank, heads);
            Matrix[] vb = b.stack(p + "attn_v_b.weight", rank, m.vDim(), heads);
            return new MlaWeights(wq, wqA, qANorm, wqB, wkvA, kvANorm, null, kb, vb);
        }
        Matrix kvB = b.matrix(p + "attn_kv_b.weight", rank, heads * (m.nopeDim() + m.vDim()));
        if (!TensorRows.supports(kvB.type())) {
            throw new ModelLoadException("tensor '" + kvB.name() + "' has type " + kvB.type()
                    + ", whose rows cannot be decoded for the key absorption");
        }
        Matrix[] vb = new Matrix[heads];
        long rowBytes = kvB.rowBytes();
        for (int h = 0; h < heads; h++) {
            long first = (long) h * (m.nopeDim() + m.vDim()) + m.nopeDim();
            vb[h] = new Matrix(kvB.name() + "[v" + h + "]", kvB.type(),
                    kvB.data().asSlice(first * rowBytes, m.vDim() * rowBytes), m.vDim(), rank);
        }
        return new MlaWeights(wq, wqA, qANorm, wqB, wkvA, kvANorm, kvB, null, vb);
    }
}
