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

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q3_K_ref}: make_q3_quants per 16, signed 6-bit scales, high bits in hmask. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        byte[] L = new byte[QK];
        float[] scales = new float[QK / 16];
        int[] sc = new int[12];
        int[] hmask = new int[32];
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < QK / 16; j++) {
                scales[j] = QuantMath.makeQ3Quants(16, 4, src, x + 16 * j, L, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            java.util.Arrays.fill(sc, 0);
            if (maxScale != 0) {
                float iscale = -32f / maxScale;
                for (int j = 0; j < QK / 16; j++) {
                    int l = (byte) QuantMath.nearestInt(iscale * scales[j]);
                    l = Math.max(-32, Math.min(31, l)) + 32;
                    if (j < 8) {
                        sc[j] = l & 0xF;
                    } else {
                        sc[j - 8] |= (l & 0xF) << 4;
                    }
                    l >>= 4;
                    sc[j % 4 + 8] |= l << (2 * (j / 4));
                }
                Le.putF16(dst, b + D, 1 / iscale);
            } else {
                Le.putF16(dst, b + D, 0f);
            }
            float dAll = Le.f16(dst, b + D);
            for (int j = 0; j < QK / 16; j++) {
                int s = j < 8 ? sc[j] & 0xF : (sc[j - 8] & 0xFF) >>> 4;
                s = (s | (((sc[8 + j % 4] & 0xFF) >>> (2 * (j / 4))) & 3) << 4) - 32;
                float d = dAll * s;
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = QuantMath.nearestInt(src[x + 16 * j + ii] / d);
                    L[16 * j + ii] = (byte) (Math.max(-4, Math.min(3, l)) + 4);
                }
            }
            java.util.Arrays.fill(hmask, 0);
            int m = 0;
            int hm = 1;
            for (int j = 0; j < QK; j++) {
                if (L[j] > 3) {
                    hmask[m] |= hm;
                    L[j] -= 4;
                }
                if (++m == QK / 8) {
                    m = 0;
                    hm <<= 1;
                }
            }
            for (int j = 0; j < 32; j++) {
                Le.putU8(dst, b + j, hmask[j]);
            }
            for (int j = 0; j < 12; j++) {
                Le.putU8(dst, b + SC + j, sc[j]);
            }
            for (int j = 0; j < QK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    Le.putU8(dst, b + QS + j / 4 + l,
                            L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
                }
            }
        }
    }
}
