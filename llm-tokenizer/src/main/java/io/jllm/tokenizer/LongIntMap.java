package io.jllm.tokenizer;

import java.util.Arrays;

/** Open-addressing map from long keys to non-negative ints (the BPE pair table). */
final class LongIntMap {
    private long[] keys;
    private int[] vals;
    private int count;
    private int mask;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        vals = new int[cap];
        Arrays.fill(vals, -1);
        mask = cap - 1;
    }

    private static int mix(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 29));
    }

    int get(long key) {
        for (int s = mix(key) & mask; ; s = (s + 1) & mask) {
            int v = vals[s];
            if (v < 0) {
                return -1;
            }
            if (keys[s] == key) {
                return v;
            }
        }
    }

    /** Stores value unless the key is present; returns the stored value. */
    int putIfAbsent(long key, int value) {
        if ((count + 1) * 2 > keys.length) {
            grow();
        }
        int s = mix(key) & mask;
        for (; vals[s] >= 0; s = (s + 1) & mask) {
            if (keys[s] == key) {
                return vals[s];
            }
        }
        keys[s] = key;
        vals[s] = value;
        count++;
        return value;
    }

    void put(long key, int value) {
        if ((count + 1) * 2 > keys.length) {
            grow();
        }
        int s = mix(key) & mask;
        for (; vals[s] >= 0; s = (s + 1) & mask) {
            if (keys[s] == key) {
                vals[s] = value;
                return;
            }
        }
        keys[s] = key;
        vals[s] = value;
        count++;
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        Arrays.fill(vals, -1);
        mask = keys.length - 1;
        count = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ov[i] >= 0) {
                put(ok[i], ov[i]);
            }
        }
    }
}
