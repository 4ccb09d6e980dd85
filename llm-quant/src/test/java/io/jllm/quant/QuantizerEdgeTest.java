package io.jllm.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Edge blocks: zeros, one huge value, rounding ties, denormals, ±max, NaN conversions. */
class QuantizerEdgeTest {
    static final GgmlType[] QUANTIZABLE = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0,
        GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q2_K,
        GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS};

    /** Rows of 256 values that stress the scale searches. */
    static List<float[]> edgeRows() {
        List<float[]> rows = new ArrayList<>();
        rows.add(new float[256]);                                   // all zeros
        float[] spike = new float[256];
        spike[77] = 1e4f;                                           // one huge value among zeros
        rows.add(spike);
        float[] spikeNeg = new float[256];
        Arrays.fill(spikeNeg, 0.001f);
        spikeNeg[200] = -5e3f;                                      // one huge negative among small
        rows.add(spikeNeg);
        float[] alt = new float[256];
        for (int i = 0; i < alt.length; i++) {
            // ±max: the largest binary16 value, which Q4_1/Q5_1 must store as their fp16 min
            alt[i] = (i & 1) == 0 ? 65504f : -65504f;
        }
        rows.add(alt);
        float[] ties = new float[256];
        for (int i = 0; i < ties.length; i++) {
            ties[i] = (i % 8) - 3.5f;                               // exact halves everywhere
        }
        rows.add(ties);
        float[] constant = new float[256];
        Arrays.fill(constant, -2.75f);
        rows.add(constant);
        float[] ramp = new float[256];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = i - 127.5f;
        }
        rows.add(ramp);
        return rows;
    }

    static byte[] quantize(GgmlType t, float[] x) {
        byte[] out = new byte[(int) t.bytes(x.length)];
        Quantizer.quantize(t, x, 0, x.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    static float[] dequantize(GgmlType t, byte[] q, int n) {
        float[] y = new float[n];
        Dequantizer.dequantize(t, MemorySegment.ofArray(q), 0, n, y, 0);
        return y;
    }

    @Test
    void zerosStayZero() {
        for (GgmlType t : QUANTIZABLE) {
            float[] y = dequantize(t, quantize(t, new float[256]), 256);
            for (float v : y) {
                assertEquals(0f, v + 0f, t.ggmlName());
            }
        }
        // ggml's exact bytes: Q4_0 stores d = 0/−8 = −0 (fp16 0x8000) and level 8 (0x88), Q8_0 all zero
        byte[] q40 = quantize(GgmlType.Q4_0, new float[32]);
        assertEquals(0, q40[0]);
        assertEquals((byte) 0x80, q40[1]);
        for (int j = 2; j < 18; j++) {
            assertEquals((byte) 0x88, q40[j]);
        }
        assertArrayEquals(new byte[34], quantize(GgmlType.Q8_0, new float[32]));
    }

    @Test
    void nearestIntAndRoundfTies() {
        assertEquals(0, QuantMath.nearestInt(0.5f));
        assertEquals(2, QuantMath.nearestInt(1.5f));
        assertEquals(2, QuantMath.nearestInt(2.5f));
        assertEquals(0, QuantMath.nearestInt(-0.5f));
        assertEquals(-2, QuantMath.nearestInt(-1.5f));
        assertEquals(-4, QuantMath.nearestInt(-3.5f));
        assertEquals(4194303, QuantMath.nearestInt(4194303f));
        assertEquals(3f, QuantMath.roundf(2.5f));
        assertEquals(-3f, QuantMath.roundf(-2.5f));
        assertEquals(0f, QuantMath.roundf(0.49999997f));
        assertEquals(1f, QuantMath.roundf(0.5f));
        assertEquals(Integer.MIN_VALUE, QuantMath.truncX86(Float.POSITIVE_INFINITY));
        assertEquals(Integer.MIN_VALUE, QuantMath.truncX86(Float.NaN));
        assertEquals(-7, QuantMath.truncX86(-7.9f));
    }

    @Test
    void q8_0RoundsHalvesAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f;      // d = 1, id = 1
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -126.5f;
        byte[] q = quantize(GgmlType.Q8_0, x);
        assertEquals(0x3C00, (q[0] & 0xFF) | (q[1] & 0xFF) << 8); // fp16 1.0
        assertEquals(127, q[2]);
        assertEquals(3, q[3]);
        assertEquals(-3, q[4]);
        assertEquals(1, q[5]);
        assertEquals(-127, q[6]);
    }

    @Test
    void q4_0UsesTheSignedMaximumAndClampsTheOppositeExtreme() {
        float[] x = new float[32];
        x[0] = -8f;       // max (signed) = -8 → d = 1
        x[1] = 8f;        // the opposite extreme: 16.5 truncates to 16, clamped to 15
        x[2] = 0.5f;      // 9.0 → 9
        x[3] = -0.5f;     // 8.0 → 8
        x[5] = 8f;        // a tie in |x| with x[0]: the first one wins (strict <)
        byte[] q = quantize(GgmlType.Q4_0, x);
        assertEquals(0x3C00, (q[0] & 0xFF) | (q[1] & 0xFF) << 8);
        assertEquals(0, q[2] & 0xF);
        assertEquals(15, q[3] & 0xF);
        assertEquals(9, q[4] & 0xF);
        assertEquals(8, q[5] & 0xF);
    }

    @Test
    void denormalBlocksGiveFiniteTinyValues() {
        float[] x = new float[256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 3 - 1) * Float.MIN_VALUE * (1 + i);
        }
        for (GgmlType t : QUANTIZABLE) {
            float[] y = dequantize(t, quantize(t, x), 256);
            for (int i = 0; i < y.length; i++) {
                assertTrue(Float.isFinite(y[i]) && Math.abs(y[i]) <= 1e-37f, t + " " + i + ": " + y[i]);
            }
        }
        // x86 semantics: the infinite inverse scale turns every level into 0 (cvttss2si's 0x80000000)
        byte[] q80 = quantize(GgmlType.Q8_0, Arrays.copyOf(x, 32));
        assertArrayEquals(new byte[34], q80);
    }

    @Test
    void halfPrecisionLimits() {
        float[] x = {65504f, -65504f, 65519.99f, 65520f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN, 0x1p-24f};
        float[] f16 = dequantize(GgmlType.F16, quantize(GgmlType.F16, x), x.length);
        assertEquals(65504f, f16[0]);
        assertEquals(-65504f, f16[1]);
        assertEquals(65504f, f16[2]);
        assertEquals(Float.POSITIVE_INFINITY, f16[3]);
        assertEquals(Float.POSITIVE_INFINITY, f16[4]);
        assertEquals(Float.NEGATIVE_INFINITY, f16[5]);
        assertTrue(Float.isNaN(f16[6]));
        assertEquals(0x1p-24f, f16[7]);
        // bf16 (ggml_compute_fp32_to_bf16): round to nearest even, so FLT_MAX overflows; NaN stays quiet
        assertEquals((short) 0x7F80, Le.toBf16(Float.MAX_VALUE));
        assertEquals((short) 0x7FC0, Le.toBf16(Float.intBitsToFloat(0x7F800001)));
        assertEquals((short) 0x3F80, Le.toBf16(Float.intBitsToFloat(0x3F808000)));   // tie → even
        assertEquals((short) 0x3F82, Le.toBf16(Float.intBitsToFloat(0x3F818000)));   // tie → even (up)
        assertEquals((short) 0x0001, Le.toBf16(Float.MIN_VALUE * 65536));             // denormals kept
    }

    @Test
    void badLengthsAreRejected() {
        MemorySegment out = MemorySegment.ofArray(new byte[1024]);
        assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(GgmlType.Q4_K, new float[300], 0, 300, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Quantizer.quantize(GgmlType.Q8_0, new float[32], 0, 64, out, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Quantizer.quantize(GgmlType.F32, new float[512], 0, 512, out, 0));
    }
}
