package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Causal multi-head attention over the KV cache for a batch of query tokens, covering MHA, GQA
 * and MQA (query head h reads KV head {@code h / (heads / kvHeads)}). Per (token, head):
 * {@code softmax(q·Kᵀ · scale + mask) · V} with ggml's softmax (max-subtracted exp, sum in
 * double, multiply by {@code (float)(1/sum)}). With an F16 cache the query is rounded to fp16
 * for Q·K and the probabilities to fp16 for the sum over V, as llama.cpp's mul_mat does.
 * One instance per session; the (token, head) pairs are split over the workers, each with its
 * own scratch, so a call allocates nothing.
 */
final class Attention implements Parallel.RangeTask {
    private final KvCache cache;
    private final int heads;
    private final int groupSize;
    private final int headDimK;
    private final int headDimV;
    private final float scale;
    private final MemorySegment[] scores;
    private final MemorySegment[] qRounded;

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
        this.heads = heads;
        this.groupSize = heads / kvHeads;
        this.headDimK = headDimK;
        this.headDimV = headDimV;
        this.scale = scale;
        this.scores = new MemorySegment[workers];
        this.qRounded = new MemorySegment[workers];
        for (int w = 0; w < workers; w++) {
            scores[w] = arena.allocate(4L * cache.context(), 64);
            qRounded[w] = arena.allocate(4L * headDimK, 64);
        }
    }

    /**
     * Attends the {@code n} query tokens in rows {@code row0 ..} of q, at positions
     * {@code pos0 + row0 ..} (their K/V already stored), and writes each head's output for query
     * t at {@code out[t*outStride + h*headDimV]}.
     */
    void run(int layer, int pos0, int row0, int n, MemorySegment q, int qStride, MemorySegment out, int outStride,
             Parallel par) {
        this.layer = layer;
        this.pos0 = pos0;
        this.row0 = row0;
        this.q = q;
        this.qStride = qStride;
        this.out = out;
        this.outStride = outStride;
        par.forRange(n * heads, this);
    }

    @Override
    public void run(int from, int to, int worker) {
        MemorySegment sc = scores[worker];
        MemorySegment qr = qRounded[worker];
        boolean f16 = cache.type() == KvCacheType.F16;
        for (int w = from; w < to; w++) {
            int t = w / heads;
            int h = w % heads;
            int pos = pos0 + row0 + t;
            int kvh = h / groupSize;
            long qi = (long) (row0 + t) * qStride + (long) h * headDimK;
            for (int d = 0; d < headDimK; d++) {
                float v = F32.get(q, qi + d);
                F32.set(qr, d, f16 ? Fp16.round(v) : v);
            }
            int nKv = pos + 1; // cells after pos are masked (−inf → weight 0)
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < nKv; j++) {
                float s = cache.dotK(layer, j, kvh * headDimK, qr, 0, headDimK) * scale;
                F32.set(sc, j, s);
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = 0; j < nKv; j++) {
                float e = (float) Math.exp(F32.get(sc, j) - max);
                F32.set(sc, j, e);
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            long oi = (long) t * outStride + (long) h * headDimV;
            for (int d = 0; d < headDimV; d++) {
                F32.set(out, oi + d, 0f);
            }
            for (int j = 0; j < nKv; j++) {
                float p = F32.get(sc, j) * inv;
                if (f16) {
                    p = Fp16.round(p);
                }
                cache.axpyV(layer, j, kvh * headDimV, p, out, oi, headDimV);
            }
        }
    }
}
