package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.MlaConfig;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import io.jllm.core.weights.Matrix;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Latent attention the way llama.cpp build 4748 computes it (not absorbed), for
 * {@link io.jllm.quant.kernel.Numerics#REFERENCE}, over the compressed latent cache.
 *
 * <p>The session's cache keeps per token and layer only {@code [c ; k_pe]} (kv_lora_rank + rope
 * values) in F32: the normalised latent exactly, and the roped shared key as the baseline's cache
 * holds it (rounded to fp16 with an F16 expanded type, see {@link #asCached}). At every step the
 * keys and values of all cached positions are rebuilt from it the way the baseline builds them once:
 * {@code [k_nope,h ; v_h] = attn_kv_b · c} through the ordinary matrix product (so with the
 * activation quantization ggml applies to c; in reference numerics every row is computed as a
 * batch of one, so the result does not depend on which rows are rebuilt together), the shared key
 * appended to each head's k_nope, and both written to a per-step workspace of the baseline's
 * per-head layout and type (F16 by default: rounded to fp16 exactly where the reference rounds).
 * Attention is then plain multi-head attention ({@link Attention}) over that workspace with the
 * MLA scale.
 *
 * <p>Costs: the workspace holds {@code context × n_head·(nope+rope+v)} values of one layer (it is
 * reused by every layer and step, not part of the cache), and each layer and step multiplies
 * {@code n_kv} latents by {@code attn_kv_b}: {@code O(n_kv · rank · n_head·(nope+v))} instead of
 * the absorbed form's per-token work. A checking mode, not a serving one.
 */
final class MlaExpanded {
    private final KvCache latents;
    private final KvCache expanded;
    private final Attention attention;
    private final int heads;
    private final int nope;
    private final int rot;
    private final int qk;
    private final int vDim;
    private final int rank;
    private final int lat;
    private final int upRow;
    private final int chunkRows;
    private final boolean f16;
    private final MemorySegment chunk;
    private final MemorySegment up;
    private final MemorySegment row;

    /**
     * @param latents the session's cache: K rows of {@code rank + rope} values in F32, no V
     * @param type    the type of the rebuilt per-head keys and values (the baseline's cache type)
     */
    MlaExpanded(KvCache latents, KvCacheType type, MlaConfig m, int heads, int ubatch, int workers, Arena arena) {
        if (latents.type() != KvCacheType.F32) {
            throw new IllegalArgumentException("the expanded MLA path needs an F32 latent cache, not " + latents.type());
        }
        this.latents = latents;
        this.heads = heads;
        this.nope = m.nopeDim();
        this.rot = m.ropeDim();
        this.qk = m.qkHeadDim();
        this.vDim = m.vDim();
        this.rank = m.kvLoraRank();
        this.lat = m.cacheWidth();
        this.upRow = heads * (nope + vDim);
        this.chunkRows = ubatch;
        this.f16 = type == KvCacheType.F16;
        this.expanded = new KvCache(arena, type, 1, latents.context(), keyWidth(m, heads), valueWidth(m, heads));
        this.attention = new Attention(arena, expanded, heads, heads, qk, vDim, m.kqScale(), workers);
        this.chunk = arena.allocate(4L * ubatch * lat, 64);
        this.up = arena.allocate(4L * ubatch * upRow, 64);
        this.row = arena.allocate(4L * heads * (qk + vDim), 64);
    }

    /** Key values per cached position of the rebuilt per-head keys: n_head · (nope + rope). */
    static int keyWidth(MlaConfig m, int heads) {
        return heads * m.qkHeadDim();
    }

    /** Value values per cached position of the rebuilt per-head values: n_head · v. */
    static int valueWidth(MlaConfig m, int heads) {
        return heads * m.vDim();
    }

    /**
     * Activation bytes besides the cache: the per-head workspace for {@code context} positions in
     * {@code type}, the rebuild buffers and the attention scratch.
     */
    static long workspaceBytes(MlaConfig m, KvCacheType type, int heads, int ubatch, int threads, int context) {
        long perHead = (long) context * (keyWidth(m, heads) + valueWidth(m, heads)) * type.bytes();
        return perHead + 4L * ((long) ubatch * (m.cacheWidth() + heads * (m.nopeDim() + m.vDim()))
                + (long) heads * (m.qkHeadDim() + m.vDim())
                + (long) threads * (context + 2L * m.qkHeadDim() + m.vDim() + 16L * m.vDim()));
    }

    /**
     * Rounds the roped shared key of a latent row (f32, at float index {@code ri} of {@code r}) as
     * the baseline's cache stores it, so that rebuilding from the F32 latent cache and re-rotating
     * it in a context shift give the baseline's values bit for bit.
     */
    void asCached(MemorySegment r, long ri) {
        if (f16) {
            for (int d = 0; d < rot; d++) {
                F32.set(r, ri + rank + d, Fp16.round(F32.get(r, ri + rank + d)));
            }
        }
    }

    /**
     * Attends {@code n} tokens at positions {@code pos0..} of {@code layer}, whose latent rows are
     * already in the cache: rebuilds the keys and values of positions {@code 0 .. pos0+n} from the
     * cache, then runs multi-head attention.
     *
     * @param q   per token and head {@code [q_nope ; q_pe]} (roped), stride {@code heads·(nope+rope)}
     * @param out head h of token t at float index {@code t·heads·v + h·v}
     */
    void run(int layer, Matrix kvB, MemorySegment q, int n, int pos0, MemorySegment out, MemorySegment scratch,
             Parallel par) {
        int nKv = pos0 + n;
        for (int j0 = 0; j0 < nKv; j0 += chunkRows) {
            int m = Math.min(chunkRows, nKv - j0);
            for (int i = 0; i < m; i++) {
                latents.loadK(layer, j0 + i, chunk, (long) i * lat);
            }
            kvB.apply(chunk, lat, m, up, upRow, scratch, par);
            for (int i = 0; i < m; i++) {
                expand(i, j0 + i);
            }
        }
        attention.run(0, pos0, 0, n, q, heads * qk, out, heads * vDim, par);
    }

    /** Writes the per-head keys and values of chunk row i to the workspace cell of position {@code pos}. */
    private void expand(int i, int pos) {
        int kw = heads * qk;
        for (int h = 0; h < heads; h++) {
            long u = (long) i * upRow + (long) h * (nope + vDim);
            F32.copy(up, u, row, (long) h * qk, nope);
            F32.copy(chunk, (long) i * lat + rank, row, (long) h * qk + nope, rot);
            F32.copy(up, u + nope, row, kw + (long) h * vDim, vDim);
        }
        expanded.store(0, pos, row, 0, kw);
    }
}
