package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import io.jllm.core.ops.GgmlExp;
import io.jllm.quant.kernel.Numerics;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Causal multi-head attention over the KV cache for a batch of query tokens, covering MHA, GQA
 * and MQA (query head h reads KV head {@code h / (heads / kvHeads)}). Per (token, head):
 * {@code softmax(q·Kᵀ · scale + mask) · V} with ggml's softmax (max-subtracted exp, sum in
 * double, multiply by {@code (float)(1/sum)}). With an F16 cache the query is rounded to fp16
 * for Q·K and the probabilities to fp16 for the sum over V, as llama.cpp's mul_mat does.
 * One instance per session; the (token, KV head) pairs are split over the workers, each with its
 * own scratch, so a call allocates nothing. A pair handles all query heads of its group at once:
 * each K and V row is widened to f32 once and used by every head of the group (the products and
 * their summation order are those of {@link KvCache#dotK} and {@link KvCache#axpyV}).
 */
final class Attention implements Parallel.RangeTask {
    /**
     * {@link Numerics#REFERENCE}: the sums over cache cells in llama.cpp's order (AVX-512 build,
     * cache padded to 32 cells): the probability-weighted value sum is tinyBLAS's, 16 lanes
     * striding over the cells ({@code lane = j mod 16}) then added pairwise
     * ({@code _mm512_reduce_add_ps}); the softmax uses {@link GgmlExp}.
     */
    static final boolean GGML_ORDER = Numerics.current() == Numerics.REFERENCE;
    private static final int LANES = 16;
    private final KvCache cache;
    private final int kvHeads;
    private final int groupSize;
    private final int headDimK;
    private final int headDimV;
    private final float scale;
    private final int context;
    private final MemorySegment[] scores;
    private final MemorySegment[] qRounded;
    private final MemorySegment[] rows;
    private final float[][] invs;
    private final float[][] chunk;
    /** Prompt batches of at least {@link #PROMPT_MIN} tokens, unless {@link #GGML_ORDER} or no SIMD. */
    private final @Nullable PromptAttention prompt;
    static final int PROMPT_MIN = PromptAttention.QB / 2;
    /** Per worker, with {@link #GGML_ORDER}: 16 lane partial sums of each head's output. */
    private final MemorySegment @Nullable [] laneSums;

    // per-call state (set by run(), read by the workers)
    private int layer;
    private int pos0;
    private int row0;
    private MemorySegment q = MemorySegment.NULL;
    private int qStride;
    private MemorySegment out = MemorySegment.NULL;
    private int outStride;

    Attention(Arena arena, KvCache cache, int heads, int kvHeads, int headDimK, int headDimV, float scale, int workers) {
        this.cache = cache;
        this.kvHeads = kvHeads;
        this.groupSize = heads / kvHeads;
        this.headDimK = headDimK;
        this.headDimV = headDimV;
        this.scale = scale;
        this.context = cache.context();
        this.scores = new MemorySegment[workers];
        this.qRounded = new MemorySegment[workers];
        this.rows = new MemorySegment[workers];
        this.invs = new float[workers][groupSize];
        this.chunk = new float[workers][GgmlExp.CHUNK];
        for (int w = 0; w < workers; w++) {
            scores[w] = arena.allocate(4L * groupSize * context, 64);
            qRounded[w] = arena.allocate(4L * groupSize * headDimK, 64);
            rows[w] = arena.allocate(4L * Math.max(headDimK, headDimV), 64);
        }
        this.prompt = GGML_ORDER || !KvCache.SIMD ? null
                : new PromptAttention(arena, cache, heads, kvHeads, headDimK, headDimV, scale, workers);
        this.laneSums = GGML_ORDER ? new MemorySegment[workers] : null;
        if (laneSums != null) {
            for (int w = 0; w < workers; w++) {
                laneSums[w] = arena.allocate(4L * LANES * groupSize * headDimV, 64);
            }
        }
    }

    /**
     * Attends the {@code n} query tokens in rows {@code row0 ..} of q, at positions
     * {@code pos0 + row0 ..} (their K/V already stored), and writes each head's output for query
     * t at {@code out[t*outStride + h*headDimV]}.
     */
    void run(int layer, int pos0, int row0, int n, MemorySegment q, int qStride, MemorySegment out, int outStride,
             Parallel par) {
        if (prompt != null && n >= PROMPT_MIN) {
            prompt.run(layer, pos0, row0, n, q, qStride, out, outStride, par);
            return;
        }
        this.layer = layer;
        this.pos0 = pos0;
        this.row0 = row0;
        this.q = q;
        this.qStride = qStride;
        this.out = out;
        this.outStride = outStride;
        par.forRange(n * kvHeads, this);
    }

    @Override
    public void run(int from, int to, int worker) {
        for (int w = from; w < to; w++) {
            group(w / kvHeads, w % kvHeads, worker);
        }
    }

    /** Query token t for the query heads of KV head kvh. */
    private void group(int t, int kvh, int worker) {
        MemorySegment sc = scores[worker];
        MemorySegment row = rows[worker];
        float[] inv = invs[worker];
        boolean f16 = cache.type() == KvCacheType.F16;
        int nKv = pos0 + row0 + t + 1; // cells after the query's position are masked (−inf → weight 0)
        roundQueries(t, kvh, qRounded[worker], f16);
        for (int j = 0; j < nKv; j++) {
            cache.widenK(layer, j, kvh * headDimK, headDimK, row, 0);
            for (int g = 0; g < groupSize; g++) {
                float s = KvCache.dot(qRounded[worker], (long) g * headDimK, row, 0, headDimK) * scale;
                F32.set(sc, (long) g * context + j, s);
            }
        }
        for (int g = 0; g < groupSize; g++) {
            inv[g] = GGML_ORDER ? GgmlExp.softmax(sc, (long) g * context, nKv, chunk[worker])
                    : softmax(sc, (long) g * context, nKv);
            long oi = (long) t * outStride + (long) (kvh * groupSize + g) * headDimV;
            for (int d = 0; d < headDimV; d++) {
                F32.set(out, oi + d, 0f);
            }
        }
        if (laneSums != null) {
            laneOrderedValues(t, kvh, nKv, sc, row, inv, f16, laneSums[worker]);
            return;
        }
        for (int j = 0; j < nKv; j++) {
            cache.widenV(layer, j, kvh * headDimV, headDimV, row, 0);
            for (int g = 0; g < groupSize; g++) {
                float p = F32.get(sc, (long) g * context + j) * inv[g];
                if (f16) {
                    p = Fp16.round(p);
                }
                long oi = (long) t * outStride + (long) (kvh * groupSize + g) * headDimV;
                KvCache.axpy(p, row, 0, out, oi, headDimV);
            }
        }
    }

    /**
     * {@code out = Σ_j p_j·V_j} as tinyBLAS sums it: cell j goes to lane {@code j mod 16} (each
     * product of two halves is exact, so fma and add agree), then the 16 lanes are added
     * pairwise, {@code lane[i] += lane[i + w]} for w = 8, 4, 2, 1.
     */
    private void laneOrderedValues(int t, int kvh, int nKv, MemorySegment sc, MemorySegment row, float[] inv,
                                   boolean f16, MemorySegment acc) {
        long laneStride = (long) groupSize * headDimV;
        for (long i = 0; i < LANES * laneStride; i++) {
            F32.set(acc, i, 0f);
        }
        for (int j = 0; j < nKv; j++) {
            cache.widenV(layer, j, kvh * headDimV, headDimV, row, 0);
            long lane = (j % LANES) * laneStride;
            for (int g = 0; g < groupSize; g++) {
                float p = F32.get(sc, (long) g * context + j) * inv[g];
                KvCache.axpy(f16 ? Fp16.round(p) : p, row, 0, acc, lane + (long) g * headDimV, headDimV);
            }
        }
        for (int w = LANES / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                F32.addInPlace(acc, i * laneStride, acc, (i + w) * laneStride, (int) laneStride);
            }
        }
        for (int g = 0; g < groupSize; g++) {
            long oi = (long) t * outStride + (long) (kvh * groupSize + g) * headDimV;
            F32.copy(acc, (long) g * headDimV, out, oi, headDimV);
        }
    }

    /** The group's queries of token t, rounded as the cache type needs, head after head. */
    private void roundQueries(int t, int kvh, MemorySegment qr, boolean f16) {
        for (int g = 0; g < groupSize; g++) {
            long qi = (long) (row0 + t) * qStride + (long) (kvh * groupSize + g) * headDimK;
            for (int d = 0; d < headDimK; d++) {
                float v = F32.get(q, qi + d);
                F32.set(qr, (long) g * headDimK + d, f16 ? Fp16.round(v) : v);
            }
        }
    }

    /** Replaces n scores at s0 by exp(s − max) and returns (float)(1/Σ), the sum in double. */
    static float softmax(MemorySegment sc, long s0, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, F32.get(sc, s0 + j));
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(F32.get(sc, s0 + j) - max);
            F32.set(sc, s0 + j, e);
            sum += e;
        }
        return (float) (1.0 / sum);
    }
}
