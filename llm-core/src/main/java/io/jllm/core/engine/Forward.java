package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.ModelConfig;
import io.jllm.core.RopeScaling;
import io.jllm.core.arch.Architecture;
import io.jllm.core.arch.FfnKind;
import io.jllm.core.arch.NormKind;
import io.jllm.core.arch.RopeKind;
import io.jllm.core.ops.Activations;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Norms;
import io.jllm.core.ops.Rope;
import io.jllm.core.weights.LayerWeights;
import io.jllm.core.weights.Matrix;
import io.jllm.core.weights.ModelWeights;
import io.jllm.core.weights.NormWeights;
import io.jllm.core.weights.TensorRows;
import io.jllm.quant.kernel.Numerics;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * The forward pass shared by every architecture: embeddings → N × (norm → attention → residual
 * → norm → feed-forward → residual) → output norm → output projection, with each step chosen
 * by the {@link Architecture}'s traits (norm kind, RoPE mode, fused QKV, FFN kind, learned
 * positions) and the tensors present (biases, rope factors). A batch of up to {@code ubatch}
 * tokens goes through every matrix as one matrix × matrix product. All buffers live in the
 * arena given at construction; a call allocates nothing on the heap.
 */
public final class Forward {
    private final ModelConfig cfg;
    private final ModelWeights w;
    private final Parallel par;
    private final int ubatch;
    private final int outRows;
    private final KvCache kv;
    private final @Nullable Rope rope;
    private final Attention attention;
    private final @Nullable MlaAttention mla;
    private final @Nullable MoeFeedForward moe;

    private final int e;
    private final int qkvDim;
    private final MemorySegment x;
    private final MemorySegment xb;
    private final MemorySegment qkv;
    private final MemorySegment kSlice;
    private final MemorySegment vSlice;
    private final MemorySegment attnOut;
    private final MemorySegment ffA;
    private final MemorySegment ffB;
    private final MemorySegment ropeCache;
    private final MemorySegment scratch;
    private final MemorySegment logits;

    /**
     * @param ubatch  the most tokens processed per step
     * @param outRows the most positions whose logits are computed per {@link #logits} call
     */
    public Forward(ModelConfig cfg, ModelWeights w, Arena arena, KvCacheType kvType, int context, int ubatch,
                   int outRows, Parallel par) {
        this(cfg, w, arena, kvType, context, ubatch, outRows, par, Numerics.current());
    }

    /**
     * As above, with the numerics mode given: {@link Numerics#REFERENCE} runs latent attention in
     * llama.cpp build 4748's expanded form where the file has {@code attn_kv_b} ({@link MlaExpanded}):
     * the compressed cache is then F32 (the latent must stay exact) and {@code kvType} is the type
     * of the per-head keys and values rebuilt from it at each step, as the baseline's cache type.
     * {@link Numerics#FAST} keeps the absorbed form over a compressed cache of {@code kvType}.
     * (The matrix products follow the JVM's {@link Numerics#current()}.)
     */
    public Forward(ModelConfig cfg, ModelWeights w, Arena arena, KvCacheType kvType, int context, int ubatch,
                   int outRows, Parallel par, Numerics numerics) {
        this.cfg = cfg;
        this.w = w;
        this.par = par;
        this.ubatch = ubatch;
        this.outRows = outRows;
        this.e = cfg.embedding();
        this.qkvDim = cfg.qDim() + cfg.kDim() + cfg.vDim();
        boolean expandMla = cfg.mla() != null && numerics == Numerics.REFERENCE && MlaAttention.canExpand(w.layers());
        this.kv = cfg.mla() == null ? new KvCache(arena, kvType, cfg.layers(), context, cfg.kDim(), cfg.vDim())
                // latent attention caches only [c ; k_pe] per token and layer
                : new KvCache(arena, latentType(kvType, expandMla), cfg.layers(), context, cfg.mla().cacheWidth(), 0);
        this.rope = cfg.architecture().rope() == RopeKind.NONE ? null : new Rope(cfg.architecture().rope(),
                cfg.ropeDims(), cfg.ropeFreqBase(), cfg.ropeFreqScale(),
                cfg.ropeScaling() == RopeScaling.YARN ? 1.0f : 0.0f, cfg.ropeAttnFactor(), cfg.ropeOrigContext(),
                32.0f, 1.0f, w.ropeFreqs());
        this.attention = new Attention(arena, kv, cfg.heads(), cfg.kvHeads(), cfg.headDimK(), cfg.headDimV(),
                cfg.kqScale(), par.threads());
        int rows = Math.max(ubatch, outRows);
        this.x = alloc(arena, (long) ubatch * e);
        this.xb = alloc(arena, (long) rows * Math.max(e, cfg.heads() * cfg.headDimV()));
        this.qkv = alloc(arena, (long) ubatch * qkvDim);
        this.kSlice = qkv.asSlice(4L * cfg.qDim());
        this.vSlice = qkv.asSlice(4L * (cfg.qDim() + cfg.kDim()));
        this.attnOut = alloc(arena, (long) ubatch * cfg.heads() * cfg.headDimV());
        this.ffA = alloc(arena, (long) ubatch * cfg.feedForward());
        this.ffB = alloc(arena, (long) ubatch * cfg.feedForward());
        this.ropeCache = alloc(arena, Math.max(2, cfg.ropeDims()));
        this.logits = alloc(arena, (long) outRows * cfg.vocabSize());
        long scratchBytes = w.output().scratchBytes(outRows);
        for (LayerWeights l : w.layers()) {
            for (Matrix m : new Matrix[] {l.wq(), l.wk(), l.wv(), l.wqkv(), l.wo(), l.ffnGate(), l.ffnUp(), l.ffnDown()}) {
                if (m != null) {
                    scratchBytes = Math.max(scratchBytes, m.scratchBytes(ubatch));
                }
            }
        }
        this.scratch = Workspace.allocate(arena, Math.max(64, scratchBytes));
        this.mla = cfg.mla() == null ? null
                : new MlaAttention(cfg, w.layers(), kv, arena, ubatch, attnOut, par.threads(),
                        expandMla ? kvType : null);
        this.moe = cfg.moe() == null ? null : new MoeFeedForward(cfg, w.layers(), arena, ubatch);
    }

