package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** IQ4_NL: the Q4_0 layout with a non-linear 16-entry codebook, {@code y = d·kvalues[q]}. */
final class IQ4_NLCodec implements TypeCodec {
    static final int QK = 32;
    static final int BYTES = 18;
    /** ggml's {@code kvalues_iq4nl}. */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public void toFloat(MemorySegment src, long srcOff, float[] dst, int dstOff, int blocks) {
        for (int i = 0; i < blocks; i++) {
            long b = srcOff + (long) i * BYTES;
            float d = Le.f16(src, b);
            int y = dstOff + i * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, b + 2 + j);
                dst[y + j] = d * KVALUES[q & 0xF];
                dst[y + j + QK / 2] = d * KVALUES[q >>> 4];
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** {@code quantize_iq4_nl} without imatrix: scale search per block, levels from the unrounded scale. */
    @Override
    public void fromFloat(float[] src, int srcOff, MemorySegment dst, long dstOff, int blocks) {
        byte[] L = new byte[QK];
        for (int i = 0; i < blocks; i++) {
            int x = srcOff + i * QK;
            long b = dstOff + (long) i * BYTES;
            float scale = Iq4Search.blockScale(src, x, L, 0);
            Le.putF16(dst, b, scale);
            float id = scale != 0 ? 1 / scale : 0;
            for (int j = 0; j < QK; j++) {
                L[j] = (byte) Iq4Search.bestIndex(id * src[x + j]);
            }
            Iq4Search.pack(L, 0, dst, b + 2);
        }
    }
}
