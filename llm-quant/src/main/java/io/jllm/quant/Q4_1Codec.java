package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q4_1 {@code {fp16 d, m; u8 qs[16]}}: {@code y = q·d + m}. */
final class Q4_1Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 20;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            float m = Le.f16(src, b + 2);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, b + 4 + j);
                dst[y + j] = (q & 0x0F) * d + m;
                dst[y + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q4_1_ref}: {@code d = (max − min)/15}, {@code m = min}. */
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
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Le.putF16(dst, b, d);
            Le.putF16(dst, b + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (byte) QuantMath.truncX86((src[x + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (byte) QuantMath.truncX86((src[x + QK / 2 + j] - min) * id + 0.5f));
                Le.putU8(dst, b + 4 + j, (q0 & 0xFF) | (q1 << 4));
            }
        }
    }
}
