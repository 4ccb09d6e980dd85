package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * One row of the type-traits table (ggml's {@code type_traits}): how blocks of one tensor type
 * turn into f32 ({@code to_float}) and, where the type has a reference quantizer, how f32 turns
 * into blocks ({@code from_float_ref}). Implementations are stateless and thread-safe.
 */
interface TypeCodec {
    GgmlType type();

    /** Dequantizes {@code blocks} whole blocks at {@code src[srcOff]} to {@code dst[dstOff..]}. */
    void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks);

    /** Whether {@link #fromFloat} is implemented. */
    default boolean canQuantize() {
        return false;
    }

    /**
     * Quantizes {@code blocks} whole blocks from {@code src[srcOff..]} to {@code dst[dstOff]},
     * byte-exact with ggml's {@code quantize_row_*_ref}.
     */
    default void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        throw new UnsupportedOperationException("no quantizer for tensor type " + type());
    }
}
