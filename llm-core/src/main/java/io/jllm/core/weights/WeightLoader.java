package io.jllm.core.weights;

import io.jllm.core.ModelConfig;
import io.jllm.core.ModelLoadException;
import io.jllm.core.arch.Architecture;
import io.jllm.core.arch.FfnKind;
import io.jllm.core.arch.NormKind;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.quant.kernel.Kernels;
import io.jllm.quant.kernel.MatMul;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Binds the tensors of a GGUF file to a {@link ModelWeights}, checking that every tensor the
 * architecture needs exists, has the shape the hyperparameters imply, and has a type the
 * kernels support. Errors name the file, the tensor, and what was expected.
 */
public final class WeightLoader {
    private final GgufFile file;
    private final ModelConfig cfg;
    private final String where;
    private final Function<GgufTensor, MemorySegment> data;
    /** Holds the repacked copies ({@link Matrix#withPacked}); freed when the weights are unreachable. */
    private final Arena packArena = Arena.ofAuto();

    private WeightLoader(GgufFile file, ModelConfig cfg, Function<GgufTensor, MemorySegment> data) {
        this.file = file;
        this.cfg = cfg;
        this.where = file.path().getFileName().toString();
        this.data = data;
    }

    /** Binds the weights to the mapped tensor data. */
    public static ModelWeights load(GgufFile file, ModelConfig cfg) {
        return load(file, cfg, GgufTensor::data);
    }

    /** Binds the weights to the bytes {@code data} gives for each tensor (e.g. a copy in memory). */
    public static ModelWeights load(GgufFile file, ModelConfig cfg, Function<GgufTensor, MemorySegment> data) {
        return new WeightLoader(file, cfg, data).load();
    }

