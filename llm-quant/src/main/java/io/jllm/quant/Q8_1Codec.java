package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_1 {@code {fp16 d, s; i8 qs[32]}} with {@code s = fp16(d·Σq)}: {@code y = q·d} (an activation type). */
final class Q8_1Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 36;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_1;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK; j++) {
                dst[y + j] = Le.i8(src, b + 4 + j) * d;
            }
        }
    }
}
