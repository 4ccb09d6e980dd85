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

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q6_K_ref}: make_qx_quants per 16, signed 8-bit scales. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        byte[] L = new byte[QK];
        float[] scales = new float[QK / 16];
        int[] sc = new int[QK / 16];
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < QK / 16; ib++) {
                float scale = QuantMath.makeQxQuants(16, 32, src, x + 16 * ib, L, 16 * ib);
                scales[ib] = scale;
                float abs = Math.abs(scale);
                if (abs > maxAbsScale) {
                    maxAbsScale = abs;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < QuantMath.GROUP_MAX_EPS) {
                dst.asSlice(b, BYTES).fill((byte) 0);
                Le.putF16(dst, b + D, 0f);
                continue;
            }
            float iscale = -128f / maxScale;
            Le.putF16(dst, b + D, 1 / iscale);
            for (int ib = 0; ib < QK / 16; ib++) {
                sc[ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * scales[ib]));
                Le.putU8(dst, b + SC + ib, sc[ib]);
            }
            float dStored = Le.f16(dst, b + D);
            for (int j = 0; j < QK / 16; j++) {
                float d = dStored * sc[j];
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = QuantMath.nearestInt(src[x + 16 * j + ii] / d);
                    L[16 * j + ii] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
                }
            }
            for (int j = 0; j < QK; j += 128) {
                long ql = b + j / 2;
                long qh = b + QH + j / 4;
                for (int l = 0; l < 32; l++) {
                    int l0 = L[j + l];
                    int l1 = L[j + l + 32];
                    int l2 = L[j + l + 64];
                    int l3 = L[j + l + 96];
                    Le.putU8(dst, ql + l, (l0 & 0xF) | ((l2 & 0xF) << 4));
                    Le.putU8(dst, ql + l + 32, (l1 & 0xF) | ((l3 & 0xF) << 4));
                    Le.putU8(dst, qh + l, (l0 >> 4) | ((l1 >> 4) << 2) | ((l2 >> 4) << 4) | ((l3 >> 4) << 6));
                }
            }
        }
    }
}
