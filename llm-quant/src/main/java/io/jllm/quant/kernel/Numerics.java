package io.jllm.quant.kernel;

/**
 * How the matrix products round, chosen once per JVM by the system property
 * {@code jllm.numerics} ({@code fast}, the default, or {@code reference}).
 *
 * <ul>
 *   <li>{@link #FAST}: batches of more than 3 tokens are multiplied in float on decoded weights
 *       (the same products as ggml, summed in another order), lane sums use
 *       {@code reduceLanes}, whose order depends on whether C2 has compiled the caller.</li>
 *   <li>{@link #REFERENCE}: every product is computed row by row for each token exactly as a
 *       batch of one ({@link IntMatVec}'s integer block sums, {@link HalfMatVec}'s f16/bf16
 *       rows, otherwise the scalar reference kernels), so a batch gives bit for bit what one
 *       token at a time gives, like ggml's exact int32 block sums; and vector lane sums are
 *       added in one fixed order ({@link Lanes}) whatever the JIT state, so every evaluation of
 *       a JVM is the same. Prompt processing is slower (no float GEMM).</li>
 * </ul>
 *
 * A JVM-wide switch rather than a per-call flag because the lane-sum order is a constant
 * folded into the hot kernels: in {@code FAST} mode they compile exactly as before.
 */
public enum Numerics {
    FAST,
    REFERENCE;

    /** Property naming the mode: {@code -Djllm.numerics=reference}. */
    public static final String PROPERTY = "jllm.numerics";

    private static final Numerics CURRENT = parse(System.getProperty(PROPERTY));
    /** The constant the kernels test (folded by the JIT). */
    static final boolean ORDERED = CURRENT == REFERENCE;

    /** The mode of this JVM. */
    public static Numerics current() {
        return CURRENT;
    }

    /**
     * The mode named by {@code value} ({@code null} or empty: {@link #FAST}), case-insensitive.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Numerics parse(String value) {
        if (value == null || value.isEmpty()) {
            return FAST;
        }
        for (Numerics n : values()) {
            if (n.name().equalsIgnoreCase(value)) {
                return n;
            }
        }
        throw new IllegalArgumentException(PROPERTY + " must be 'fast' or 'reference', got '" + value + "'");
    }
}
