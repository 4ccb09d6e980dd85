package io.jllm.core.ops;

import java.lang.foreign.MemorySegment;

/**
 * ggml's softmax as its AVX-512 build computes it (reference section 4, "Softmax"): each value
 * through the polynomial {@code ggml_v_expf} (one lane emulated with {@link Math#fma}), the
 * values summed 16 at a time in float, pairwise ({@code _mm512_reduce_add_ps}), the chunk sums
 * in double. Used by {@code Numerics.REFERENCE} attention.
 */
public final class GgmlExp {
    /** Values per chunk sum (AVX-512 lanes); the size of the caller's lane buffer. */
    public static final int CHUNK = 16;

    private GgmlExp() {}

    /** One lane of ggml's AVX-512 {@code ggml_v_expf}: e^x to about 1.5 ulp. */
    public static float expf(float x) {
        float r = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, r);
        float n = z - r;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        if (Math.abs(n) > 192f) { // also NaN-free for x = −inf: n = −inf
            return n <= 0f ? 0f : Float.POSITIVE_INFINITY;
        }
        float u = b * b;
        float j = Math.fma(Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u, Math.fma(0x1.ffffecp-1f, b, 1.0f));
        return Math.scalb(j, (int) n);
    }

    /**
     * Replaces the n scores at float index s0 of sc by {@code expf(s − max)} and returns
     * {@code (float)(1/Σ)}; cells past n (the reference's masked padding) count as 0.
     * {@code lanes} ({@link #CHUNK} floats) is scratch.
     */
    public static float softmax(MemorySegment sc, long s0, int n, float[] lanes) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, F32.get(sc, s0 + j));
        }
        double sum = 0;
        for (int c = 0; c < n; c += CHUNK) {
            for (int i = 0; i < CHUNK; i++) {
                float e = c + i < n ? expf(F32.get(sc, s0 + c + i) - max) : 0f;
                lanes[i] = e;
                if (c + i < n) {
                    F32.set(sc, s0 + c + i, e);
                }
            }
            for (int w = CHUNK / 2; w >= 1; w /= 2) {
                for (int i = 0; i < w; i++) {
                    lanes[i] += lanes[i + w];
                }
            }
            sum += lanes[0];
        }
        return (float) (1.0 / sum);
    }
}
