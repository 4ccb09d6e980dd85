package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * ggml's reference quantizers ({@code quantize_row_*_ref}, what llama-quantize runs without an
 * importance matrix), byte-exact: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K,
 * Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS. Rows are independent, so any split of the
 * work over threads gives the same bytes. Stateless and thread-safe.
 */
public final class Quantizer {
    private Quantizer() {}

    /** Whether {@code type} has a reference quantizer here. */
    public static boolean supports(GgmlType type) {
        TypeCodec c = TypeCodecs.find(type);
        return c != null && c.canQuantize();
    }

    /**
     * Quantizes {@code n} values (a multiple of the block size) from {@code src[srcOffset..]}
     * into {@code dst} at byte {@code dstOffset}.
     *
     * @return the bytes written, {@code type.bytes(n)}
     * @throws UnsupportedOperationException naming the type if it has no quantizer
     */
    public static long quantize(GgmlType type, float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        TypeCodec c = TypeCodecs.find(type);
        if (c == null || !c.canQuantize()) {
            throw new UnsupportedOperationException("quantization to tensor type " + type + " is not supported");
        }
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(n + " values is not a multiple of the " + type
                    + " block size " + type.blockSize());
        }
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        long bytes = type.bytes(n);
        Objects.checkFromIndexSize(dstOffset, bytes, dst.byteSize());
        c.fromFloat(src, srcOffset, dst, dstOffset, n / type.blockSize());
        return bytes;
    }
}
