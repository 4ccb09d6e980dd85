package io.jllm.quant.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Activation conversion exactly as ggml's x86 CPU backend does it before a matrix product:
 * Q8_0 and Q8_1 as the AVX {@code quantize_row_q8_0/1} (d = amax/127 stored fp16,
 * id = 127/amax, q = round-half-even(x·id); Q8_1 adds s = fp16(d·Σq) with the unrounded d),
 * Q8_K as {@code quantize_row_q8_K_ref} (signed max, iscale = −127/max, q = min(127,
 * nearest_int(iscale·x)), bsums per 16, d = 1/iscale stored f32).
 *
 * <p>Each conversion exists in ggml's block layout (for the reference kernels) and as
 * "quantized then dequantized" f32 values q·d (for the SIMD kernels, which multiply exactly the
 * same numbers in a different order).
 */
final class ActivationQuant {
    static final int Q8_0_BYTES = 34;
    static final int Q8_1_BYTES = 36;
    static final int Q8_K_BYTES = 292;

    private ActivationQuant() {}

    /** max |x| over the 32 floats at {@code off}. */
    static float amax32(MemorySegment x, long off) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(Mem.f32(x, off + 4L * j)));
        }
        return amax;
    }

    /** ggml's x86 rounding of v·id (round half to even). */
    static int q(float v, float id) {
        return (int) Math.rint(v * id);
    }

    /**
     * ggml's Q8_K quant of v with its superblock's {@link #q8KScale} (0 for an all-zero
     * superblock, at most 127: the scale maps the extreme value to −128).
     */
    static int q8K(float v, float iscale) {
        return iscale == 0f ? 0 : Math.min(127, q(v, iscale));
    }

    /** f32 → Q8_0 blocks ({d fp16, qs[32]}), x86 AVX rounding. */
    static void toQ8_0(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / 32; b++) {
            long xo = xOff + 128L * b;
            long o = dstOff + (long) Q8_0_BYTES * b;
            float amax = amax32(x, xo);
            float d = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            Mem.setF16(dst, o, d);
            for (int j = 0; j < 32; j++) {
                Mem.setI8(dst, o + 2 + j, q(Mem.f32(x, xo + 4L * j), id));
            }
        }
    }

    /** f32 → Q8_1 blocks ({d fp16, s fp16, qs[32]}), x86 AVX rounding, s = fp16(d·Σq). */
    static void toQ8_1(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / 32; b++) {
            long xo = xOff + 128L * b;
            long o = dstOff + (long) Q8_1_BYTES * b;
            float amax = amax32(x, xo);
            float d = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int v = q(Mem.f32(x, xo + 4L * j), id);
                sum += v;
                Mem.setI8(dst, o + 4 + j, v);
            }
            Mem.setF16(dst, o, d);
            Mem.setF16(dst, o + 2, d * sum);
        }
    }

    /** f32 → Q8_K blocks ({d f32, qs[256], bsums[16]}) as quantize_row_q8_K_ref. */
    static void toQ8_K(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / 256; b++) {
            long xo = xOff + 1024L * b;
            long o = dstOff + (long) Q8_K_BYTES * b;
            float iscale = q8KScale(x, xo);
            for (int j = 0; j < 256; j++) {
                int v = iscale == 0f ? 0 : Math.min(127, (int) Math.rint(iscale * Mem.f32(x, xo + 4L * j)));
                Mem.setI8(dst, o + 4 + j, v);
            }
            for (int g = 0; g < 16; g++) {
                int s = 0;
                for (int j = 0; j < 16; j++) {
                    s += Mem.i8(dst, o + 4 + 16 * g + j);
                }
                dst.set(Mem.I16, o + 260 + 2L * g, (short) s);
            }
            Mem.setF32(dst, o, iscale == 0f ? 0f : 1f / iscale);
        }
    }

    /** −127/max for the signed value of largest magnitude (first one on ties), or 0 if all zero. */
    static float q8KScale(MemorySegment x, long xo) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 256; j++) {
            float v = Mem.f32(x, xo + 4L * j);
            float ax = Math.abs(v);
            if (ax > amax) {
                amax = ax;
                max = v;
            }
        }
        return amax == 0f ? 0f : -127f / max;
    }

    // ---- "quantized then dequantized" f32 forms for the SIMD kernels ----

    /** Q8_0 (or Q8_1) values q·fp16(d) as f32; if {@code sums} is not null, also s = fp16(d·Σq) per block. */
    static void toQ8_0Floats(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff,
                             MemorySegment sums, long sumsOff) {
        for (int b = 0; b < n / 32; b++) {
            long xo = xOff + 128L * b;
            long o = dstOff + 128L * b;
            float amax = amax32(x, xo);
            float d = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            float dh = Mem.roundF16(d);
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int v = q(Mem.f32(x, xo + 4L * j), id);
                sum += v;
                Mem.setF32(dst, o + 4L * j, v * dh);
            }
            if (sums != null) {
                Mem.setF32(sums, sumsOff + 4L * b, Mem.roundF16(d * sum));
            }
        }
    }

    /** Q8_K values q·d as f32. */
    static void toQ8_KFloats(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / 256; b++) {
            long xo = xOff + 1024L * b;
            long o = dstOff + 1024L * b;
            float iscale = q8KScale(x, xo);
            float d = iscale == 0f ? 0f : 1f / iscale;
            for (int j = 0; j < 256; j++) {
                int v = iscale == 0f ? 0 : Math.min(127, (int) Math.rint(iscale * Mem.f32(x, xo + 4L * j)));
                Mem.setF32(dst, o + 4L * j, v * d);
            }
        }
    }

    /** f32 → fp16 → f32 for every value (F16 weights). */
    static void toF16Floats(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int j = 0; j < n; j++) {
            Mem.setF32(dst, dstOff + 4L * j, Mem.roundF16(Mem.f32(x, xOff + 4L * j)));
        }
    }

    /** f32 → bf16 (ggml rounding) → f32 for every value (BF16 weights). */
    static void toBf16Floats(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff) {
        for (int j = 0; j < n; j++) {
            Mem.setF32(dst, dstOff + 4L * j, Mem.bf16ToFloat(Mem.floatToBf16(Mem.f32(x, xOff + 4L * j))));
        }
    }
}
