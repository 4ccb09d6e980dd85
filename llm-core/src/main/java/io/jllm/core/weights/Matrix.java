package io.jllm.core.weights;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.MatMul;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix as mapped from the file (never copied): {@code rows} output features, each a
 * contiguous row of {@code cols} input features of {@code type}. GGUF shape {@code {cols, rows}}.
 */
public record Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols) {

    /** Bytes of one row. */
    public long rowBytes() {
        return type.bytes(cols);
    }

    /** Scratch {@link #apply} needs for a batch of {@code batch} activation rows. */
    public long scratchBytes(int batch) {
        return MatMul.scratchBytes(type, cols, batch);
    }

    /**
     * {@code y[b] = W · x[b]} for b in [0, batch); x rows have stride {@code xStride} floats, y
     * rows {@code yStride} floats (offsets are in floats from the segment starts).
     */
    public void apply(MemorySegment x, int xStride, int batch, MemorySegment y, int yStride,
                      MemorySegment scratch, Parallel par) {
        MatMul.matmul(type, data, rows, cols, x, xStride, batch, y, yStride, scratch, par);
    }
}
