package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random and adversarial weight rows and activations for kernel tests. */
final class TestBlocks {
    static final GgmlType[] BLOCK_TYPES = {GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.Q8_0, GgmlType.IQ4_NL, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K,
            GgmlType.Q6_K, GgmlType.IQ4_XS};
    static final GgmlType[] ALL_TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.IQ4_NL, GgmlType.Q2_K,
            GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_XS};
    static final float[] EXTREME_SCALES = {65504f, -65504f, 6.103515625e-5f, 5.9604645e-8f, 0f, -1f, 1f};

    enum Mode { RANDOM, ZERO, MAX, EXTREME_SCALE }

    private TestBlocks() {}

    /** Byte offsets of the fp16 scale fields in one block. */
    static int[] fp16Fields(GgmlType t) {
        return switch (t) {
            case Q4_0, Q5_0, Q8_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    static void putF16(byte[] b, int off, float v) {
        short h = Float.floatToFloat16(v);
        b[off] = (byte) h;
        b[off + 1] = (byte) (h >> 8);
    }

    /** {@code rows} rows of {@code cols} elements, row-major: every {@code extremeEvery}-th row (1-based) with extreme scales, the others random. */
    static byte[] matrix(GgmlType t, int rows, int cols, int extremeEvery, Random rnd) {
        int rowBytes = (int) t.bytes(cols);
        byte[] bytes = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            byte[] row = row(t, cols, r % extremeEvery == extremeEvery - 1 ? Mode.EXTREME_SCALE : Mode.RANDOM, rnd);
            System.arraycopy(row, 0, bytes, r * rowBytes, rowBytes);
        }
        return bytes;
    }

    /** One row of {@code n} elements of type {@code t} (bytes). */
    static byte[] row(GgmlType t, int n, Mode mode, Random rnd) {
        byte[] b = new byte[(int) t.bytes(n)];
        switch (t) {
            case F32, F16, BF16 -> {
                MemorySegment s = MemorySegment.ofArray(b);
                for (int i = 0; i < n; i++) {
                    float v = switch (mode) {
                        case ZERO -> 0f;
                        case MAX -> t == GgmlType.F16 ? (rnd.nextBoolean() ? 65504f : -65504f) : 3e4f;
                        case EXTREME_SCALE -> EXTREME_SCALES[rnd.nextInt(EXTREME_SCALES.length)];
                        case RANDOM -> (float) rnd.nextGaussian();
                    };
                    switch (t) {
                        case F32 -> s.set(LE_F32, 4L * i, v);
                        case F16 -> s.set(LE_I16, 2L * i, Float.floatToFloat16(v));
                        default -> s.set(LE_I16, 2L * i, (short) (Float.floatToIntBits(v) >>> 16));
                    }
                }
            }
            default -> {
                switch (mode) {
                    case ZERO -> { }
                    case MAX -> java.util.Arrays.fill(b, (byte) (rnd.nextBoolean() ? 0xFF : 0x80));
                    default -> rnd.nextBytes(b);
                }
                for (int blk = 0; blk < n / t.blockSize(); blk++) {
                    for (int f : fp16Fields(t)) {
                        float v = switch (mode) {
                            case ZERO -> 0f;
                            case MAX -> 65504f;
                            case EXTREME_SCALE -> EXTREME_SCALES[rnd.nextInt(EXTREME_SCALES.length)];
                            case RANDOM -> (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(2, -12 * rnd.nextDouble()));
                        };
                        putF16(b, blk * t.typeSize() + f, v);
                    }
                }
            }
        }
        return b;
    }

    static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Activations: gaussian, with some adversarial patterns (zeros, rounding ties, huge range). */
    static float[] activations(int n, Mode mode, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (mode) {
                case ZERO -> 0f;
                case MAX -> (i % 32 == 0) ? 127f : (i % 2 == 0 ? 2.5f : -3.5f); // exact .5 ties after scaling
                case EXTREME_SCALE -> (float) (rnd.nextGaussian() * Math.pow(10, (i / 32) % 7 - 3));
                case RANDOM -> (float) rnd.nextGaussian();
            };
        }
        return x;
    }

    /** Element values of a whole row per {@link RefDequant} (or plain floats for F32/F16/BF16). */
    static float[] dequant(GgmlType t, byte[] row, int n) {
        float[] out = new float[n];
        MemorySegment s = MemorySegment.ofArray(row);
        switch (t) {
            case F32 -> { for (int i = 0; i < n; i++) out[i] = s.get(LE_F32, 4L * i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s.get(LE_I16, 2L * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(s.get(LE_I16, 2L * i) << 16); }
            default -> {
                int bs = t.blockSize();
                for (int blk = 0; blk < n / bs; blk++) {
                    byte[] one = java.util.Arrays.copyOfRange(row, blk * t.typeSize(), (blk + 1) * t.typeSize());
                    for (int e = 0; e < bs; e++) {
                        out[blk * bs + e] = RefDequant.value(t, one, e);
                    }
                }
            }
        }
        return out;
    }

    static MemorySegment seg(float[] x) {
        MemorySegment s = MemorySegment.ofArray(new byte[4 * x.length]);
        for (int i = 0; i < x.length; i++) {
            s.set(LE_F32, 4L * i, x[i]);
        }
        return s;
    }
}
