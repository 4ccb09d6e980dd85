package io.jllm.core.engine;

import io.jllm.core.MlaConfig;
import io.jllm.core.ops.F32;
import io.jllm.core.weights.Matrix;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Latent attention the way llama.cpp build 4748 computes it (not absorbed), for
 * {@link io.jllm.quant.kernel.Numerics#REFERENCE}: per token the keys and values of every head
 * are expanded from the latent, {@code [k_nope,h ; v_h] = attn_kv_b · c} through the ordinary
 * matrix product (so with the activation quantization ggml applies to c), the shared roped key
 * is appended to each head's k_nope, and both go to an ordinary per-head cache (F16 by default,
 * like the reference's). Attention is then plain multi-head attention ({@link Attention}: query
 * and probabilities rounded to fp16 against an F16 cache) with the MLA scale.
 *
 * <p>The cache is the baseline's: {@code n_head · (nope + rope)} key and {@code n_head · v} value
 * values per token and layer, not the compressed latent; that is what reproduces the reference's
 * fp16 rounding of every head's keys and values.
 */
final class MlaExpanded {
    private final KvCache cache;
    private final Attention attention;
    private final int heads;
    private final int nope;
    private final int rot;
    private final int qk;
    private final int vDim;
    private final int rank;
    private final int lat;
    private final int upRow;
    private final MemorySegment up;
    private final MemorySegment row;

    /** @param cache a cache with K rows of {@code heads·(nope+rope)} and V rows of {@code heads·v} values */
    MlaExpanded(KvCache cache, MlaConfig m, int heads, int ubatch, int workers, Arena arena) {
        this.cache = cache;
        this.heads = heads;
        this.nope = m.nopeDim();
        this.rot = m.ropeDim();
        this.qk = m.qkHeadDim();
        this.vDim = m.vDim();
        this.rank = m.kvLoraRank();
        this.lat = m.cacheWidth();
        this.upRow = heads * (nope + vDim);
        this.attention = new Attention(arena, cache, heads, heads, qk, vDim, m.kqScale(), workers);
        this.up = arena.allocate(4L * ubatch * upRow, 64);
        this.row = arena.allocate(4L * heads * (qk + vDim), 64);
    }

    /** Cache values per token and layer: the baseline's per-head keys and values. */
    static int keyWidth(MlaConfig m, int heads) {
        return heads * m.qkHeadDim();
    }

    static int valueWidth(MlaConfig m, int heads) {
        return heads * m.vDim();
    }

    /** Activation bytes besides the cache. */
    static long workspaceBytes(MlaConfig m, int heads, int ubatch, int threads, int context) {
        return 4L * ((long) ubatch * heads * (m.nopeDim() + m.vDim()) + (long) heads * (m.qkHeadDim() + m.vDim())
                + (long) threads * (context + 2L * m.qkHeadDim() + m.vDim()));
    }

    /**
     * Expands and stores the keys and values of {@code n} tokens at positions {@code pos0..}, then
     * attends them.
     *
     * @param ckv   per token {@code [c ; k_pe]} (stride rank + rope): the normalised latent and the roped shared key
     * @param q     per token and head {@code [q_nope ; q_pe]} (roped), stride {@code heads·(nope+rope)}
     * @param out   head h of token t at float index {@code t·heads·v + h·v}
     */
    void run(int layer, Matrix kvB, MemorySegment ckv, MemorySegment q, int n, int pos0, MemorySegment out,
             MemorySegment scratch, Parallel par) {
        kvB.apply(ckv, lat, n, up, upRow, scratch, par);
        int kw = heads * qk;
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                long u = (long) t * upRow + (long) h * (nope + vDim);
                F32.copy(up, u, row, (long) h * qk, nope);
                F32.copy(ckv, (long) t * lat + rank, row, (long) h * qk + nope, rot);
                F32.copy(up, u + nope, row, kw + (long) h * vDim, vDim);
            }
            cache.store(layer, pos0 + t, row, 0, kw);
        }
        attention.run(layer, pos0, 0, n, q, kw, out, heads * vDim, par);
    }
}
