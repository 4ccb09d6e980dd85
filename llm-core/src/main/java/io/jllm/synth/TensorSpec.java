package io.jllm.synth;

/**
 * One tensor to write: GGUF name, shape (ne0 first) and what its values look like.
 *
 * @param name  GGUF tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape dimensions, ne0 (the contiguous row length) first
 * @param kind  how values are generated and which types it may take
 */
public record TensorSpec(String name, long[] shape, Kind kind) {

    /** What the tensor holds. */
    public enum Kind {
        /** A weight matrix (2-D, or 3-D for stacked experts): takes the file's type. */
        MATRIX,
        /** A matrix that always stays F32 (MoE router {@code ffn_gate_inp}, as llama-quantize keeps it). */
        ROUTER,
        /** A norm weight (values near 1), F32. */
        NORM,
        /** A bias (small values), F32. */
        BIAS,
        /** Fixed values computed from the shape (Llama 3 {@code rope_freqs}), F32. */
        FIXED
    }

    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Row length (ne0). */
    public long rowLength() {
        return shape[0];
    }

    /** Number of rows: product of every dimension after ne0. */
    public long rows() {
        long r = 1;
        for (int i = 1; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    public long elements() {
        return rowLength() * rows();
    }

    /** Name of the block layer this tensor belongs to ({@code blk.N.}), or -1. */
    public int layer() {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int dot = name.indexOf('.', 4);
        return Integer.parseInt(name.substring(4, dot));
    }

    /** The name without the {@code blk.N.} prefix. */
    public String baseName() {
        return name.startsWith("blk.") ? name.substring(name.indexOf('.', 4) + 1) : name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && java.util.Arrays.equals(t.shape, shape)
                && t.kind == kind;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + java.util.Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + java.util.Arrays.toString(shape);
    }
}
