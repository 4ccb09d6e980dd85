package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.MlaConfig;
import io.jllm.core.ModelConfig;
import io.jllm.core.RopeScaling;
import io.jllm.core.arch.RopeKind;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import io.jllm.core.ops.Norms;
import io.jllm.core.ops.Rope;
import io.jllm.core.weights.LayerWeights;
import io.jllm.core.weights.Matrix;
import io.jllm.core.weights.MlaWeights;
import io.jllm.core.weights.TensorRows;
import io.jllm.gguf.GgmlType;
import io.jllm.quant.Dequantizer;
import io.jllm.quant.kernel.Kernels;
import io.jllm.quant.kernel.Parallel;
import io.jllm.quant.kernel.WeightKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Multi-head latent attention (deepseek2) over a compressed KV cache, in the absorbed form.
 *
 * <p>Per token: the query ({@code attn_q}, or {@code attn_q_b · RMSNorm(attn_q_a · n)}) splits per
 * head into q_nope and q_pe; {@code attn_kv_a_mqa · n} splits into the latent
 * {@code c = RMSNorm(·[:rank]) · attn_kv_a_norm} and the shared key k_pe; RoPE (NORM mode, YaRN
 * with the deepseek2 attn_factor) turns q_pe and k_pe; the cache row of the token is
 * {@code [c ; k_pe]} — kv_lora_rank + rope values, shared by all heads.
 *
 * <p>The key up-projection is folded into the query ({@code q_lat = W_kbᵀ · q_nope} per head), so
 * a score is {@code q_lat·c + q_pe·k_pe}; the value up-projection is applied once to the
 * probability-weighted latent ({@code out_h = W_vb,h · Σ_j p_j c_j}). Full keys and values are
 * never rebuilt. With an F16 cache the query row is rounded to fp16 and the probabilities too, as
 * ggml's mul_mat does against an F16 cache. The result goes to the caller's attention-output
 * buffer (n_head × v per token), ready for {@code attn_output}. No allocation per call.
 *
 * <p>Numerics against llama.cpp's (non-absorbed) baseline: with {@code attn_kv_b} the cached
 * latent is the one the reference's up-projection sees (converted to kv_b's activation type and
 * back), and both up-projections use the exactly decoded kv_b rows in f32 (no second activation
 * quantization of the attended latent). Files with {@code attn_k_b}/{@code attn_v_b} use them
 * through the ordinary MatMul, as newer llama.cpp's MLA path does.
 *
 * <p>Constructed with an expanded type (reference numerics, files with {@code attn_kv_b}), the
 * query and latent are computed as above, the cache (F32) keeps the same {@code [c ; k_pe]} rows
 * (c unconverted, k_pe as the baseline's cache holds it) and the attention itself is
 * {@link MlaExpanded}'s: per-head keys and values rebuilt from the cached latents at every step as
 * build 4748 expands them, then plain multi-head attention.
 */
public final class MlaAttention implements Parallel.RangeTask {
    private final MlaConfig m;
    private final KvCache cache;
    private final Rope rope;
    private final float eps;
    private final int e;
    private final int heads;
    private final int nope;
    private final int rot;
    private final int rank;
    private final int vDim;
    private final int qk;
    private final int lat;
    private final int ubatch;
    private final MemorySegment qa;
    private final MemorySegment q;
    private final MemorySegment ckv;
    private final MemorySegment qAbs;
    private final MemorySegment oLat;
    private final MemorySegment ropeCache;
    private final MemorySegment scratch;
    private final MemorySegment actBuf;
    private final MemorySegment[] qNopeHead;
    private final MemorySegment[] qAbsHead;
    private final MemorySegment[] oLatHead;
    private final MemorySegment[] outHead;
    private final MemorySegment[] scores;
    private final MemorySegment[] qRounded;
    private final MemorySegment[] wRow;
    private final Absorb absorb = new Absorb();
    private final ValueUp valueUp = new ValueUp();
    private final MemorySegment out;
    /** The non-absorbed path of {@code Numerics.REFERENCE}, or null (absorbed, compressed cache). */
    private final @Nullable MlaExpanded expanded;

    // per-call state, read by the workers
    private int layer;
    private int pos0;
    private int n;
    private @Nullable Matrix kvB;

    /**
     * @param cache        the compressed cache: K rows of {@link MlaConfig#cacheWidth()} values, no V
     *                     (F32 when {@code expandedType} is given)
     * @param out          where head h of token t goes: float index {@code t·n_head·v + h·v}
     * @param expandedType null for the absorbed form; otherwise compute as llama.cpp build 4748 does
     *                     ({@link MlaExpanded}) with per-head keys and values of this type (the
     *                     baseline's cache type); every MLA layer must then have {@code attn_kv_b}
     */
    public MlaAttention(ModelConfig model, List<LayerWeights> layers, KvCache cache, Arena arena, int ubatch,
                        MemorySegment out, int workers, @Nullable KvCacheType expandedType) {
        MlaConfig mc = model.mla();
        if (mc == null) {
            throw new IllegalArgumentException("not an MLA model");
        }
        this.m = mc;
        this.cache = cache;
        this.eps = model.normEpsilon();
        this.e = model.embedding();
        this.heads = model.heads();
        this.nope = mc.nopeDim();
        this.rot = mc.ropeDim();
        this.rank = mc.kvLoraRank();
        this.vDim = mc.vDim();
        this.qk = mc.qkHeadDim();
        this.lat = mc.cacheWidth();
        this.ubatch = ubatch;
        this.out = out;
        this.rope = new Rope(RopeKind.NORM, rot, model.ropeFreqBase(), model.ropeFreqScale(),
                model.ropeScaling() == RopeScaling.YARN ? 1.0f : 0.0f, mc.ropeAttnFactor(), model.ropeOrigContext(),
                32.0f, 1.0f, null);
        this.qa = alloc(arena, (long) ubatch * Math.max(1, mc.qLoraRank()));
        this.q = alloc(arena, (long) ubatch * heads * qk);
        this.ckv = alloc(arena, (long) ubatch * lat);
        this.qAbs = alloc(arena, (long) ubatch * heads * lat);
        this.oLat = alloc(arena, (long) ubatch * heads * rank);
        this.ropeCache = alloc(arena, rot);
        this.qNopeHead = new MemorySegment[heads];
        this.qAbsHead = new MemorySegment[heads];
        this.oLatHead = new MemorySegment[heads];
        this.outHead = new MemorySegment[heads];
        for (int h = 0; h < heads; h++) {
            qNopeHead[h] = q.asSlice(4L * h * qk);
            qAbsHead[h] = qAbs.asSlice(4L * h * lat);
            oLatHead[h] = oLat.asSlice(4L * h * rank);
            outHead[h] = out.asSlice(4L * h * vDim);
        }
        this.scores = new MemorySegment[workers];
        this.qRounded = new MemorySegment[workers];
        this.wRow = new MemorySegment[workers];
        for (int w = 0; w < workers; w++) {
            scores[w] = alloc(arena, cache.context());
            qRounded[w] = alloc(arena, lat);
            wRow[w] = alloc(arena, rank);
        }
        long s = 64;
        for (LayerWeights l : layers) {
            MlaWeights w = l.mla();
            if (w == null) {
                continue;
            }
            for (Matrix x : new Matrix[] {w.wq(), w.wqA(), w.wqB(), w.wkvA()}) {
                if (x != null) {
                    s = Math.max(s, x.scratchBytes(ubatch));
                }
            }
            if (expandedType != null) {
                if (w.wkvB() == null) {
                    throw new IllegalArgumentException("the expanded MLA path needs attn_kv_b");
                }
                s = Math.max(s, w.wkvB().scratchBytes(ubatch));
            }
            for (Matrix x : w.valueUp()) {
                s = Math.max(s, x.scratchBytes(ubatch));
            }
            if (w.keyAbsorb() != null) {
                for (Matrix x : w.keyAbsorb()) {
                    s = Math.max(s, x.scratchBytes(ubatch));
                }
            }
        }
        this.scratch = arena.allocate(s, 64);
        this.actBuf = arena.allocate(Math.max(64, 4L * rank), 64);
        this.expanded = expandedType == null ? null
                : new MlaExpanded(cache, expandedType, mc, heads, ubatch, workers, arena);
    }

    /** True when every MLA layer has {@code attn_kv_b}, so the expanded (baseline) path can run. */
    public static boolean canExpand(List<LayerWeights> layers) {
        for (LayerWeights l : layers) {
            if (l.mla() != null && l.mla().wkvB() == null) {
                return false;
            }
        }
        return true;
    }

    private static MemorySegment alloc(Arena arena, long floats) {
        return arena.allocate(4L * Math.max(1, floats), 64);
    }

    /**
     * Activation bytes an instance allocates besides the cache (for memory budgeting), with the
     * expanded path's per-head workspace when {@code expandedType} is given.
     */
    public static long workspaceBytes(ModelConfig model, int ubatch, int threads, int context,
                                      @Nullable KvCacheType expandedType) {
        MlaConfig mc = model.mla();
        if (mc == null) {
            return 0;
        }
        long h = model.heads();
        long ex = expandedType == null ? 0
                : MlaExpanded.workspaceBytes(mc, expandedType, model.heads(), ubatch, threads, context);
        return ex + 4L * ((long) ubatch * (Math.max(1, mc.qLoraRank()) + h * mc.qkHeadDim() + mc.cacheWidth()
                + h * mc.cacheWidth() + h * mc.kvLoraRank()) + (long) threads * (context + mc.cacheWidth()
                + mc.kvLoraRank()));
    }

    /**
     * Attends {@code n} tokens at positions {@code pos0..} of layer {@code layer}: {@code xb} holds
     * their normalised inputs (stride n_embd); their cache rows are stored, and the per-head
     * outputs are written to the output buffer given at construction.
     */
    public void run(int layer, MlaWeights w, MemorySegment xb, int n, int pos0, Parallel par) {
        if (n > ubatch) {
            throw new IllegalArgumentException("batch of " + n + " tokens (ubatch " + ubatch + ")");
        }
        int qRow = heads * qk;
        if (w.wqA() != null) {
            int r = m.qLoraRank();
            w.wqA().apply(xb, e, n, qa, r, scratch, par);
            for (int t = 0; t < n; t++) {
                Norms.rms(qa, (long) t * r, r, eps, w.qANorm(), qa, (long) t * r);
            }
            w.wqB().apply(qa, r, n, q, qRow, scratch, par);
        } else {
            w.wq().apply(xb, e, n, q, qRow, scratch, par);
        }
        w.wkvA().apply(xb, e, n, ckv, lat, scratch, par);
        for (int t = 0; t < n; t++) {
            long c = (long) t * lat;
            Norms.rms(ckv, c, rank, eps, w.kvANorm(), ckv, c);
            if (w.wkvB() != null && expanded == null) {
                asKvBSees(w.wkvB(), c);
            }
            rope.cache(pos0 + t, ropeCache, 0);
            rope.apply(ckv, c + rank, 1, rot, ropeCache, 0);
            rope.apply(q, (long) t * qRow + nope, heads, qk, ropeCache, 0);
            if (expanded != null) { // the rope key as the baseline's cache holds it
                expanded.asCached(ckv, c);
            }
            cache.store(layer, pos0 + t, ckv, c, c);
            if (expanded == null) {
                for (int h = 0; h < heads; h++) {
                    F32.copy(q, (long) t * qRow + (long) h * qk + nope, qAbs,
                            (long) t * heads * lat + (long) h * lat + rank, rot);
                }
            }
        }
        if (expanded != null) {
            expanded.run(layer, Objects.requireNonNull(w.wkvB()), q, n, pos0, out, scratch, par);
            return;
        }
        this.layer = layer;
        this.pos0 = pos0;
        this.n = n;
        Matrix[] kb = w.keyAbsorb();
        if (kb != null) {
            for (int h = 0; h < heads; h++) {
                kb[h].apply(qNopeHead[h], qRow, n, qAbsHead[h], heads * lat, scratch, par);
            }
        } else {
            this.kvB = w.wkvB();
            par.forRange(heads, absorb);
        }
        par.forRange(n * heads, this);
        if (kb != null) {
            for (int h = 0; h < heads; h++) {
                w.valueUp()[h].apply(oLatHead[h], heads * rank, n, outHead[h], heads * vDim, scratch, par);
            }
        } else {
            par.forRange(heads * vDim, valueUp);
        }
    }

    /** Prepares {@link #shiftKey} for moving cache rows by {@code delta} positions (context shift). */
    public void prepareShift(int delta) {
        rope.cache(delta, ropeCache, 0);
    }

    /**
     * Re-rotates the shared rope key of one latent cache row (loaded to f32 at float index
     * {@code ri} of {@code row}) by the prepared position change; with the expanded path it is
     * then rounded as the baseline's cache would store the rotated key.
     */
    public void shiftKey(MemorySegment row, long ri) {
        rope.apply(row, ri + rank, 1, rot, ropeCache, 0);
        if (expanded != null) {
            expanded.asCached(row, ri);
        }
    }

    /**
     * Replaces the latent at float index {@code c} of {@code ckv} by the values llama.cpp's
     * {@code attn_kv_b} product sees: converted to the weight's activation type (Q8_0 for Q5_0,
     * Q8_K for K-quants, fp16 for F16, …) and back. The reference expands keys and values from
     * exactly these values, so caching them keeps the absorbed form on the reference's numbers.
     */
    private void asKvBSees(Matrix kvB, long c) {
        WeightKernel k = Kernels.forType(kvB.type());
        if (k.activationType() == GgmlType.F32) {
            return;
        }
        k.convertActivations(ckv, 4L * c, rank, actBuf, 0);
        Dequantizer.dequantize(k.activationType(), actBuf, 0, (long) rank, ckv, 4L * c);
    }

    /**
     * {@code q_lat[t][h][r] = Σ_d q_nope[t][h][d] · W_kv_b[h·(nope+v) + d][r]}, reading each key row
     * of {@code attn_kv_b} once per batch (decoded exactly) and accumulating over d in order.
     */
    private final class Absorb implements Parallel.RangeTask {
        @Override
        public void run(int from, int to, int worker) {
            MemorySegment row = wRow[worker];
            Matrix kv = kvB;
            for (int h = from; h < to; h++) {
                for (int t = 0; t < n; t++) {
                    long o = (long) t * heads * lat + (long) h * lat;
                    for (int r = 0; r < rank; r++) {
                        F32.set(qAbs, o + r, 0f);
                    }
                }
                for (int d = 0; d < nope; d++) {
                    TensorRows.row(kv, h * (nope + vDim) + d, row, 0);
                    for (int t = 0; t < n; t++) {
                        float a = F32.get(q, (long) t * heads * qk + (long) h * qk + d);
                        long o = (long) t * heads * lat + (long) h * lat;
                        for (int r = 0; r < rank; r++) {
                            F32.set(qAbs, o + r, F32.get(qAbs, o + r) + a * F32.get(row, r));
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code out[t][h][i] = Σ_r W_kv_b[h·(nope+v) + nope + i][r] · o_lat[t][h][r]} in f32 with the
     * exactly decoded value rows: the reference multiplies f32 probabilities with values expanded
     * in its own product, so no second activation quantization of the attended latent is applied.
     */
    private final class ValueUp implements Parallel.RangeTask {
        @Override
        public void run(int from, int to, int worker) {
            MemorySegment row = wRow[worker];
            Matrix kv = kvB;
            for (int hi = from; hi < to; hi++) {
                int h = hi / vDim;
                int i = hi % vDim;
                TensorRows.row(kv, h * (nope + vDim) + nope + i, row, 0);
                for (int t = 0; t < n; t++) {
                    long o = (long) t * heads * rank + (long) h * rank;
                    float acc = 0f;
                    for (int r = 0; r < rank; r++) {
                        acc += F32.get(row, r) * F32.get(oLat, o + r);
                    }
                    F32.set(out, (long) t * heads * vDim + (long) h * vDim + i, acc);
                }
            }
        }
    }

    @Override
    public void run(int from, int to, int worker) {
        MemorySegment sc = scores[worker];
        MemorySegment qr = qRounded[worker];
        boolean f16 = cache.type() == KvCacheType.F16;
        float scale = m.kqScale();
        for (int w = from; w < to; w++) {
            int t = w / heads;
            int h = w % heads;
            int pos = pos0 + t;
            long qi = (long) t * heads * lat + (long) h * lat;
            for (int d = 0; d < lat; d++) {
                float v = F32.get(qAbs, qi + d);
                F32.set(qr, d, f16 ? Fp16.round(v) : v);
            }
            int nKv = pos + 1;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < nKv; j++) {
                float s = cache.dotK(layer, j, 0, qr, 0, lat) * scale;
                F32.set(sc, j, s);
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = 0; j < nKv; j++) {
                float x = (float) Math.exp(F32.get(sc, j) - max);
                F32.set(sc, j, x);
                sum += x;
            }
            float inv = (float) (1.0 / sum);
            long oi = (long) t * heads * rank + (long) h * rank;
            for (int d = 0; d < rank; d++) {
                F32.set(oLat, oi + d, 0f);
            }
            for (int j = 0; j < nKv; j++) {
                float p = F32.get(sc, j) * inv;
                if (f16) {
                    p = Fp16.round(p);
                }
                cache.axpyK(layer, j, 0, p, oLat, oi, rank);
            }
        }
    }
}