    private static MemorySegment alloc(Arena arena, long floats) {
        return Workspace.allocate(arena, 4L * floats);
    }

    /** The latent cache's type: F32 for the expanded path, whose rebuilt keys must be exact. */
    private static KvCacheType latentType(KvCacheType requested, boolean expanded) {
        return expanded ? KvCacheType.F32 : requested;
    }

    /**
     * KV-cache bytes per token of a session in {@code numerics}: for latent attention the
     * compressed row {@code [c ; k_pe]}, in {@link Numerics#REFERENCE} at most that row in F32
     * (files with {@code attn_k_b}/{@code attn_v_b} keep {@code type}).
     */
    public static long kvBytesPerToken(ModelConfig cfg, KvCacheType type, Numerics numerics) {
        if (cfg.mla() == null) {
            return KvCache.bytesPerToken(type, cfg.layers(), cfg.kDim(), cfg.vDim());
        }
        KvCacheType t = latentType(type, numerics == Numerics.REFERENCE);
        return KvCache.bytesPerToken(t, cfg.layers(), cfg.mla().cacheWidth(), 0);
    }

    /**
     * Bytes an instance allocates besides the KV cache (activations and scratch), for budgeting;
     * in {@link Numerics#REFERENCE} with latent attention this includes the per-head workspace of
     * the expanded path ({@code kvType}, one layer, {@code context} positions).
     */
    public static long workspaceBytes(ModelConfig cfg, KvCacheType kvType, int ubatch, int outRows, int threads,
                                      int context) {
        long f = (long) ubatch * cfg.embedding() + (long) Math.max(ubatch, outRows)
                * Math.max(cfg.embedding(), cfg.heads() * cfg.headDimV())
                + (long) ubatch * (cfg.qDim() + cfg.kDim() + cfg.vDim()) + (long) ubatch * cfg.heads() * cfg.headDimV()
                + 2L * ubatch * cfg.feedForward() + (long) outRows * cfg.vocabSize()
                + (long) threads * (context + cfg.headDimK())
                + (long) threads * PromptAttention.workerBytes(cfg.heads() / Math.max(1, cfg.kvHeads()), context,
                        cfg.headDimK(), cfg.headDimV()) / 4;
        return 4 * f + 4L * ubatch * Math.max(cfg.embedding(), cfg.feedForward()) + 4096
                + MoeFeedForward.workspaceBytes(cfg, ubatch) + MlaAttention.workspaceBytes(cfg, ubatch, threads, context,
                        Numerics.current() == Numerics.REFERENCE ? kvType : null);
    }

    public KvCache kvCache() {
        return kv;
    }

    public int ubatch() {
        return ubatch;
    }

    public int outRows() {
        return outRows;
    }

    /** The logits buffer: row r (of the last {@link #logits} call) at float index r × vocab. */
    public MemorySegment logitsBuffer() {
        return logits;
    }