    private ModelWeights load() {
        Architecture arch = cfg.architecture();
        int e = cfg.embedding();
        Matrix tok = matrix("token_embd.weight", e, cfg.vocabSize(), false);
        if (!TensorRows.supports(tok.type())) {
            throw new ModelLoadException(where + ": tensor 'token_embd.weight' has type " + tok.type()
                    + ", which cannot be decoded to f32");
        }
        Matrix pos = arch.learnedPositions() ? matrix("position_embd.weight", e, cfg.trainContext(), false) : null;
        if (pos != null && !TensorRows.supports(pos.type())) {
            throw new ModelLoadException(where + ": tensor 'position_embd.weight' has type " + pos.type()
                    + ", which cannot be decoded to f32");
        }
        float[] ropeFreqs = optionalVector("rope_freqs.weight", cfg.ropeDims() / 2);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < cfg.layers(); i++) {
            layers.add(layer(i));
        }
        NormWeights outNorm = norm("output_norm");
        Matrix out;
        boolean tied = false;
        if (file.findTensor("output.weight") != null || !arch.tiedOutputAllowed()) {
            out = matrix("output.weight", e, cfg.vocabSize(), true);
        } else {
            out = matrix("token_embd.weight", e, cfg.vocabSize(), true);
            tied = true;
        }
        return new ModelWeights(tok, pos, ropeFreqs, layers, outNorm, out, tied);
    }

    private LayerWeights layer(int i) {
        Architecture arch = cfg.architecture();
        String p = "blk." + i + ".";
        int e = cfg.embedding();
        NormWeights attnNorm = norm(p + "attn_norm");
        Matrix wq = null;
        Matrix wk = null;
        Matrix wv = null;
        Matrix wqkv = null;
        float[] bq = null;
        float[] bk = null;
        float[] bv = null;
        float[] bqkv = null;
        MlaWeights mla = null;
        if (arch.fusedQkv()) {
            int n = cfg.qDim() + cfg.kDim() + cfg.vDim();
            wqkv = matrix(p + "attn_qkv.weight", e, n, true);
            bqkv = bias(p, "attn_qkv", n);
        } else if (cfg.mla() != null) {
            mla = MlaWeights.load(binder(), cfg, i);
        } else {
            wq = matrix(p + "attn_q.weight", e, cfg.qDim(), true);
            wk = matrix(p + "attn_k.weight", e, cfg.kDim(), true);
            wv = matrix(p + "attn_v.weight", e, cfg.vDim(), true);
            bq = bias(p, "attn_q", cfg.qDim());
            bk = bias(p, "attn_k", cfg.kDim());
            bv = bias(p, "attn_v", cfg.vDim());
        }
        Matrix wo = matrix(p + "attn_output.weight", cfg.heads() * cfg.headDimV(), e, true);
        float[] bo = bias(p, "attn_output", e);
        NormWeights ffnNorm = norm(p + "ffn_norm");
        int ff = cfg.feedForward();
        MoeWeights moe = MoeWeights.isMoeLayer(cfg, i) ? MoeWeights.load(binder(), cfg, i) : null;
        boolean dense = moe == null;
        Matrix gate = dense && arch.ffn() == FfnKind.SWIGLU ? matrix(p + "ffn_gate.weight", e, ff, true) : null;
        Matrix up = dense ? matrix(p + "ffn_up.weight", e, ff, true) : null;
        Matrix down = dense ? matrix(p + "ffn_down.weight", ff, e, true) : null;
        return new LayerWeights(attnNorm, wq, wk, wv, wqkv, bq, bk, bv, bqkv, wo, bo, ffnNorm, gate, up, down,
                gate == null ? null : bias(p, "ffn_gate", ff), bias(p, "ffn_up", ff), bias(p, "ffn_down", e), moe, mla);
    }

    /** Shape/type-checked access for the MoE and MLA blocks' tensors. */
    private TensorBinder binder() {
        return new TensorBinder(file, cfg.architecture().name(), data);
    }

    private GgufTensor require(String name) {
        GgufTensor t = file.findTensor(name);
        if (t == null) {
            throw new ModelLoadException(where + ": tensor '" + name + "' is missing (required by architecture "
                    + cfg.architecture().name() + ")");
        }
        return t;
    }

    private Matrix matrix(String name, int cols, int rows, boolean needsKernel) {
        GgufTensor t = require(name);
        long[] shape = t.shape();
        long[] want = {cols, rows};
        if (!Arrays.equals(shape, want) && !(shape.length > 2 && shape[0] == cols && t.rows() == rows)) {
            throw new ModelLoadException(where + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " but the hyperparameters imply " + Arrays.toString(want));
        }
        if (needsKernel && !Kernels.supports(t.type())) {
            throw new ModelLoadException(where + ": tensor '" + name + "' has type " + t.type()
                    + ", which has no matrix kernel in this build");
        }
        Matrix m = new Matrix(name, t.type(), data.apply(t), rows, cols);
        if (!needsKernel) {
            return m;
        }
        Matrix packed = m.withPacked(packArena);
        if (packed.packed() != null && MatMul.packedHoldsWeights(t.type())) {
            // products read only the copy from now on: the file's pages of this tensor can go
            file.release(t);
        }
        return packed;
    }

    private float[] vector(GgufTensor t, int n) {
        if (t.elementCount() != n || t.nDims() != 1) {
            throw new ModelLoadException(where + ": tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + " but the hyperparameters imply [" + n + "]");
        }
        if (!TensorRows.supports(t.type())) {
            throw new ModelLoadException(where + ": tensor '" + t.name() + "' has type " + t.type()
                    + ", which cannot be decoded to f32");
        }
        return TensorRows.toArray(t.type(), t.data(), n);
    }

    private float @Nullable [] optionalVector(String name, int n) {
        GgufTensor t = file.findTensor(name);
        return t == null ? null : vector(t, n);
    }

    private float @Nullable [] bias(String prefix, String base, int n) {
        String name = prefix + base + ".bias";
        if (cfg.architecture().requiredBiases().contains(base)) {
            return vector(require(name), n);
        }
        return optionalVector(name, n);
    }

    private NormWeights norm(String base) {
        float[] w = vector(require(base + ".weight"), cfg.embedding());
        float[] b = cfg.architecture().norm() == NormKind.LAYER ? vector(require(base + ".bias"), cfg.embedding())
                : optionalVector(base + ".bias", cfg.embedding());
        return new NormWeights(w, b);
    }
}
