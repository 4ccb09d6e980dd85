package io.jllm.core.ops;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/** RMSNorm and LayerNorm over one row, with ggml's summation (reference section 4). */
public final class Norms {
    private Norms() {}

    /**
     * {@code y = x · 1/sqrtf(mean + eps) · w} where {@code mean = (float)(Σ(double)(x·x) / n)};
     * the weight is a separate multiplication, as ggml applies it with {@code mul}.
     */
    public static void rms(MemorySegment x, long xi, int n, float eps, float[] w, MemorySegment y, long yi) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = F32.get(x, xi + i);
            sum += (double) (v * v);
        }
        float mean = (float) (sum / n);
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            float v = F32.get(x, xi + i) * scale;
            F32.set(y, yi + i, v * w[i]);
        }
    }

    /**
     * LayerNorm: mean and variance accumulated in double and rounded to float, then
     * {@code (x − mean) · 1/sqrtf(var + eps)}, then {@code · w + b}.
     */
    public static void layer(MemorySegment x, long xi, int n, float eps, float[] w, float @Nullable [] b,
                             MemorySegment y, long yi) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += F32.get(x, xi + i);
        }
        float mean = (float) (sum / n);
        double sum2 = 0;
        for (int i = 0; i < n; i++) {
            float v = F32.get(x, xi + i) - mean;
            F32.set(y, yi + i, v);
            sum2 += (double) (v * v);
        }
        float variance = (float) (sum2 / n);
        float scale = 1.0f / (float) Math.sqrt(variance + eps);
        for (int i = 0; i < n; i++) {
            float v = F32.get(y, yi + i) * scale * w[i];
            F32.set(y, yi + i, b == null ? v : v + b[i]);
        }
    }
}
