package io.jllm.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing hash map from byte strings to non-negative ints, with lookups by a slice of
 * a byte array (no allocation). Keys are copied into one pool. Not thread-safe while being
 * built; read-only use afterwards is safe.
 */
final class BytesMap {
    private byte[] pool = new byte[1 << 16];
    private int poolSize;
    private int[] keyOff = new int[1024];
    private int[] keyLen = new int[1024];
    private int[] vals = new int[1024];
    private int[] hashes = new int[1024];
    private int count;
    private int[] slots = new int[2048]; // entry index + 1, 0 = empty
    private int maxKeyLen;

    static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = 0; i < len; i++) {
            h = (h ^ (b[off + i] & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }

    int size() {
        return count;
    }

    /** Length in bytes of the longest key. */
    int maxKeyLen() {
        return maxKeyLen;
    }

    /** The value for the slice, or -1. */
    int get(byte[] b, int off, int len) {
        if (len > maxKeyLen) {
            return -1;
        }
        int h = hash(b, off, len);
        int mask = slots.length - 1;
        for (int s = h & mask; ; s = (s + 1) & mask) {
            int e = slots[s] - 1;
            if (e < 0) {
                return -1;
            }
            if (hashes[e] == h && keyLen[e] == len
                    && Arrays.equals(pool, keyOff[e], keyOff[e] + len, b, off, off + len)) {
                return vals[e];
            }
        }
    }

    int get(byte[] key) {
        return get(key, 0, key.length);
    }

    /** Sets the value of key (replacing an existing one). Returns the entry index. */
    int put(byte[] key, int value) {
        return put(key, 0, key.length, value, true);
    }

    /** Adds key with value unless present; returns the value now stored. */
    int putIfAbsent(byte[] key, int value) {
        int e = put(key, 0, key.length, value, false);
        return vals[e];
    }

    private int put(byte[] b, int off, int len, int value, boolean replace) {
        if ((count + 1) * 2 > slots.length) {
            rehash();
        }
        int h = hash(b, off, len);
        int mask = slots.length - 1;
        int s = h & mask;
        for (; ; s = (s + 1) & mask) {
            int e = slots[s] - 1;
            if (e < 0) {
                break;
            }
            if (hashes[e] == h && keyLen[e] == len
                    && Arrays.equals(pool, keyOff[e], keyOff[e] + len, b, off, off + len)) {
                if (replace) {
                    vals[e] = value;
                }
                return e;
            }
        }
        if (count == keyOff.length) {
            int n = count * 2;
            keyOff = Arrays.copyOf(keyOff, n);
            keyLen = Arrays.copyOf(keyLen, n);
            vals = Arrays.copyOf(vals, n);
            hashes = Arrays.copyOf(hashes, n);
        }
        while (poolSize + len > pool.length) {
            pool = Arrays.copyOf(pool, pool.length * 2);
        }
        System.arraycopy(b, off, pool, poolSize, len);
        keyOff[count] = poolSize;
        keyLen[count] = len;
        vals[count] = value;
        hashes[count] = h;
        poolSize += len;
        maxKeyLen = Math.max(maxKeyLen, len);
        slots[s] = ++count;
        return count - 1;
    }

    private void rehash() {
        int[] ns = new int[slots.length * 2];
        int mask = ns.length - 1;
        for (int e = 0; e < count; e++) {
            int s = hashes[e] & mask;
            while (ns[s] != 0) {
                s = (s + 1) & mask;
            }
            ns[s] = e + 1;
        }
        slots = ns;
    }
}
