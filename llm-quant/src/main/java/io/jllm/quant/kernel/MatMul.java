package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Weight matrix × a batch of activation vectors, as ggml's {@code mul_mat} computes it:
 * {@code y[b*yStride + r] = W[r] · x[b*xStride ..]} for every row r and batch entry b.
 * W has {@code rows} contiguous rows of {@code cols} elements of {@code type}; x and y are f32.
 */
public final class MatMul {
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MatMul() {}

    /** Scratch bytes {@link #matmul} needs for the converted activations. */
    public static long scratchBytes(GgmlType type, int cols, int batch) {
        return Kernels.forType(type).activationBytes(cols) * batch;
    }

    /**
     * Computes the product. {@code scratch} must hold {@link #scratchBytes} bytes. Strides are in
     * floats. Work is split over rows with {@code par}.
     */
    public static void matmul(GgmlType type, MemorySegment w, int rows, int cols,
                              MemorySegment x, int xStride, int batch,
                              MemorySegment y, int yStride, MemorySegment scratch, Parallel par) {
        WeightKernel k = Kernels.forType(type);
        long aBytes = k.activationBytes(cols);
        for (int b = 0; b < batch; b++) {
            k.convertActivations(x, 4L * b * xStride, cols, scratch, b * aBytes);
        }
        long rowBytes = type.bytes(cols);
        par.forRange(rows, (from, to, worker) -> {
            for (int r = from; r < to; r++) {
                long wOff = r * rowBytes;
                for (int b = 0; b < batch; b++) {
                    float v = k.dot(w, wOff, scratch, b * aBytes, cols);
                    y.set(F32, 4L * ((long) b * yStride + r), v);
                }
            }
        });
    }
}
