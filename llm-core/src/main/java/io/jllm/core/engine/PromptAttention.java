package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Attention} for prompt batches: the work is split into (block of {@link #QB} query tokens,
 * KV head) tasks instead of (token, KV head), so each K and V row is widened once per block
 * rather than once per query token, and the scores of a tile of L keys (L float lanes) come out of
 * one vector: the tile's keys are transposed once per block ({@code kT[d·L + j]}) and each query
 * accumulates {@code q[d]·kT[d]} over d with broadcast FMAs, with no horizontal sum per (query,
 * key). Only the summation order of a score differs from the per-token path (sequential over d
 * instead of lane-wise then pairwise); softmax and the probability-weighted value sum are the
 * same operations in the same order. Causality: a query's softmax and value sum stop at its own
 * position; scores computed past it inside a tile are never read.
 */
final class PromptAttention implements Parallel.RangeTask {
    /** Query tokens per task. */
    static final int QB = 16;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final KvCache cache;
    private final int kvHeads;
    private final int groupSize;
    private final int headDimK;
    private final int headDimV;
    private final float scale;
    /** Scores row stride: the context plus one tile, so a tile may run past the last key. */
    private final int stride;
    private final float[][] qTile;
    private final float[][] kTile;
    private final MemorySegment[] scores;
    private final MemorySegment[] vRows;
    private final MemorySegment[] row;

    // per-call state (set by run(), read by the workers)
    private int layer;
    private int pos0;
    private int row0;
    private int n;
    private MemorySegment q = MemorySegment.NULL;
    private int qStride;
    private MemorySegment out = MemorySegment.NULL;
    private int outStride;

    PromptAttention(Arena arena, KvCache cache, int heads, int kvHeads, int headDimK, int headDimV, float scale,
                    int workers) {
        this.cache = cache;
        this.kvHeads = kvHeads;
        this.groupSize = heads / kvHeads;
        this.headDimK = headDimK;
        this.headDimV = headDimV;
        this.scale = scale;
        this.stride = cache.context() + L;
        this.qTile = new float[workers][QB * groupSize * headDimK];
        this.kTile = new float[workers][headDimK * L];
        this.scores = new MemorySegment[workers];
        this.vRows = new MemorySegment[workers];
        this.row = new MemorySegment[workers];
        for (int w = 0; w < workers; w++) {
            scores[w] = Workspace.allocate(arena, 4L * QB * groupSize * stride);
            vRows[w] = Workspace.allocate(arena, 4L * cache.context() * headDimV);
            row[w] = arena.allocate(4L * Math.max(headDimK, headDimV), 64);
        }
    }

    /** Bytes this path allocates per worker (for the memory check). */
    static long workerBytes(int groupSize, int context, int headDimK, int headDimV) {
        return 4L * QB * groupSize * (context + 16) + 4L * context * headDimV + 4L * QB * groupSize * headDimK
                + 64L * headDimK + 8L * Math.max(headDimK, headDimV);
    }

    /** As {@link Attention#run}, for a batch of prompt tokens. */
    void run(int layer, int pos0, int row0, int n, MemorySegment q, int qStride, MemorySegment out, int outStride,
             Parallel par) {
        this.layer = layer;
        this.pos0 = pos0;
        this.row0 = row0;
        this.n = n;
        this.q = q;
        this.qStride = qStride;
        this.out = out;
        this.outStride = outStride;
        par.forRange(((n + QB - 1) / QB) * kvHeads, this);
    }

    @Override
    public void run(int from, int to, int worker) {
        for (int w = from; w < to; w++) {
            block(w / kvHeads, w % kvHeads, worker);
        }
    }

    private void block(int b, int kvh, int worker) {
        int t0 = b * QB;
        int t1 = Math.min(n, t0 + QB);
        int m = (t1 - t0) * groupSize;
        int nMax = pos0 + row0 + t1;
        boolean f16 = cache.type() == KvCacheType.F16;
        float[] qt = qTile[worker];
        MemorySegment sc = scores[worker];
        roundQueries(t0, t1, kvh, qt, f16);
        for (int j0 = 0; j0 < nMax; j0 += L) {
            transposeKeys(kvh, j0, Math.min(L, nMax - j0), worker);
            float[] kt = kTile[worker];
            for (int i = 0; i < m; i++) {
                if (j0 >= nKv(t0 + i / groupSize)) {
                    continue;
                }
                FloatVector acc = FloatVector.zero(FS);
                int qo = i * headDimK;
                for (int d = 0; d < headDimK; d++) {
                    acc = FloatVector.fromArray(FS, kt, d * L).fma(FloatVector.broadcast(FS, qt[qo + d]), acc);
                }
                acc.mul(scale).intoMemorySegment(sc, 4L * ((long) i * stride + j0), ByteOrder.LITTLE_ENDIAN);
            }
        }
        MemorySegment vr = vRows[worker];
        for (int j = 0; j < nMax; j++) {
            cache.widenV(layer, j, kvh * headDimV, headDimV, vr, (long) j * headDimV);
        }
        for (int i = 0; i < m; i++) {
            int t = t0 + i / groupSize;
            int g = i % groupSize;
            int nKv = nKv(t);
            long s0 = (long) i * stride;
            float inv = Attention.softmax(sc, s0, nKv);
            long oi = (long) t * outStride + (long) (kvh * groupSize + g) * headDimV;
            if (headDimV % L == 0) {
                for (int c = 0; c < headDimV; c += 4 * L) {
                    weightedValues(sc, s0, inv, nKv, f16, vr, c, Math.min(4, (headDimV - c) / L), out, oi + c);
                }
                continue;
            }
            for (int d = 0; d < headDimV; d++) {
                F32.set(out, oi + d, 0f);
            }
            for (int j = 0; j < nKv; j++) {
                float p = F32.get(sc, s0 + j) * inv;
                KvCache.axpy(f16 ? Fp16.round(p) : p, vr, (long) j * headDimV, out, oi, headDimV);
            }
        }
    }

    /**
     * Value columns [c, c + nv·L) of one query's output, {@code Σ_j p_j·v_j} over its nKv keys,
     * accumulated in up to four registers: the same FMAs in the same order as
     * {@link KvCache#axpy} into memory (bit-identical), without a load and store of the output
     * per key. {@code p_j} is the softmax numerator times {@code inv}, fp16-rounded for an F16 cache.
     */
    private void weightedValues(MemorySegment sc, long s0, float inv, int nKv, boolean f16, MemorySegment vr, int c,
                                int nv, MemorySegment out, long oi) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int j = 0; j < nKv; j++) {
            float p = F32.get(sc, s0 + j) * inv;
            FloatVector pv = FloatVector.broadcast(FS, f16 ? Fp16.round(p) : p);
            long vo = 4L * ((long) j * headDimV + c);
            a0 = pv.fma(FloatVector.fromMemorySegment(FS, vr, vo, LE), a0);
            if (nv > 1) {
                a1 = pv.fma(FloatVector.fromMemorySegment(FS, vr, vo + 4L * L, LE), a1);
            }
            if (nv > 2) {
                a2 = pv.fma(FloatVector.fromMemorySegment(FS, vr, vo + 8L * L, LE), a2);
            }
            if (nv > 3) {
                a3 = pv.fma(FloatVector.fromMemorySegment(FS, vr, vo + 12L * L, LE), a3);
            }
        }
        long o = 4L * oi;
        a0.intoMemorySegment(out, o, LE);
        if (nv > 1) {
            a1.intoMemorySegment(out, o + 4L * L, LE);
        }
        if (nv > 2) {
            a2.intoMemorySegment(out, o + 8L * L, LE);
        }
        if (nv > 3) {
            a3.intoMemorySegment(out, o + 12L * L, LE);
        }
    }

    /** Keys after query token t's position are masked. */
    private int nKv(int t) {
        return pos0 + row0 + t + 1;
    }

    /** K rows [j0, j0+nk) of head kvh, widened, into the worker's transposed tile (zero past nk). */
    private void transposeKeys(int kvh, int j0, int nk, int worker) {
        float[] kt = kTile[worker];
        MemorySegment r = row[worker];
        for (int jj = 0; jj < L; jj++) {
            if (jj < nk) {
                cache.widenK(layer, j0 + jj, kvh * headDimK, headDimK, r, 0);
                for (int d = 0; d < headDimK; d++) {
                    kt[d * L + jj] = F32.get(r, d);
                }
            } else {
                for (int d = 0; d < headDimK; d++) {
                    kt[d * L + jj] = 0f;
                }
            }
        }
    }

    /** The group's queries of tokens [t0, t1), rounded as the cache type needs. */
    private void roundQueries(int t0, int t1, int kvh, float[] qt, boolean f16) {
        for (int t = t0; t < t1; t++) {
            for (int g = 0; g < groupSize; g++) {
                long qi = (long) (row0 + t) * qStride + (long) (kvh * groupSize + g) * headDimK;
                int o = ((t - t0) * groupSize + g) * headDimK;
                for (int d = 0; d < headDimK; d++) {
                    float v = F32.get(q, qi + d);
                    qt[o + d] = f16 ? Fp16.round(v) : v;
                }
            }
        }
    }
}