    /**
     * Runs {@code n ≤ ubatch} tokens at positions {@code pos0..} through every layer, storing
     * their K/V in the cache. Only rows {@code keepFrom .. n} are carried through the rest of the
     * last layer (as llama.cpp's output ids): afterwards their final hidden states are rows
     * {@code 0 .. n−keepFrom} for {@link #logits}; {@code keepFrom = n} computes no outputs.
     */
    public void layers(int[] tokens, int off, int n, int pos0, int keepFrom) {
        if (n > ubatch || n <= 0) {
            throw new IllegalArgumentException("batch of " + n + " tokens (ubatch " + ubatch + ")");
        }
        if (pos0 + n > kv.context()) {
            throw new IllegalStateException("context full: " + (pos0 + n) + " tokens exceed the context of "
                    + kv.context());
        }
        if (keepFrom < 0 || keepFrom > n) {
            throw new IllegalArgumentException("keepFrom " + keepFrom + " outside [0, " + n + "]");
        }
        embed(tokens, off, n, pos0);
        for (int l = 0; l < cfg.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            int from = l == cfg.layers() - 1 ? keepFrom : 0;
            attentionBlock(l, lw, n, pos0, from);
            if (n - from > 0) {
                feedForwardBlock(lw, n - from);
            }
        }
    }

