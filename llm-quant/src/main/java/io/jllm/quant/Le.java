package io.jllm.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian field access inside quantized blocks, and the half-precision conversions ggml uses. */
final class Le {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Le() {}

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
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

    /** An IEEE binary16 field as float (exact). */
    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(I16, off));
    }

    static void putU8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static void putI16(MemorySegment s, long off, int v) {
        s.set(I16, off, (short) v);
    }

    static void putF32(MemorySegment s, long off, float v) {
        s.set(F32, off, v);
    }

    /** Stores {@code v} rounded to binary16, round-to-nearest-even (as F16C / ggml's scalar path). */
    static void putF16(MemorySegment s, long off, float v) {
        s.set(I16, off, Float.floatToFloat16(v));
    }

    /** ggml's fp16 round trip: the value a stored fp16 field reads back as. */
    static float roundF16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** ggml's fp32→bf16 ({@code ggml_compute_fp32_to_bf16}): NaN keeps a quiet bit, others round to nearest even. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }
}
