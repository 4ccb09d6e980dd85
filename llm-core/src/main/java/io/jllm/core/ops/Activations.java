package io.jllm.core.ops;

import java.lang.foreign.MemorySegment;

/** SiLU and ggml's table GELU. */
public final class Activations {
    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    private static final float GELU_COEF_A = 0.044715f;

    private Activations() {}

    /** The tanh-approximation GELU computed in float, as {@code ggml_gelu_f32}. */
    static float geluF32(float x) {
        return 0.5f * x * (1.0f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
    }

    /** ggml's fp16 GELU table: for every half value h, fp16(gelu(h)). */
    private static final class Table {
        static final short[] GELU = new short[65536];

        static {
            for (int i = 0; i < 65536; i++) {
                GELU[i] = Fp16.toHalf(geluF32(Fp16.fromHalf((short) i)));
            }
        }
    }

    /**
     * GELU as ggml's CPU backend computes it: x ≤ −10 → 0, x ≥ 10 → x, otherwise x is rounded
     * to fp16 and looked up in the table of fp16 results.
     */
    public static float gelu(float x) {
        if (x <= -10.0f) {
            return 0.0f;
        }
        if (x >= 10.0f) {
            return x;
        }
        return Fp16.fromHalf(Table.GELU[Fp16.toHalf(x) & 0xffff]);
    }

    public static float silu(float x) {
        return x / (1.0f + (float) Math.exp(-x));
    }

    /** {@code a[i] = silu(a[i]) · b[i]} over n floats (SwiGLU). */
    public static void swiglu(MemorySegment a, long ai, MemorySegment b, long bi, int n) {
        for (int i = 0; i < n; i++) {
            F32.set(a, ai + i, silu(F32.get(a, ai + i)) * F32.get(b, bi + i));
        }
    }

    /** {@code a[i] = gelu(a[i])} over n floats. */
    public static void gelu(MemorySegment a, long ai, int n) {
        for (int i = 0; i < n; i++) {
            F32.set(a, ai + i, gelu(F32.get(a, ai + i)));
        }
    }
}
