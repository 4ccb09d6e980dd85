package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q3_K {@code {u8 hmask[32]; u8 qs[64]; u8 scales[12]; fp16 d}} per 256 elements: 16 signed
 * 6-bit scales, values {@code low2 − (hbit ? 0 : 4)}, {@code y = (d·(scale−32))·q}.
 */
final class Q3_KCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 110;
    static final int QS = 32;
    static final int SC = 96;
    static final int D = 108;

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** The 6-bit scale {@code k} (0..15) of the 12 packed bytes at {@code sc}. */
    static int scale(MemorySegment s, long sc, int k) {
        int low = k < 8 ? Le.u8(s, sc + k) & 0xF : Le.u8(s, sc + k - 8) >>> 4;
        int high = (Le.u8(s, sc + 8 + (k & 3)) >>> (2 * (k >>> 2))) & 3;
        return low | (high << 4);
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float dAll = Le.f16(src, b + D);
            int y = dstOff + i * QK;
            int is = 0;
            int m = 1;
            for (int n = 0; n < 2; n++) {
                long q = b + QS + 32L * n;
                for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                    for (int half = 0; half < 2; half++) {
                        float dl = dAll * (scale(src, b + SC, is++) - 32);
                        for (int l = 16 * half; l < 16 * half + 16; l++) {
                            int v = ((Le.u8(src, q + l) >>> shift) & 3) - ((Le.u8(src, b + l) & m) != 0 ? 0 : 4);
                            dst[y++] = dl * v;
                        }
                    }
                }
            }
        }
    }
}
