package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Scalar reference kernel of a block-quantized weight type. Activations are converted to the
 * type's ggml vec_dot_type ({@link ActivationQuant}); the dot product walks the blocks in order,
 * computes each block's exact integer sums and folds them into a float accumulator exactly as
 * ggml's scalar {@code ggml_vec_dot_*} does ({@link #accumulate}).
 *
 * <p>Each kernel also knows how to decode one weight block to the f32 values ggml's
 * {@code dequantize_row_*} gives ({@link #decodeBlock}); the SIMD matrix path multiplies those
 * with the quantized-then-dequantized activations. For types with a per-block minimum against
 * Q8_1 activations (Q4_1, Q5_1), the minimum is left out of the decoded values and added
 * separately as {@code m·s}, as ggml does ({@link #blockMin}).
 */
abstract class BlockKernel implements WeightKernel {
    /** ggml's non-linear 4-bit codebook (IQ4_NL, IQ4_XS). */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private final GgmlType type;
    private final GgmlType activationType;
    final int blockSize;
    final int blockBytes;
    final int actBlockBytes;

    BlockKernel(GgmlType type, GgmlType activationType) {
        this.type = type;
        this.activationType = activationType;
        this.blockSize = type.blockSize();
        this.blockBytes = type.typeSize();
        this.actBlockBytes = activationType.typeSize();
        if (activationType.blockSize() != blockSize) {
            throw new IllegalStateException(type + " vs " + activationType);
        }
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public final GgmlType activationType() {
        return activationType;
    }

    @Override
    public final void convertActivations(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        checkMultiple(n);
        switch (activationType) {
            case Q8_0 -> ActivationQuant.toQ8_0(x, xOff, n, dst, dstOff);
            case Q8_1 -> ActivationQuant.toQ8_1(x, xOff, n, dst, dstOff);
            case Q8_K -> ActivationQuant.toQ8_K(x, xOff, n, dst, dstOff);
            default -> throw new IllegalStateException("activation type " + activationType);
        }
    }

    @Override
    public final float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        checkMultiple(n);
        float sumf = 0f;
        for (int b = 0, nb = n / blockSize; b < nb; b++) {
            sumf = accumulate(sumf, w, wOff + (long) b * blockBytes, a, aOff + (long) b * actBlockBytes);
        }
        return sumf;
    }

    final void checkMultiple(int n) {
        if (n % blockSize != 0) {
            throw new IllegalArgumentException("row length " + n + " is not a multiple of the "
                    + type + " block size " + blockSize);
        }
    }

    /** Adds one block's contribution (weights at {@code wo}, activations at {@code ao}) to {@code sumf}. */
    abstract float accumulate(float sumf, MemorySegment w, long wo, MemorySegment a, long ao);

    /**
     * Decodes the weight block at {@code wo} to {@link #blockSize} f32 values at {@code dst[dOff..]}:
     * ggml's dequantized values, except that for {@link #hasMin()} types the block minimum is left out.
     */
    abstract void decodeBlock(MemorySegment w, long wo, float[] dst, int dOff);

    /** True when the block minimum is handled separately (Q4_1, Q5_1 against Q8_1 activations). */
    boolean hasMin() {
        return false;
    }

    /** The block minimum m (only for {@link #hasMin()} types). */
    float blockMin(MemorySegment w, long wo) {
        return 0f;
    }
}
