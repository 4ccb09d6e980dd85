package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_K {@code {f32 d; i8 qs[256]; i16 bsums[16]}}: {@code y = d·q} (an activation type). */
final class Q8_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 292;
    static final int BSUMS = 260;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f32(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK; j++) {
                dst[y + j] = d * Le.i8(src, b + 4 + j);
            }
        }
    }
}
