package io.jllm.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.core.KvCacheType;
import io.jllm.core.ops.F32;
import io.jllm.quant.kernel.Parallel;
import io.jllm.quant.kernel.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The blocked prompt path of {@link Attention} (a batch of at least PROMPT_MIN queries) against
 * the per-token path (the same queries attended one at a time, each at its own position): same
 * outputs up to the summation order of the scores (and, with an F16 cache, the fp16 rounding
 * of a probability that order can flip), for GQA groups, both cache types, a batch
 * that does not fill its last block, a batch that starts after cached tokens, and value widths
 * of one, two or a partial register chunk.
 */
class PromptAttentionTest {
    @Test
    void blockedPromptPathMatchesOneQueryAtATime() {
        Assumptions.assumeTrue(!Attention.GGML_ORDER && KvCache.SIMD, "prompt path needs SIMD and fast numerics");
        for (KvCacheType type : KvCacheType.values()) {
            check(type, 8, 2, 64, 64, 0, 37);
            check(type, 4, 4, 48, 32, 5, 20);
            check(type, 6, 1, 40, 24, 0, 9);
            // value widths of several register chunks: 4 + 2 vectors, 2 × 4 (at 16 lanes)
            check(type, 4, 2, 32, 96, 3, 18);
            check(type, 2, 1, 16, 128, 0, 12);
        }
    }

    private static void check(KvCacheType type, int heads, int kvHeads, int dk, int dv, int pos0, int n) {
        Random rnd = new Random(31L * heads + n);
        int context = pos0 + n + 3;
        int qDim = heads * dk;
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            KvCache cache = new KvCache(arena, type, 1, context, kvHeads * dk, kvHeads * dv);
            MemorySegment kv = arena.allocate(4L * (kvHeads * (dk + dv)), 64);
            for (int p = 0; p < pos0 + n; p++) {
                for (int i = 0; i < kvHeads * (dk + dv); i++) {
                    F32.set(kv, i, (float) rnd.nextGaussian());
                }
                cache.store(0, p, kv, 0, kvHeads * dk);
            }
            MemorySegment q = arena.allocate(4L * n * qDim, 64);
            for (long i = 0; i < (long) n * qDim; i++) {
                F32.set(q, i, (float) rnd.nextGaussian());
            }
            float scale = (float) (1 / Math.sqrt(dk));
            Attention att = new Attention(arena, cache, heads, kvHeads, dk, dv, scale, 2);
            MemorySegment blocked = arena.allocate(4L * n * heads * dv, 64);
            att.run(0, pos0, 0, n, q, qDim, blocked, heads * dv, pool);
            MemorySegment single = arena.allocate(4L * n * heads * dv, 64);
            for (int t = 0; t < n; t++) {
                att.run(0, pos0, t, 1, q, qDim, single.asSlice(4L * t * heads * dv), heads * dv, Parallel.SERIAL);
            }
            // F32: only the score summation order differs. F16: a score that moves by an ulp can
            // flip the fp16 rounding of its probability (2^-11 relative), so the bound is
            // 2^-11 · Σ p·|V| ≤ 2^-11 · max |V| (|V| < 6 here).
            float tol = type == KvCacheType.F16 ? 0x1p-11f * 6 : 2e-5f;
            for (long i = 0; i < (long) n * heads * dv; i++) {
                float want = F32.get(single, i);
                assertEquals(want, F32.get(blocked, i), tol * (1 + Math.abs(want)),
                        type + " heads " + heads + "/" + kvHeads + " pos0 " + pos0 + " n " + n + " at " + i);
            }
        }
    }
}
