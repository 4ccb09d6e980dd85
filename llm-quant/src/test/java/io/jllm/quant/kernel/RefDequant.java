package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;

/**
 * Test-side, deliberately naive dequantization: the value of element {@code e} of one block,
 * straight from the formulas in the llama.cpp reference (section 2), float arithmetic in ggml's
 * order. Independent of the kernels' decoders.
 */
final class RefDequant {
    static final int[] KV = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private RefDequant() {}

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    static float h(byte[] b, int i) {
        return Float.float16ToFloat((short) ((b[i] & 0xFF) | (b[i + 1] << 8)));
    }

    /** Nibble of element e (e < 32) in the Q4_0 layout starting at qs. */
    static int nib(byte[] b, int qs, int e) {
        int v = u8(b, qs + (e % 16));
        return e < 16 ? v & 15 : v >> 4;
    }

    static int[] k4(byte[] b, int sc, int j) {
        if (j < 4) {
            return new int[] {u8(b, sc + j) & 63, u8(b, sc + j + 4) & 63};
        }
        return new int[] {(u8(b, sc + j + 4) & 15) | ((u8(b, sc + j - 4) >> 6) << 4),
                (u8(b, sc + j + 4) >> 4) | ((u8(b, sc + j) >> 6) << 4)};
    }

    static float value(GgmlType t, byte[] b, int e) {
        switch (t) {
            case Q4_0: return (nib(b, 2, e) - 8) * h(b, 0);
            case Q4_1: return nib(b, 4, e) * h(b, 0) + h(b, 2);
            case Q5_0: {
                int qh = u8(b, 2) | u8(b, 3) << 8 | u8(b, 4) << 16 | u8(b, 5) << 24;
                return ((nib(b, 6, e) | ((qh >>> e) & 1) << 4) - 16) * h(b, 0);
            }
            case Q5_1: {
                int qh = u8(b, 4) | u8(b, 5) << 8 | u8(b, 6) << 16 | u8(b, 7) << 24;
                return (nib(b, 8, e) | ((qh >>> e) & 1) << 4) * h(b, 0) + h(b, 2);
            }
            case Q8_0: return b[2 + e] * h(b, 0);
            case IQ4_NL: return h(b, 0) * KV[nib(b, 2, e)];
            case Q2_K: {
                int n = e / 128, s = (e % 128) / 32, l = e % 32;
                int q = (u8(b, 16 + 32 * n + l) >> (2 * s)) & 3;
                int sc = u8(b, e / 16);
                return (h(b, 80) * (sc & 15)) * q - h(b, 82) * (sc >> 4);
            }
            case Q3_K: {
                int n = e / 128, s = (e % 128) / 32, l = e % 32;
                int q = ((u8(b, 32 + 32 * n + l) >> (2 * s)) & 3) - (((u8(b, l) >> (e / 32)) & 1) == 1 ? 0 : 4);
                int i = e / 16;
                int lo = i < 8 ? u8(b, 96 + i) & 15 : u8(b, 96 + i - 8) >> 4;
                int hi = (u8(b, 104 + i % 4) >> (2 * (i / 4))) & 3;
                return (h(b, 108) * ((lo | hi << 4) - 32)) * q;
            }
            case Q4_K, Q5_K: {
                boolean five = t == GgmlType.Q5_K;
                int c = e / 64, l = e % 32;
                boolean high = e % 64 >= 32;
                int v = u8(b, (five ? 48 : 16) + 32 * c + l);
                int q = high ? v >> 4 : v & 15;
                if (five && ((u8(b, 16 + l) >> (2 * c + (high ? 1 : 0))) & 1) == 1) {
                    q += 16;
                }
                int[] sm = k4(b, 4, e / 32);
                return (h(b, 0) * sm[0]) * q - h(b, 2) * sm[1];
            }
            case Q6_K: {
                int n = e / 128, r = e % 128, l = r % 32;
                int q = switch (r / 32) {
                    case 0 -> (u8(b, 64 * n + l) & 15) | ((u8(b, 128 + 32 * n + l) & 3) << 4);
                    case 1 -> (u8(b, 64 * n + l + 32) & 15) | (((u8(b, 128 + 32 * n + l) >> 2) & 3) << 4);
                    case 2 -> (u8(b, 64 * n + l) >> 4) | (((u8(b, 128 + 32 * n + l) >> 4) & 3) << 4);
                    default -> (u8(b, 64 * n + l + 32) >> 4) | (((u8(b, 128 + 32 * n + l) >> 6) & 3) << 4);
                };
                return (h(b, 208) * b[192 + e / 16]) * (q - 32);
            }
            case IQ4_XS: {
                int ib = e / 32;
                int sh = u8(b, 2) | u8(b, 3) << 8;
                int ls = ((u8(b, 4 + ib / 2) >> (4 * (ib % 2))) & 15) | (((sh >> (2 * ib)) & 3) << 4);
                return (h(b, 0) * (ls - 32)) * KV[nib(b, 8 + 16 * ib, e % 32)];
            }
            default: throw new IllegalArgumentException(t.toString());
        }
    }
}
