package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns f32 values into a tensor type's bytes: F32/F16/BF16 here, block types through the
 * reference quantizers of {@code io.jllm.quant} (byte-exact with ggml's
 * {@code quantize_row_*_ref}).
 */
final class RowEncoder {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private RowEncoder() {}

    /** Whether values can be encoded as {@code type}. */
    static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16 -> true;
            default -> QuantBridge.canQuantize(type);
        };
    }

    /** Encodes {@code n} values from {@code src[srcOff..]} as {@code type} at {@code dst[dstOff]}. */
    static void encode(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(F32, dstOff + 4L * i, src[srcOff + i]);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(I16, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(I16, dstOff + 2L * i, toBf16(src[srcOff + i]));
                }
            }
            default -> QuantBridge.quantize(type, src, srcOff, n, dst, dstOff);
        }
    }

    /** ggml's fp32 → bf16: round to nearest even, NaN kept quiet. */
    static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }
}
