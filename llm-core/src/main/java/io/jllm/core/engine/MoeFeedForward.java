package io.jllm.core.engine;

import io.jllm.core.ModelConfig;
import io.jllm.core.MoeConfig;
import io.jllm.core.ops.Activations;
import io.jllm.core.ops.F32;
import io.jllm.core.weights.LayerWeights;
import io.jllm.core.weights.Matrix;
import io.jllm.core.weights.MoeWeights;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * The mixture-of-experts feed-forward block (llama.cpp's {@code llm_build_moe_ffn} plus the
 * shared expert of qwen2moe / deepseek2). Only the selected experts are computed: the tokens of
 * a batch are grouped by expert, each expert's rows are gathered into a contiguous sub-batch and
 * multiplied with {@link Matrix#apply} (the same MatMul, hence the same activation quantization,
 * as every other matrix), so each selected expert's weights stream once per batch. Per token the
 * expert outputs are then combined in selection order, {@code Σ_k w_k·out_k}, as ggml adds them.
 * All buffers are allocated at construction; a call allocates nothing.
 */
public final class MoeFeedForward {
    private final MoeConfig cfg;
    private final MoeRouter router;
    private final int e;
    private final int k;
    private final int ubatch;
    private final float[] logits;
    private final int[] chosen;
    private final float[] weights;
    private final int[] count;
    private final int[] slots;
    private final MemorySegment routerOut;
    private final MemorySegment gathered;
    private final MemorySegment hA;
    private final MemorySegment hB;
    private final MemorySegment down;
    private final MemorySegment expertOut;
    private final MemorySegment sA;
    private final MemorySegment sB;
    private final MemorySegment sharedOut;
    private final MemorySegment sharedGate;
    private final MemorySegment scratch;

    public MoeFeedForward(ModelConfig model, List<LayerWeights> layers, Arena arena, int ubatch) {
        MoeConfig m = model.moe();
        if (m == null) {
            throw new IllegalArgumentException("not a MoE model");
        }
        this.cfg = m;
        this.router = new MoeRouter(m);
        this.e = model.embedding();
        this.k = m.expertsUsed();
        this.ubatch = ubatch;
        int n = m.experts();
        this.logits = new float[ubatch * n];
        this.chosen = new int[ubatch * k];
        this.weights = new float[ubatch * k];
        this.count = new int[n];
        this.slots = new int[n * ubatch];
        int ff = m.expertFeedForward();
        int sf = Math.max(1, m.sharedFeedForward());
        this.routerOut = alloc(arena, (long) ubatch * n);
        this.gathered = alloc(arena, (long) ubatch * e);
        this.hA = alloc(arena, (long) ubatch * ff);
        this.hB = alloc(arena, (long) ubatch * ff);
        this.down = alloc(arena, (long) ubatch * e);
        this.expertOut = alloc(arena, (long) ubatch * k * e);
        this.sA = alloc(arena, (long) ubatch * sf);
        this.sB = alloc(arena, (long) ubatch * sf);
        this.sharedOut = alloc(arena, (long) ubatch * e);
        this.sharedGate = alloc(arena, ubatch);
        long s = 64;
        for (LayerWeights l : layers) {
            MoeWeights w = l.moe();
            if (w == null) {
                continue;
            }
            s = Math.max(s, w.router().scratchBytes(ubatch));
            for (Matrix[] stack : new Matrix[][] {w.gate(), w.up(), w.down()}) {
                for (Matrix x : stack) {
                    s = Math.max(s, x.scratchBytes(ubatch));
                }
            }
            for (Matrix x : new Matrix[] {w.sharedGate(), w.sharedUp(), w.sharedDown(), w.sharedRouter()}) {
                if (x != null) {
                    s = Math.max(s, x.scratchBytes(ubatch));
                }
            }
        }
        this.scratch = arena.allocate(s, 64);
    }

