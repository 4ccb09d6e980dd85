package io.jllm.tokenizer;

import java.util.Arrays;

/**
 * SentencePiece BPE as llama.cpp's {@code llm_tokenizer_spm}: the UTF-8 characters of the
 * (space-escaped) text are merged pairwise, always taking the adjacent pair whose
 * concatenation is the vocabulary token with the highest score (leftmost on ties); a final
 * symbol that is not a token is emitted byte by byte as {@code <0xXX>} tokens.
 */
final class SpmModel {
    private final BytesMap tokens;
    private final float[] scores;
    private final int[] byteToken;

    SpmModel(BytesMap tokens, float[] scores, int[] byteToken) {
        this.tokens = tokens;
        this.scores = scores;
        this.byteToken = byteToken;
    }

    /** Scratch for one call. */
    static final class Scratch {
        int[] start = new int[0];
        int[] len = new int[0];
        int[] prev = new int[0];
        int[] next = new int[0];
        // heap items
        int[] hl = new int[0];
        int[] hr = new int[0];
        int[] hsize = new int[0];
        float[] hscore = new float[0];
        int[] heap = new int[0];
        int items;

        void ensure(int n) {
            if (start.length < n) {
                start = new int[n];
                len = new int[n];
                prev = new int[n];
                next = new int[n];
            }
            int cap = Math.max(16, n + 16);
            if (hl.length < cap) {
                hl = new int[cap];
                hr = new int[cap];
                hsize = new int[cap];
                hscore = new float[cap];
                heap = new int[cap];
            }
        }
    }

    static int utf8Len(byte lead) {
        int hi = (lead & 0xFF) >>> 4;
        return hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    void encode(byte[] b, int n, TokenSink out, Scratch s) {
        if (n == 0) {
            return;
        }
        int chars = 0;
        for (int off = 0; off < n; off++) {
            if ((b[off] & 0xC0) != 0x80) {
                chars++;
            }
        }
        s.ensure(chars + 1);
        int[] start = s.start;
        int[] len = s.len;
        int[] prev = s.prev;
        int[] next = s.next;
        int count = 0;
        for (int off = 0; off < n; ) {
            int l = Math.min(utf8Len(b[off]), n - off);
            start[count] = off;
            len[count] = l;
            prev[count] = count - 1;
            off += l;
            next[count] = off == n ? -1 : count + 1;
            count++;
        }
        s.items = 0;
        int hs = 0;
        for (int i = 1; i < count; i++) {
            hs = tryAdd(b, s, i - 1, i, hs);
        }
        while (hs > 0) {
            int item = s.heap[0];
            s.heap[0] = s.heap[--hs];
            siftDown(s, 0, hs);
            int l = s.hl[item];
            int r = s.hr[item];
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != s.hsize[item]) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                hs = tryAdd(b, s, prev[l], l, hs);
            }
            if (next[l] >= 0) {
                hs = tryAdd(b, s, l, next[l], hs);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            int t = tokens.get(b, start[i], len[i]);
            if (t >= 0) {
                out.add(t);
            } else {
                for (int j = 0; j < len[i]; j++) {
                    int bt = byteToken[b[start[i] + j] & 0xFF];
                    if (bt >= 0) {
                        out.add(bt);
                    }
                }
            }
        }
    }

    private int tryAdd(byte[] b, Scratch s, int l, int r, int hs) {
        int size = s.len[l] + s.len[r];
        int t = tokens.get(b, s.start[l], size);
        if (t < 0) {
            return hs;
        }
        int item = s.items++;
        if (item == s.hl.length) {
            int c = item * 2;
            s.hl = Arrays.copyOf(s.hl, c);
            s.hr = Arrays.copyOf(s.hr, c);
            s.hsize = Arrays.copyOf(s.hsize, c);
            s.hscore = Arrays.copyOf(s.hscore, c);
        }
        if (hs == s.heap.length) {
            s.heap = Arrays.copyOf(s.heap, hs * 2);
        }
        s.hl[item] = l;
        s.hr[item] = r;
        s.hsize[item] = size;
        s.hscore[item] = scores[t];
        s.heap[hs] = item;
        siftUp(s, hs);
        return hs + 1;
    }

    /** a before b: higher score, then lower left index. */
    private static boolean before(Scratch s, int a, int b) {
        float sa = s.hscore[a];
        float sb = s.hscore[b];
        return sa > sb || (sa == sb && s.hl[a] < s.hl[b]);
    }

    private static void siftUp(Scratch s, int i) {
        int[] h = s.heap;
        int v = h[i];
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!before(s, v, h[p])) {
                break;
            }
            h[i] = h[p];
            i = p;
        }
        h[i] = v;
    }

    private static void siftDown(Scratch s, int i, int n) {
        int[] h = s.heap;
        int v = h[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && before(s, h[c + 1], h[c])) {
                c++;
            }
            if (!before(s, h[c], v)) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = v;
    }
}
