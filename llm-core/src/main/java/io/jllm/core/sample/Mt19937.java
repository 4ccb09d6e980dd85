package io.jllm.core.sample;

/**
 * The 32-bit Mersenne Twister ({@code std::mt19937}) and libstdc++'s
 * {@code generate_canonical<double, 53>} on it, so a seeded draw follows llama.cpp's sampler.
 */
public final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int index;

    public Mt19937(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The next 32-bit output as an unsigned value. */
    public long nextUnsigned() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            int v = mt[(i + M) % N] ^ (y >>> 1);
            if ((y & 1) != 0) {
                v ^= 0x9908b0df;
            }
            mt[i] = v;
        }
        index = 0;
    }

    /** A double in [0, 1) from two draws, as libstdc++'s generate_canonical&lt;double, 53&gt;. */
    public double nextCanonical() {
        double sum = (double) nextUnsigned();
        sum += (double) nextUnsigned() * 4294967296.0;
        double r = sum / 18446744073709551616.0;
        return r >= 1.0 ? Math.nextDown(1.0) : r;
    }
}
