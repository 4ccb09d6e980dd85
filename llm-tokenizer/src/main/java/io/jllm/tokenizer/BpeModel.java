package io.jllm.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte-level BPE over raw UTF-8 bytes. Every string the merging can produce (single bytes,
 * merge parts and results, vocabulary entries) has a symbol id ("sid"); a merge is a pair of
 * sids with a rank and a result sid. Pieces are merged lowest rank first, leftmost on ties:
 * short pieces by scanning an array of pair ranks, long ones with a heap and a linked list,
 * so a megabyte-long piece stays O(n log n). Immutable after {@link Builder#build}.
 */
final class BpeModel {
    private static final int SMALL = 48;

    private final BytesMap sidOf;
    private final int[] sidToken;
    private final int[][] fallback;
    private final int[] byteSid;
    private final PairTable pairs;
    private final boolean wholeWordFirst;
    /**
     * Results for recently seen pieces (up to {@link #CACHE_MAX_LEN} bytes), direct-mapped by
     * hash. Entries are immutable records, so racy sharing between threads is safe.
     */
    private final CacheEntry[] cache = new CacheEntry[1 << 14];
    private static final int CACHE_MAX_LEN = 64;

    private record CacheEntry(byte[] key, int[] ids) {}

    private BpeModel(Builder b, int[][] fallback, boolean wholeWordFirst) {
        this.sidOf = b.sidOf;
        this.sidToken = Arrays.copyOf(b.sidToken.a, b.sidToken.size);
        this.fallback = fallback;
        this.byteSid = b.byteSid;
        this.pairs = b.pairs;
        this.wholeWordFirst = wholeWordFirst;
    }

    /** Builds the sid universe, token mapping and merges. */
    static final class Builder {
        final BytesMap sidOf = new BytesMap();
        final List<byte[]> sidBytes = new ArrayList<>();
        final IntList sidToken = new IntList(1024);
        final int[] byteSid = new int[256];
        final PairTable pairs = new PairTable(1 << 16);

        Builder() {
            for (int i = 0; i < 256; i++) {
                byteSid[i] = sid(new byte[] {(byte) i});
            }
        }

        int sid(byte[] raw) {
            int s = sidOf.putIfAbsent(raw, sidBytes.size());
            if (s == sidBytes.size()) {
                sidBytes.add(raw);
                sidToken.add(-1);
            }
            return s;
        }

        /** Maps a token's raw bytes to its id (a later id for the same bytes wins, as in llama.cpp). */
        void token(byte[] raw, int id) {
            int s = sid(raw);
            sidToken.a[s] = id;
        }

        /** Adds a merge unless the pair already has one (the first, lowest rank, wins). */
        void merge(byte[] left, byte[] right, int rank) {
            int l = sid(left);
            int r = sid(right);
            byte[] both = Arrays.copyOf(left, left.length + right.length);
            System.arraycopy(right, 0, both, left.length, right.length);
            int res = sid(both);
            pairs.putIfAbsent(PairTable.key(l, r), rank, res);
        }

        /**
         * tiktoken: the pair (tok[0,k), tok[k,len)) merges into tok with the given rank when both
         * halves are tokens already.
         */
        void splitMerge(byte[] tok, int k, int rank) {
            int l = sidOf.get(tok, 0, k);
            int r = sidOf.get(tok, k, tok.length - k);
            if (l < 0 || r < 0 || sidToken.a[l] < 0 || sidToken.a[r] < 0) {
                return;
            }
            pairs.putIfAbsent(PairTable.key(l, r), rank, sidOf.get(tok));
        }

        byte[] bytes(int sid) {
            return sidBytes.get(sid);
        }

        int sidCount() {
            return sidBytes.size();
        }

        /**
         * @param fallback ids to emit for a final symbol that is not a token, given its bytes
         * @param wholeWordFirst emit a piece that is itself a token directly (ignore_merges, tiktoken)
         */
        BpeModel build(java.util.function.Function<byte[], int[]> fallback, boolean wholeWordFirst) {
            int[][] fb = new int[sidBytes.size()][];
            for (int s = 0; s < fb.length; s++) {
                if (sidToken.a[s] < 0) {
                    fb[s] = fallback.apply(sidBytes.get(s));
                }
            }
            return new BpeModel(this, fb, wholeWordFirst);
        }
    }

    /** Scratch arrays for one encode call. */
    static final class Scratch {
        int[] sym = new int[64];
        int[] rank = new int[64];
        int[] midx = new int[64];
        int[] prev = new int[0];
        int[] next = new int[0];
        long[] heap = new long[0];
        final TokenSink tmp = new TokenSink(false);

        void ensure(int n) {
            if (sym.length < n) {
                int c = Math.max(n, sym.length * 2);
                sym = new int[c];
                rank = new int[c];
                midx = new int[c];
            }
        }
    }

    /** The token whose raw bytes are exactly the slice, or -1. */
    int tokenOf(byte[] b, int off, int len) {
        int s = sidOf.get(b, off, len);
        return s < 0 ? -1 : sidToken[s];
    }

    /** rank << 32 | result sid, or -1. */
    private long lookup(int l, int r) {
        return pairs.get(PairTable.key(l, r));
    }

    private void emit(int sid, TokenSink out) {
        int t = sidToken[sid];
        if (t >= 0) {
            out.add(t);
        } else {
            for (int id : fallback[sid]) {
                out.add(id);
            }
        }
    }

    /** Encodes one pre-tokenized piece given as raw UTF-8 bytes. */
    void encode(byte[] b, int off, int len, TokenSink out, Scratch s) {
        if (len == 0) {
            return;
        }
        if (len == 1) {
            emit(byteSid[b[off] & 0xFF], out);
            return;
        }
        if (len > SMALL) {
            if (wholeWordFirst) {
                int t = tokenOf(b, off, len);
                if (t >= 0) {
                    out.add(t);
                    return;
                }
            }
            encodeLong(b, off, len, out, s);
            return;
        }
        int h = BytesMap.hash(b, off, len);
        if (wholeWordFirst) {
            int sid = sidOf.get(b, off, len, h);
            if (sid >= 0 && sidToken[sid] >= 0) {
                out.add(sidToken[sid]);
                return;
            }
        }
        int ci = h & (cache.length - 1);
        CacheEntry ce = cache[ci];
        if (ce != null && ce.key.length == len && Arrays.equals(ce.key, 0, len, b, off, off + len)) {
            for (int id : ce.ids) {
                out.add(id);
            }
            return;
        }
        TokenSink tmp = s.tmp;
        tmp.clear();
        mergeSmall(b, off, len, tmp, s);
        int[] ids = tmp.toArray();
        cache[ci] = new CacheEntry(Arrays.copyOfRange(b, off, off + len), ids);
        for (int id : ids) {
            out.add(id);
        }
    }

    private void mergeSmall(byte[] b, int off, int len, TokenSink out, Scratch s) {
        s.ensure(len);
        int[] sym = s.sym;
        int[] rank = s.rank;
        int[] midx = s.midx;
        int n = len;
        for (int i = 0; i < n; i++) {
            sym[i] = byteSid[b[off + i] & 0xFF];
        }
        for (int i = 0; i < n - 1; i++) {
            long m = lookup(sym[i], sym[i + 1]);
            midx[i] = (int) m;
            rank[i] = m < 0 ? Integer.MAX_VALUE : (int) (m >>> 32);
        }
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            int bi = -1;
            for (int i = 0; i < n - 1; i++) {
                if (rank[i] < best) {
                    best = rank[i];
                    bi = i;
                }
            }
            if (bi < 0) {
                break;
            }
            sym[bi] = midx[bi];
            int tail = n - bi - 2;
            System.arraycopy(sym, bi + 2, sym, bi + 1, tail);
            System.arraycopy(rank, bi + 2, rank, bi + 1, Math.max(0, tail - 1));
            System.arraycopy(midx, bi + 2, midx, bi + 1, Math.max(0, tail - 1));
            n--;
            if (bi > 0) {
                long m = lookup(sym[bi - 1], sym[bi]);
                midx[bi - 1] = (int) m;
                rank[bi - 1] = m < 0 ? Integer.MAX_VALUE : (int) (m >>> 32);
            }
            if (bi < n - 1) {
                long m = lookup(sym[bi], sym[bi + 1]);
                midx[bi] = (int) m;
                rank[bi] = m < 0 ? Integer.MAX_VALUE : (int) (m >>> 32);
            }
        }
        for (int i = 0; i < n; i++) {
            emit(sym[i], out);
        }
    }

    private void encodeLong(byte[] b, int off, int n, TokenSink out, Scratch s) {
        s.ensure(n);
        if (s.prev.length < n) {
            s.prev = new int[n];
            s.next = new int[n];
            s.heap = new long[n];
        }
        int[] sym = s.sym;
        int[] prev = s.prev;
        int[] next = s.next;
        long[] heap = s.heap;
        int hs = 0;
        for (int i = 0; i < n; i++) {
            sym[i] = byteSid[b[off + i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        for (int i = 0; i < n - 1; i++) {
            long m = lookup(sym[i], sym[i + 1]);
            if (m >= 0) {
                heap[hs++] = (m & 0xFFFFFFFF00000000L) | i;
            }
        }
        for (int i = hs / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, hs);
        }
        while (hs > 0) {
            long top = heap[0];
            heap[0] = heap[--hs];
            siftDown(heap, 0, hs);
            int pos = (int) top;
            int r = (int) (top >>> 32);
            if (sym[pos] < 0) {
                continue;
            }
            int nx = next[pos];
            if (nx < 0) {
                continue;
            }
            long m = lookup(sym[pos], sym[nx]);
            if (m < 0 || (int) (m >>> 32) != r) {
                continue;
            }
            sym[pos] = (int) m;
            sym[nx] = -1;
            int nn = next[nx];
            next[pos] = nn;
            if (nn >= 0) {
                prev[nn] = pos;
            }
            int pv = prev[pos];
            if (pv >= 0) {
                long m2 = lookup(sym[pv], sym[pos]);
                if (m2 >= 0) {
                    if (hs == heap.length) {
                        heap = s.heap = Arrays.copyOf(heap, hs * 2 + 16);
                    }
                    heap[hs] = (m2 & 0xFFFFFFFF00000000L) | pv;
                    siftUp(heap, hs++);
                }
            }
            if (nn >= 0) {
                long m3 = lookup(sym[pos], sym[nn]);
                if (m3 >= 0) {
                    if (hs == heap.length) {
                        heap = s.heap = Arrays.copyOf(heap, hs * 2 + 16);
                    }
                    heap[hs] = (m3 & 0xFFFFFFFF00000000L) | pos;
                    siftUp(heap, hs++);
                }
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            emit(sym[i], out);
        }
    }

    private static void siftDown(long[] h, int i, int n) {
        long v = h[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && h[c + 1] < h[c]) {
                c++;
            }
            if (h[c] >= v) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = v;
    }

    private static void siftUp(long[] h, int i) {
        long v = h[i];
        while (i > 0) {
            int p = (i - 1) / 2;
            if (h[p] <= v) {
                break;
            }
            h[i] = h[p];
            i = p;
        }
        h[i] = v;
    }
}
