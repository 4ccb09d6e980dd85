package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * IQ4_XS {@code {fp16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128]}} per 256 elements: 8
 * sub-blocks of 32 with a 6-bit scale each, {@code y = (d·(ls−32))·kvalues[q]}.
 */
final class IQ4_XSCodec implements TypeCodec {
    static final int QK = 256;
    static final int BYTES = 136;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int scalesH = Le.u16(src, b + 2);
            int y = dstOff + i * QK;
            for (int ib = 0; ib < 8; ib++) {
                int ls = ((Le.u8(src, b + 4 + ib / 2) >>> (4 * (ib % 2))) & 0xF) | (((scalesH >>> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                long qs = b + 8 + 16L * ib;
                for (int j = 0; j < 16; j++) {
                    int q = Le.u8(src, qs + j);
                    dst[y + j] = dl * IQ4_NLCodec.KVALUES[q & 0xF];
                    dst[y + j + 16] = dl * IQ4_NLCodec.KVALUES[q >>> 4];
                }
                y += 32;
            }
        }
    }
}
