package io.jllm.core.weights;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.MatMul;
import io.jllm.quant.kernel.PageMemory;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * A weight matrix as mapped from the file: {@code rows} output features, each a contiguous row
 * of {@code cols} input features of {@code type}. GGUF shape {@code {cols, rows}}. {@code packed}
 * is null or the load-time companion {@link MatMul#pack} makes ({@link #withPacked}): for Q4_0,
 * Q4_K and Q6_K a repacked copy that every product then reads instead of {@code data}, for F16
 * flags of verified rows. The file's bytes are never modified.
 */
public record Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols,
                     @Nullable MemorySegment packed) implements MatMul.Operand {

    public Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        this(name, type, data, rows, cols, null);
    }

    /**
     * This matrix with the repacked copy its type has (allocated in {@code arena}), or itself
     * where there is none.
     */
    public Matrix withPacked(Arena arena) {
        long n = MatMul.packedBytes(type, rows, cols);
        if (n == 0 || packed != null) {
            return this;
        }
        MemorySegment p = PageMemory.allocate(n, arena);
        MatMul.pack(type, data, rows, cols, p);
        return new Matrix(name, type, data, rows, cols, p);
    }

    /** Bytes of the repacked copy (0 if none). */
    public long packedBytes() {
        return packed == null ? 0 : packed.byteSize();
    }

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
        MatMul.matmul(type, data, packed, rows, cols, x, xStride, batch, y, yStride, scratch, par);
    }

    /**
     * {@code ya = A·x}, {@code yb = B·x} and, with {@code c}, {@code yc = C·x} for matrices that
     * read the same activations (Q, K, V; gate, up): results as three {@link #apply} calls, the
     * activations converted once and the rows of all of them split over the threads in one pass
     * where the matrices allow it ({@link MatMul#matmulShared}).
     */
    public static void applyShared(Matrix a, MemorySegment ya, Matrix b, MemorySegment yb, @Nullable Matrix c,
                                   @Nullable MemorySegment yc, int yStride, MemorySegment x, int xStride, int batch,
                                   MemorySegment scratch, Parallel par) {
        MatMul.matmulShared(a, ya, b, yb, c, yc, yStride, x, xStride, batch, scratch, par);
    }
}
