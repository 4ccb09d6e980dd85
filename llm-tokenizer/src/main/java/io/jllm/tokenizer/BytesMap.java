package io.jllm.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing hash map from byte strings to non-negative ints, with lookups by a slice of
 * a byte array (no allocation). A slot holds the key's hash and entry index together, so a
 * miss rarely touches the entry; keys live in one byte pool. Read-only use after building is
 * thread-safe.
 */
final class BytesMap {
    private byte[] pool = new byte[1 << 16];
    private int poolSize;
    private long[] offLen = new long[1024]; // pool offset << 24 | length
    private int[] vals = new int[1024];
    private int count;
    private long[] slots = new long[2048]; // hash << 32 | (entry + 1); 0 = empty
    private int maxKeyLen;

    static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5 ^ len;
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            int w = (b[off + i] & 0xFF) | (b[off + i + 1] & 0xFF) << 8 | (b[off + i + 2] & 0xFF) << 16
                    | (b[off + i + 3] & 0xFF) << 24;
            h = (h ^ w) * 0x01000193;
            h ^= h >>> 13;
        }
        for (; i < len; i++) {
            h = (h ^ (b[off + i] & 0xFF)) * 0x01000193;
        }
        h *= 0x9E3779B1;
        return h ^ (h >>> 16);
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
        return get(b, off, len, hash(b, off, len));
    }

    /** As {@link #get(byte[], int, int)} with the slice's {@link #hash} already computed. */
    int get(byte[] b, int off, int len, int h) {
        if (len > maxKeyLen) {
            return -1;
        }
        long[] sl = slots;
        int mask = sl.length - 1;
        for (int s = h & mask; ; s = (s + 1) & mask) {
            long v = sl[s];
            if (v == 0) {
                return -1;
            }
            if ((int) (v >>> 32) == h) {
                int e = (int) v - 1;
                long ol = offLen[e];
                int kl = (int) (ol & 0xFFFFFF);
                int ko = (int) (ol >>> 24);
                if (kl == len && Arrays.equals(pool, ko, ko + len, b, off, off + len)) {
                    return vals[e];
                }
            }
        }
    }

    int get(byte[] key) {
        return get(key, 0, key.length);
    }

    /** Sets the value of key (replacing an existing one). */
    void put(byte[] key, int value) {
        put(key, value, true);
    }

    /** Adds key with value unless present; returns the value now stored. */
    int putIfAbsent(byte[] key, int value) {
        int e = put(key, value, false);
        return vals[e];
    }

    private int put(byte[] b, int value, boolean replace) {
        if ((count + 1) * 2 > slots.length) {
            rehash();
        }
        int len = b.length;
        int h = hash(b, 0, len);
        int mask = slots.length - 1;
        int s = h & mask;
        for (; ; s = (s + 1) & mask) {
            long v = slots[s];
            if (v == 0) {
                break;
            }
            if ((int) (v >>> 32) == h) {
                int e = (int) v - 1;
                long ol = offLen[e];
                int ko = (int) (ol >>> 24);
                if ((int) (ol & 0xFFFFFF) == len && Arrays.equals(pool, ko, ko + len, b, 0, len)) {
                    if (replace) {
                        vals[e] = value;
                    }
                    return e;
                }
            }
        }
        if (count == vals.length) {
            offLen = Arrays.copyOf(offLen, count * 2);
            vals = Arrays.copyOf(vals, count * 2);
        }
        while (poolSize + len > pool.length) {
            pool = Arrays.copyOf(pool, pool.length * 2);
        }
        System.arraycopy(b, 0, pool, poolSize, len);
        offLen[count] = ((long) poolSize << 24) | len;
        vals[count] = value;
        poolSize += len;
        maxKeyLen = Math.max(maxKeyLen, len);
        slots[s] = ((long) h << 32) | (count + 1L);
        return count++;
    }

    private void rehash() {
        long[] ns = new long[slots.length * 2];
        int mask = ns.length - 1;
        for (long v : slots) {
            if (v != 0) {
                int s = (int) (v >>> 32) & mask;
                while (ns[s] != 0) {
                    s = (s + 1) & mask;
                }
                ns[s] = v;
            }
        }
        slots = ns;
    }
}
