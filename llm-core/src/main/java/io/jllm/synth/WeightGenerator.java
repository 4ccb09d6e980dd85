package io.jllm.synth;

/**
 * Seeded random values for a synthetic model, reproducible row by row: the values of row
 * {@code r} of tensor {@code t} depend only on (seed, t, r), so rows can be generated in any
 * order or in parallel. Weights are approximately normal with standard deviation
 * {@link #WEIGHT_STD} (Irwin–Hall sum of four uniforms, scaled to unit variance: cheap, bounded
 * at ±3.46σ), norm weights are 1 + N·0.02, biases N·0.02 — the ranges of trained small models,
 * so activations stay realistic through every layer.
 */
public final class WeightGenerator {
    /** Standard deviation of matrix weights (the usual initializer range). */
    public static final double WEIGHT_STD = 0.02;

    private static final double UNIT = 0x1.0p-32; // one 32-bit uniform step
    private static final double IRWIN_HALL_SCALE = Math.sqrt(3.0); // sum of 4 U(0,1): variance 1/3

    private final long seed;

    public WeightGenerator(long seed) {
        this.seed = seed;
    }

    /**
     * Fills {@code dst[off .. off + n)} with row {@code row} of the tensor numbered
     * {@code tensorIndex}, of the given kind.
     */
    public void fillRow(int tensorIndex, long row, TensorSpec.Kind kind, float[] dst, int off, int n) {
        double scale;
        double mean;
        switch (kind) {
            case NORM -> {
                scale = 0.02;
                mean = 1.0;
            }
            case MATRIX, ROUTER, BIAS -> {
                scale = WEIGHT_STD;
                mean = 0.0;
            }
            case FIXED -> throw new IllegalArgumentException("fixed tensors are computed, not generated");
            default -> throw new IllegalStateException();
        }
        long state = mix(seed ^ mix(((long) tensorIndex << 40) ^ row ^ 0x5DEECE66DL));
        double k = scale * IRWIN_HALL_SCALE;
        for (int i = 0; i < n; i++) {
            state += 0x9E3779B97F4A7C15L;
            long a = mix(state);
            state += 0x9E3779B97F4A7C15L;
            long b = mix(state);
            double sum = ((a >>> 32) + (a & 0xFFFFFFFFL) + (b >>> 32) + (b & 0xFFFFFFFFL)) * UNIT; // 4 × U(0,1)
            dst[off + i] = (float) (mean + (sum - 2.0) * k);
        }
    }

    /** SplitMix64's finalizer: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
