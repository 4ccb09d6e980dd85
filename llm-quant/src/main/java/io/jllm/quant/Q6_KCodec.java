package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q6_K {@code {u8 ql[128]; u8 qh[64]; i8 scales[16]; fp16 d}} per 256 elements: 6-bit values
 * minus 32, {@code y = (d·scale)·q} with one signed 8-bit scale per 16 elements.
 */
final class Q6_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 210;
    static final int QH = 128;
    static final int SC = 192;
    static final int D = 208;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b + D);
            for (int n = 0; n < 2; n++) {
                long ql = b + 64L * n;
                long qh = b + QH + 32L * n;
                long sc = b + SC + 8L * n;
                int y = dstOff + i * QK + 128 * n;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int lo = Le.u8(src, ql + l);
                    int hi = Le.u8(src, ql + l + 32);
                    int h = Le.u8(src, qh + l);
                    int q1 = ((lo & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((hi & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((lo >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((hi >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    dst[y + l] = d * Le.i8(src, sc + is) * q1;
                    dst[y + l + 32] = d * Le.i8(src, sc + is + 2) * q2;
                    dst[y + l + 64] = d * Le.i8(src, sc + is + 4) * q3;
                    dst[y + l + 96] = d * Le.i8(src, sc + is + 6) * q4;
                }
            }
        }
    }
}
