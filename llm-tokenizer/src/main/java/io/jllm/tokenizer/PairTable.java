package io.jllm.tokenizer;

/**
 * The BPE merge table: (left sid, right sid) to (rank, result sid), open addressing with key
 * and value side by side in one long array so a lookup touches one cache line.
 */
final class PairTable {
    private long[] t; // [2*s] = key (or -1), [2*s+1] = rank << 32 | result
    private int count;
    private int mask;

    PairTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        t = new long[cap * 2];
        java.util.Arrays.fill(t, -1L);
        mask = cap - 1;
    }

    static long key(int l, int r) {
        return ((long) l << 32) | (r & 0xFFFFFFFFL);
    }

    private static int slot(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k >>> 32);
    }

    /** rank << 32 | result, or -1 if the pair does not merge. */
    long get(long key) {
        long[] a = t;
        int m = mask;
        for (int s = slot(key) & m; ; s = (s + 1) & m) {
            long k = a[2 * s];
            if (k == key) {
                return a[2 * s + 1];
            }
            if (k == -1L) {
                return -1L;
            }
        }
    }

    /** Adds the pair unless present (the first, lowest-rank merge wins). */
    void putIfAbsent(long key, int rank, int result) {
        if ((count + 1) * 2 > t.length / 2) {
            grow();
        }
        int s = slot(key) & mask;
        for (; t[2 * s] != -1L; s = (s + 1) & mask) {
            if (t[2 * s] == key) {
                return;
            }
        }
        t[2 * s] = key;
        t[2 * s + 1] = ((long) rank << 32) | (result & 0xFFFFFFFFL);
        count++;
    }

    private void grow() {
        long[] old = t;
        t = new long[old.length * 2];
        java.util.Arrays.fill(t, -1L);
        mask = t.length / 2 - 1;
        count = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != -1L) {
                putIfAbsent(old[i], (int) (old[i + 1] >>> 32), (int) old[i + 1]);
            }
        }
    }
}
