package io.jllm.core.ops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian f32 access to off-heap buffers and mapped tensor data (indices in floats). */
public final class F32 {
    /** The layout of every f32 buffer: little-endian, any alignment (as GGUF and the kernels use). */
    public static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian 16-bit values (f16 / bf16 bits). */
    public static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private F32() {}

    public static float get(MemorySegment s, long i) {
        return s.getAtIndex(LE, i);
    }

    public static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(LE, i, v);
    }

    /** {@code dst[d+i] += src[s+i]} for i in [0, n). */
    public static void addInPlace(MemorySegment dst, long d, MemorySegment src, long s, int n) {
        for (int i = 0; i < n; i++) {
            dst.setAtIndex(LE, d + i, dst.getAtIndex(LE, d + i) + src.getAtIndex(LE, s + i));
        }
    }

    /** {@code dst[d+i] += b[i]} for i in [0, n). */
    public static void addBias(MemorySegment dst, long d, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            dst.setAtIndex(LE, d + i, dst.getAtIndex(LE, d + i) + b[i]);
        }
    }

    /** Copies n floats. */
    public static void copy(MemorySegment src, long s, MemorySegment dst, long d, int n) {
        MemorySegment.copy(src, 4L * s, dst, 4L * d, 4L * n);
    }
}
