package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_0 {@code {fp16 d; i8 qs[32]}}: {@code y = q·d}. */
final class Q8_0Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK; j++) {
                dst[y + j] = Le.i8(src, b + 2 + j) * d;
            }
        }
    }
}
