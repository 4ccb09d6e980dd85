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

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_iq4_xs} without imatrix: per-block scales, quantized to 6 bits under {@code d = −max/32}. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        byte[] L = new byte[QK];
        float[] scales = new float[QK / 32];
        int[] scalesL = new int[4];
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float maxScale = 0;
            float amaxScale = 0;
            for (int ib = 0; ib < QK / 32; ib++) {
                scales[ib] = Iq4Search.blockScale(src, x + 32 * ib, L, 32 * ib);
                float abs = Math.abs(scales[ib]);
                if (abs > amaxScale) {
                    amaxScale = abs;
                    maxScale = scales[ib];
                }
            }
            float d = -maxScale / 32;
            Le.putF16(dst, b, d);
            float id = d != 0 ? 1 / d : 0f;
            int scalesH = 0;
            for (int ib = 0; ib < QK / 32; ib++) {
                int l = QuantMath.nearestInt(id * scales[ib]);
                l = Math.max(-32, Math.min(31, l));
                float dl = d * l;
                float idl = dl != 0 ? 1 / dl : 0f;
                for (int j = 0; j < 32; j++) {
                    L[32 * ib + j] = (byte) Iq4Search.bestIndex(idl * src[x + 32 * ib + j]);
                }
                l += 32;
                if (ib % 2 == 0) {
                    scalesL[ib / 2] = l & 0xF;
                } else {
                    scalesL[ib / 2] |= (l & 0xF) << 4;
                }
                scalesH |= (l >>> 4) << (2 * ib);
            }
            dst.set(Le.I16, b + 2, (short) scalesH);
            for (int k = 0; k < 4; k++) {
                Le.putU8(dst, b + 4 + k, scalesL[k]);
            }
            for (int ib = 0; ib < QK / 32; ib++) {
                Iq4Search.pack(L, 32 * ib, dst, b + 8 + 16L * ib);
            }
        }
    }
}
