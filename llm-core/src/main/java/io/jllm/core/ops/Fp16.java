package io.jllm.core.ops;

/** IEEE half and bfloat16 conversions as ggml's x86 CPU backend does them (round to nearest even). */
public final class Fp16 {
    private Fp16() {}

    /** Rounds a float to the nearest half-precision value. */
    public static float round(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    public static short toHalf(float x) {
        return Float.floatToFloat16(x);
    }

    public static float fromHalf(short h) {
        return Float.float16ToFloat(h);
    }

    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
