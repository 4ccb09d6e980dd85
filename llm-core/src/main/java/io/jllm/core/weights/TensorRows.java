package io.jllm.core.weights;

import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import io.jllm.gguf.GgmlType;
import io.jllm.quant.Dequantizer;
import java.lang.foreign.MemorySegment;

/**
 * Decodes rows of a tensor to f32 exactly (ggml's get_rows / to_float): used for embeddings and
 * the small 1-D tensors (norms, biases, frequency factors).
 */
public final class TensorRows {
    private TensorRows() {}

    /** Whether rows of {@code type} can be decoded. */
    public static boolean supports(GgmlType type) {
        return Dequantizer.supports(type);
    }

    /** Decodes {@code n} elements starting at byte {@code srcOff} of {@code src} to f32 at float index {@code dstIdx}. */
    public static void decode(GgmlType type, MemorySegment src, long srcOff, int n, MemorySegment dst, long dstIdx) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, 4L * dstIdx, 4L * n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    F32.set(dst, dstIdx + i, Fp16.fromHalf(src.get(F32.LE16, srcOff + 2L * i)));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    F32.set(dst, dstIdx + i, Fp16.fromBf16(src.get(F32.LE16, srcOff + 2L * i)));
                }
            }
            default -> Dequantizer.dequantize(type, src, srcOff, (long) n, dst, 4L * dstIdx);
        }
    }

    /** Decodes row {@code row} of a matrix into {@code dst} at float index {@code dstIdx}. */
    public static void row(Matrix m, int row, MemorySegment dst, long dstIdx) {
        decode(m.type(), m.data(), row * m.rowBytes(), m.cols(), dst, dstIdx);
    }

    /** A whole (small) tensor as a float array. */
    public static float[] toArray(GgmlType type, MemorySegment src, int n) {
        float[] out = new float[n];
        decode(type, src, 0, n, MemorySegment.ofArray(out), 0);
        return out;
    }
}
