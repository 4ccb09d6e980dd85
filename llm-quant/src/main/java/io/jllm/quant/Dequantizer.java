package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Converts tensor data of any supported {@link GgmlType} to f32, bit for bit as ggml's
 * {@code dequantize_row_*} ({@code to_float}) computes it: the same float operations in the
 * same order, fp16 fields widened exactly. Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,
 * Q8_0, Q8_1, Q2_K…Q6_K, Q8_K, IQ4_NL, IQ4_XS. Stateless and thread-safe; the segment variant
 * works through a small per-thread buffer, so it allocates nothing per call.
 */
public final class Dequantizer {
    /** Elements converted per step of the segment variant (a multiple of every block size). */
    private static final int CHUNK = 4096;
    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[CHUNK]);

    private Dequantizer() {}

    /** Whether {@code type} can be dequantized. */
    public static boolean supports(GgmlType type) {
        return TypeCodecs.find(type) != null;
    }

    /**
     * Dequantizes {@code n} elements (a multiple of the block size) starting at byte
     * {@code srcOffset} of {@code src} into little-endian f32 at byte {@code dstOffset} of {@code dst}.
     *
     * @throws UnsupportedOperationException naming the type if it is not supported
     */
    public static void dequantize(GgmlType type, MemorySegment src, long srcOffset, long n,
                                  MemorySegment dst, long dstOffset) {
        TypeCodec c = codec(type, n);
        if (type == GgmlType.F32) {
            MemorySegment.copy(src, srcOffset, dst, dstOffset, 4 * n);
            return;
        }
        float[] buf = BUFFER.get();
        int bs = type.blockSize();
        long srcStep = type.bytes(CHUNK);
        for (long done = 0; done < n; done += CHUNK) {
            int m = (int) Math.min(CHUNK, n - done);
            c.toFloat(src, srcOffset + done / CHUNK * srcStep, buf, 0, m / bs);
            MemorySegment.copy(buf, 0, dst, Le.F32, dstOffset + 4 * done, m);
        }
    }

    /**
     * Dequantizes {@code n} elements (a multiple of the block size) starting at byte
     * {@code srcOffset} of {@code src} into {@code dst[dstOffset ..]}.
     *
     * @throws UnsupportedOperationException naming the type if it is not supported
     */
    public static void dequantize(GgmlType type, MemorySegment src, long srcOffset, int n,
                                  float[] dst, int dstOffset) {
        TypeCodec c = codec(type, n);
        Objects.checkFromIndexSize(dstOffset, n, dst.length);
        c.toFloat(src, srcOffset, dst, dstOffset, n / type.blockSize());
    }

    private static TypeCodec codec(GgmlType type, long n) {
        TypeCodec c = TypeCodecs.get(type, "dequantization");
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(n + " elements is not a multiple of the " + type
                    + " block size " + type.blockSize());
        }
        return c;
    }
}
