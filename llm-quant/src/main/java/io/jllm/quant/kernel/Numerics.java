package io.jllm.quant.kernel;

import org.jspecify.annotations.Nullable;

/**
 * How the matrix products round, chosen once per JVM by the system property
 * {@code jllm.numerics} ({@code fast}, the default, or {@code reference}).
 *
 * <ul>
 *   <li>{@link #FAST}: the SIMD kernels. The same integer block sums and roundings of the
 *       operands as ggml, but batches of more than 3 tokens are multiplied in float on decoded
 *       weights, and every kernel sums its float lanes in its own order. That order is fixed: the
 *       same bits before and after the JIT compiles a kernel ({@code WarmUpFreshJvmTest}).</li>
 *   <li>{@link #REFERENCE}: scalar rows, every batch entry computed as a batch of one, so a batch
 *       gives bit for bit what one token at a time gives, like ggml, and every evaluation of a
 *       JVM is the same. For F32, Q8_0, Q5_0, Q4_K, Q5_K and Q6_K weights the float sums are in
 *       the order of llama.cpp's x86 build ({@link GgmlOrderRows}); other types use the scalar
 *       reference kernels (ggml's scalar order). Much slower than {@code FAST}: for checking
 *       against llama.cpp, not for serving.</li>
 * </ul>
 *
 * A JVM-wide switch, not a per-call flag: the SIMD kernels do not test it at all.
 */
public enum Numerics {
    FAST,
    REFERENCE;

    /** Property naming the mode: {@code -Djllm.numerics=reference}. */
    public static final String PROPERTY = "jllm.numerics";

    private static final Numerics CURRENT = parse(System.getProperty(PROPERTY));

    /** The mode of this JVM. */
    public static Numerics current() {
        return CURRENT;
    }

    /**
     * The mode named by {@code value} ({@code null} or empty: {@link #FAST}), case-insensitive.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Numerics parse(@Nullable String value) {
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
