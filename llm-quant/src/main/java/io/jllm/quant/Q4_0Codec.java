package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q4_0 {@code {fp16 d; u8 qs[16]}}: {@code y = (q − 8)·d}; low nibbles are elements 0..15. */
final class Q4_0Codec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, b + 2 + j);
                dst[y + j] = ((q & 0x0F) - 8) * d;
                dst[y + j + QK / 2] = ((q >>> 4) - 8) * d;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_row_q4_0_ref}: {@code d = max/−8} from the signed value of largest magnitude. */
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
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Le.putF16(dst, b, d);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (byte) QuantMath.truncX86(src[x + j] * id + 8.5f));
                int q1 = Math.min(15, (byte) QuantMath.truncX86(src[x + QK / 2 + j] * id + 8.5f));
                Le.putU8(dst, b + 2 + j, (q0 & 0xFF) | (q1 << 4));
            }
        }
    }
}
