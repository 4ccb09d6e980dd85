package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;

/**
 * Test-side activation conversion from the reference's section 4 description, written
 * independently of {@link ActivationQuant}: per block the integer quants and the scale.
 */
final class RefActivations {
    /** Quantized block: ints q, the stored scale d (fp16-rounded for Q8_0/Q8_1), s for Q8_1. */
    record Block(int[] q, float d, float s) {
        float value(int j) {
            return q[j] * d;
        }
    }

    private RefActivations() {}

    static Block[] quantize(GgmlType act, float[] x) {
        int bs = act == GgmlType.Q8_K ? 256 : 32;
        Block[] out = new Block[x.length / bs];
        for (int b = 0; b < out.length; b++) {
            int[] q = new int[bs];
            if (act == GgmlType.Q8_K) {
                float amax = 0, max = 0;
                for (int j = 0; j < bs; j++) {
                    if (Math.abs(x[b * bs + j]) > amax) {
                        amax = Math.abs(x[b * bs + j]);
                        max = x[b * bs + j];
                    }
                }
                if (amax == 0) {
                    out[b] = new Block(q, 0f, 0f);
                    continue;
                }
                float iscale = -127f / max;
                for (int j = 0; j < bs; j++) {
                    // nearest_int as ggml: the bits of f + 12582912f
                    float f = iscale * x[b * bs + j];
                    int v = (Float.floatToRawIntBits(f + 12582912f) & 0x7FFFFF) - 0x400000;
                    q[j] = Math.min(127, v);
                }
                out[b] = new Block(q, 1f / iscale, 0f);
            } else {
                float amax = 0;
                for (int j = 0; j < bs; j++) {
                    amax = Math.max(amax, Math.abs(x[b * bs + j]));
                }
                float d = amax / 127f;
                float id = amax == 0 ? 0f : 127f / amax;
                int sum = 0;
                for (int j = 0; j < bs; j++) {
                    float v = x[b * bs + j] * id;
                    // round half to even, spelled out
                    float fl = (float) Math.floor(v);
                    float diff = v - fl;
                    int r = (int) fl;
                    if (diff > 0.5f || (diff == 0.5f && (r & 1) != 0)) {
                        r++;
                    }
                    q[j] = r;
                    sum += r;
                }
                float dh = Float.float16ToFloat(Float.floatToFloat16(d));
                float s = Float.float16ToFloat(Float.floatToFloat16(d * sum));
                out[b] = new Block(q, dh, s);
            }
        }
        return out;
    }

    /** Dequantized activation values q·d. */
    static float[] values(GgmlType act, float[] x) {
        Block[] blocks = quantize(act, x);
        float[] v = new float[x.length];
        int bs = x.length / Math.max(1, blocks.length);
        for (int b = 0; b < blocks.length; b++) {
            for (int j = 0; j < bs; j++) {
                v[b * bs + j] = blocks[b].value(j);
            }
        }
        return v;
    }
}
