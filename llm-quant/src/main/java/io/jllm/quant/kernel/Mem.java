package io.jllm.quant.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian unaligned accessors and the fp16/bf16 conversions ggml uses. */
final class Mem {
    static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Mem() {}

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    static void setI8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static int i16(MemorySegment s, long off) {
        return s.get(I16, off);
    }

    static int u16(MemorySegment s, long off) {
        return s.get(I16, off) & 0xFFFF;
    }

    static int i32(MemorySegment s, long off) {
        return s.get(I32, off);
    }

    static float f32(MemorySegment s, long off) {
        return s.get(F32, off);
    }

    static void setF32(MemorySegment s, long off, float v) {
        s.set(F32, off, v);
    }

    /** The fp16 value at {@code off}, widened to f32 (exact). */
    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(I16, off));
    }

    static void setF16(MemorySegment s, long off, float v) {
        s.set(I16, off, Float.floatToFloat16(v));
    }

    /** bf16 bits to f32 (exact). */
    static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** f32 to bf16 bits with ggml's rounding: NaN is quieted, others round to nearest even. */
    static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7FFF + ((u >>> 16) & 1))) >>> 16);
    }

    /** f32 rounded through fp16 and back, as ggml's FP32_TO_FP16 then FP16_TO_FP32. */
    static float roundF16(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }
}