    private static MemorySegment alloc(Arena arena, long floats) {
        return arena.allocate(4L * Math.max(1, floats), 64);
    }

    /** Activation bytes an instance allocates (for memory budgeting). */
    public static long workspaceBytes(ModelConfig model, int ubatch) {
        MoeConfig m = model.moe();
        if (m == null) {
            return 0;
        }
        long e = model.embedding();
        return 4L * ubatch * (m.experts() + e * (3 + m.expertsUsed()) + 2L * m.expertFeedForward()
                + 2L * m.sharedFeedForward() + 1);
    }

    /**
     * Replaces the {@code n} normalised rows of {@code xb} (stride n_embd) by the block's output.
     */
    public void run(MoeWeights w, MemorySegment xb, int n, Parallel par) {
        if (n > ubatch) {
            throw new IllegalArgumentException("batch of " + n + " tokens (ubatch " + ubatch + ")");
        }
        int nExp = cfg.experts();
        w.router().apply(xb, e, n, routerOut, nExp, scratch, par);
        MemorySegment.copy(routerOut, F32.LE, 0, logits, 0, n * nExp);
        Arrays.fill(count, 0);
        for (int t = 0; t < n; t++) {
            router.route(logits, t * nExp, w.selectionBias(), chosen, weights, t * k);
            for (int s = 0; s < k; s++) {
                int x = chosen[t * k + s];
                slots[x * ubatch + count[x]++] = t * k + s;
            }
        }
        int ff = cfg.expertFeedForward();
        for (int x = 0; x < nExp; x++) {
            int m = count[x];
            if (m == 0) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                F32.copy(xb, (long) (slots[x * ubatch + i] / k) * e, gathered, (long) i * e, e);
            }
            w.gate()[x].apply(gathered, e, m, hA, ff, scratch, par);
            w.up()[x].apply(gathered, e, m, hB, ff, scratch, par);
            Activations.swiglu(hA, 0, hB, 0, m * ff);
            w.down()[x].apply(hA, ff, m, down, e, scratch, par);
            for (int i = 0; i < m; i++) {
                F32.copy(down, (long) i * e, expertOut, (long) slots[x * ubatch + i] * e, e);
            }
        }
        boolean shared = w.sharedUp() != null;
        if (shared) {
            sharedExpert(w, xb, n, par);
        }
        for (int t = 0; t < n; t++) {
            long o = (long) t * e;
            for (int d = 0; d < e; d++) {
                float acc = F32.get(expertOut, (long) (t * k) * e + d) * weights[t * k];
                for (int s = 1; s < k; s++) {
                    acc += F32.get(expertOut, (long) (t * k + s) * e + d) * weights[t * k + s];
                }
                if (shared) {
                    acc += F32.get(sharedOut, o + d);
                }
                F32.set(xb, o + d, acc);
            }
        }
    }

    /** The shared expert into {@code sharedOut}, scaled by sigmoid(g) = silu(g)/g when it has a gate. */
    private void sharedExpert(MoeWeights w, MemorySegment xb, int n, Parallel par) {
        Matrix g = w.sharedGate();
        Matrix u = w.sharedUp();
        Matrix dn = w.sharedDown();
        int sf = cfg.sharedFeedForward();
        g.apply(xb, e, n, sA, sf, scratch, par);
        u.apply(xb, e, n, sB, sf, scratch, par);
        Activations.swiglu(sA, 0, sB, 0, n * sf);
        dn.apply(sA, sf, n, sharedOut, e, scratch, par);
        Matrix r = w.sharedRouter();
        if (r != null) {
            r.apply(xb, e, n, sharedGate, 1, scratch, par);
            for (int t = 0; t < n; t++) {
                float z = F32.get(sharedGate, t);
                float gate = Activations.silu(z) / z;
                long o = (long) t * e;
                for (int d = 0; d < e; d++) {
                    F32.set(sharedOut, o + d, F32.get(sharedOut, o + d) * gate);
                }
            }
        }
    }
}
