package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q5_0 {@code {fp16 d; u32 qh; u8 qs[16]}}: 5th bits in qh, {@code y = (q − 16)·d}. */
final class Q5_0Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 22;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int qh = Le.i32(src, b + 2);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, b + 6 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                dst[y + j] = (((q & 0x0F) | h0) - 16) * d;
                dst[y + j + QK / 2] = (((q >>> 4) | h1) - 16) * d;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q5_0_ref}: {@code d = max/−16}, fifth bits gathered into qh. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Le.putF16(dst, b, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(31, (byte) QuantMath.truncX86(src[x + j] * id + 16.5f)) & 0xFF;
                int q1 = Math.min(31, (byte) QuantMath.truncX86(src[x + QK / 2 + j] * id + 16.5f)) & 0xFF;
                Le.putU8(dst, b + 6 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(Le.I32, b + 2, qh);
        }
    }
}
