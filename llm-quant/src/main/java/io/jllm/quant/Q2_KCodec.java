package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q2_K {@code {u8 scales[16]; u8 qs[64]; fp16 d, dmin}} per 256 elements: 16 sub-blocks of 16
 * with 4-bit scale and min, {@code y = (d·scale)·q − (dmin·min)}.
 */
final class Q2_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 84;
    static final int QS = 16;
    static final int D = 80;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b + D);
            float min = Le.f16(src, b + D + 2);
            int y = dstOff + i * QK;
            int is = 0;
            for (int n = 0; n < 2; n++) {
                long q = b + QS + 32L * n;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 2; half++) {
                        int sc = Le.u8(src, b + is++);
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >>> 4);
                        for (int l = 0; l < 16; l++) {
                            dst[y++] = dl * ((Le.u8(src, q + 16 * half + l) >>> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }
}