    private void embed(int[] tokens, int off, int n, int pos0) {
        Matrix pos = w.positionEmbedding();
        for (int t = 0; t < n; t++) {
            int id = tokens[off + t];
            if (id < 0 || id >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " at index " + (off + t)
                        + " is outside the vocabulary [0, " + cfg.vocabSize() + ")");
            }
            TensorRows.row(w.tokenEmbedding(), id, x, (long) t * e);
            if (pos != null) {
                TensorRows.row(pos, pos0 + t, xb, 0);
                F32.addInPlace(x, (long) t * e, xb, 0, e);
            }
        }
    }

    private void norm(NormWeights nw, int n, MemorySegment src, MemorySegment dst) {
        for (int t = 0; t < n; t++) {
            if (cfg.architecture().norm() == NormKind.RMS) {
                Norms.rms(src, (long) t * e, e, cfg.normEpsilon(), nw.weight(), dst, (long) t * e);
            } else {
                Norms.layer(src, (long) t * e, e, cfg.normEpsilon(), nw.weight(), nw.bias(), dst, (long) t * e);
            }
        }
    }

    private void bias(float @Nullable [] b, MemorySegment y, int stride, int n, int width) {
        if (b != null) {
            for (int t = 0; t < n; t++) {
                F32.addBias(y, (long) t * stride, b, width);
            }
        }
    }

    /** Attention for rows {@code from .. n} (K/V stored for all n); the kept rows move to the front. */
    private void attentionBlock(int l, LayerWeights lw, int n, int pos0, int from) {
        norm(lw.attnNorm(), n, x, xb);
        if (lw.mla() != null && mla != null) { // latent attention, then the shared output projection
            mla.run(l, lw.mla(), xb, n, pos0, par);
            int od = cfg.heads() * cfg.headDimV();
            lw.wo().apply(attnOut, od, n, xb, e, scratch, par);
            bias(lw.bo(), xb, e, n, e);
            for (int t = 0; t < n; t++) {
                F32.addInPlace(x, (long) t * e, xb, (long) t * e, e);
            }
            if (from > 0) { // keep only the rows whose outputs are needed, at the front
                MemorySegment.copy(x, 4L * from * e, x, 0, 4L * (n - from) * e);
            }
            return;
        }
        if (lw.wqkv() != null) {
            lw.wqkv().apply(xb, e, n, qkv, qkvDim, scratch, par);
            bias(lw.bqkv(), qkv, qkvDim, n, qkvDim);
        } else {
            Matrix.applyShared(lw.wq(), qkv, lw.wk(), kSlice, lw.wv(), vSlice, qkvDim, xb, e, n, scratch, par);
            bias(lw.bq(), qkv, qkvDim, n, cfg.qDim());
            bias(lw.bk(), kSlice, qkvDim, n, cfg.kDim());
            bias(lw.bv(), vSlice, qkvDim, n, cfg.vDim());
        }
        for (int t = 0; t < n; t++) {
            long row = (long) t * qkvDim;
            if (rope != null) {
                rope.cache(pos0 + t, ropeCache, 0);
                rope.apply(qkv, row, cfg.heads(), cfg.headDimK(), ropeCache, 0);
                rope.apply(qkv, row + cfg.qDim(), cfg.kvHeads(), cfg.headDimK(), ropeCache, 0);
            }
            kv.store(l, pos0 + t, qkv, row + cfg.qDim(), row + cfg.qDim() + cfg.kDim());
        }
        int k = n - from;
        if (k == 0) {
            return;
        }
        int od = cfg.heads() * cfg.headDimV();
        attention.run(l, pos0, from, k, qkv, qkvDim, attnOut, od, par);
        if (from > 0) {
            MemorySegment.copy(x, 4L * from * e, x, 0, 4L * k * e);
        }
        lw.wo().apply(attnOut, od, k, xb, e, scratch, par);
        bias(lw.bo(), xb, e, k, e);
        for (int t = 0; t < k; t++) {
            F32.addInPlace(x, (long) t * e, xb, (long) t * e, e);
        }
    }

    private void feedForwardBlock(LayerWeights lw, int n) {
        norm(lw.ffnNorm(), n, x, xb);
        if (lw.moe() != null && moe != null) { // routed (and shared) experts replace the dense FFN
            moe.run(lw.moe(), xb, n, par);
            for (int t = 0; t < n; t++) {
                F32.addInPlace(x, (long) t * e, xb, (long) t * e, e);
            }
            return;
        }
        int ff = cfg.feedForward();
        if (cfg.architecture().ffn() == FfnKind.SWIGLU) {
            Matrix.applyShared(lw.ffnGate(), ffA, lw.ffnUp(), ffB, null, null, ff, xb, e, n, scratch, par);
            bias(lw.ffnGateBias(), ffA, ff, n, ff);
            bias(lw.ffnUpBias(), ffB, ff, n, ff);
            Activations.swiglu(ffA, 0, ffB, 0, n * ff);
        } else {
            lw.ffnUp().apply(xb, e, n, ffA, ff, scratch, par);
            bias(lw.ffnUpBias(), ffA, ff, n, ff);
            Activations.gelu(ffA, 0, n * ff);
        }
        lw.ffnDown().apply(ffA, ff, n, xb, e, scratch, par);
        bias(lw.ffnDownBias(), xb, e, n, e);
        for (int t = 0; t < n; t++) {
            F32.addInPlace(x, (long) t * e, xb, (long) t * e, e);
        }
    }

    /**
     * Context shift: drops cache cells {@code [keep, keep+discard)} of the first {@code used}
     * and moves the later ones down by {@code discard}, re-rotating their keys by RoPE for the
     * position change (as llama.cpp's K-shift does: keys are decoded to f32, rotated, stored back).
     */
    public void shift(int keep, int discard, int used) {
        int moved = used - keep - discard;
        if (keep < 0 || discard <= 0 || moved < 0) {
            throw new IllegalArgumentException("bad shift: keep " + keep + ", discard " + discard + " of " + used);
        }
        if (rope != null) {
            rope.cache(-discard, ropeCache, 0);
        }
        if (mla != null) {
            mla.prepareShift(-discard);
        }
        for (int l = 0; l < cfg.layers(); l++) {
            for (int c = 0; c < moved; c++) {
                int from = keep + discard + c;
                kv.loadK(l, from, qkv, 0);
                if (mla != null) { // a latent row [c ; k_pe]: only the shared rope key turns
                    mla.shiftKey(qkv, 0);
                } else if (rope != null) {
                    rope.apply(qkv, 0, cfg.kvHeads(), cfg.headDimK(), ropeCache, 0);
                }
                kv.storeK(l, keep + c, qkv, 0);
            }
            kv.moveV(l, keep + discard, keep, moved);
        }
    }

    /**
     * Computes the logits of hidden-state rows {@code first .. first+count} of the last
     * {@link #layers} call ({@code count ≤ outRows}) into rows 0.. of {@link #logitsBuffer}.
     */
    public void logits(int first, int count) {
        if (count > outRows) {
            throw new IllegalArgumentException(count + " output rows (at most " + outRows + ")");
        }
        NormWeights on = w.outputNorm();
        for (int r = 0; r < count; r++) {
            long src = (long) (first + r) * e;
            if (cfg.architecture().norm() == NormKind.RMS) {
                Norms.rms(x, src, e, cfg.normEpsilon(), on.weight(), xb, (long) r * e);
            } else {
                Norms.layer(x, src, e, cfg.normEpsilon(), on.weight(), on.bias(), xb, (long) r * e);
            }
        }
        w.output().apply(xb, e, count, logits, cfg.vocabSize(), scratch, par);
    }
}
