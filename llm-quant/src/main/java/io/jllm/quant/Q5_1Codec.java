package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q5_1 {@code {fp16 d, m; u32 qh; u8 qs[16]}}: {@code y = q·d + m}. */
final class Q5_1Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 24;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            float m = Le.f16(src, b + 2);
            int qh = Le.i32(src, b + 4);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, b + 8 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                dst[y + j] = ((q & 0x0F) | h0) * d + m;
                dst[y + j + QK / 2] = ((q >>> 4) | h1) * d + m;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q5_1_ref}: {@code d = (max − min)/31}, no clamp on the levels. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Le.putF16(dst, b, d);
            Le.putF16(dst, b + 2, min);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = QuantMath.truncX86((src[x + j] - min) * id + 0.5f) & 0xFF;
                int q1 = QuantMath.truncX86((src[x + QK / 2 + j] - min) * id + 0.5f) & 0xFF;
                Le.putU8(dst, b + 8 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(Le.I32, b + 4, qh);
        }
    }
}
