package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * The dot-product kernel of one weight type, as ggml's CPU backend computes it: activations
 * (f32) are first converted to the type's {@link #activationType()} (ggml's vec_dot_type, e.g.
 * Q8_0 for Q4_0 weights, Q8_K for K-quants, F16 for F16), then each weight row is dotted with
 * the converted activations. One implementation per weight type; each has a scalar reference
 * and the SIMD version is tested against it.
 */
public interface WeightKernel {
    /** The weight type this kernel reads. */
    GgmlType type();

    /** The type activations are converted to before the dot product (ggml's vec_dot_type). */
    GgmlType activationType();

    /** Bytes needed for {@code n} activations converted to {@link #activationType()}. */
    default long activationBytes(int n) {
        return activationType().bytes(n);
    }

    /** Converts {@code n} f32 activations at byte offset {@code xOff} of {@code x} into {@code dst}. */
    void convertActivations(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff);

    /**
     * Dot product of one weight row ({@code n} elements at byte offset {@code wOff} of {@code w})
     * with {@code n} converted activations at byte offset {@code aOff} of {@code a}.
     */
    float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n);
}
