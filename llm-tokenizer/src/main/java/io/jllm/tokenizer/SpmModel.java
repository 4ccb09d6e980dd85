package io.jllm.tokenizer;

import java.util.Arrays;

/**
 * SentencePiece BPE as llama.cpp's {@code llm_tokenizer_spm}: the UTF-8 characters of the
 * (space-escaped) text are merged pairwise, always taking the adjacent pair whose
 * concatenation is the vocabulary token with the highest score (leftmost on ties); a final
 * symbol that is not a token is emitted byte by byte as {@code <0xXX>} tokens.
 *
 * <p>Candidates live in a heap of longs (score, then left position); a popped candidate is
 * merged when the pair now at that position still forms a token of that score, which is
 * equivalent to llama.cpp's size check.
 */
final class SpmModel {
    private final BytesMap tokens;
    private final float[] scores;
    private final int[] byteToken;
    /**
     * True when no token contains {@code ▁} right after another character than {@code ▁}: then
     * no merge can cross the boundary before such a {@code ▁}, and the text is merged word by
     * word (same result, small heaps).
     */
    private final boolean splitAtSpaces;

    SpmModel(BytesMap tokens, float[] scores, int[] byteToken, String[] texts) {
        this.tokens = tokens;
        this.scores = scores;
        this.byteToken = byteToken;
        boolean ok = true;
        for (String t : texts) {
            for (int i = 1; i < t.length() && ok; i++) {
                if (t.charAt(i) == '\u2581' && t.charAt(i - 1) != '\u2581') {
                    ok = false;
                }
            }
        }
        this.splitAtSpaces = ok;
    }

    private static boolean spaceAt(byte[] b, int p) {
        return b[p] == (byte) 0xE2 && b[p + 1] == (byte) 0x96 && b[p + 2] == (byte) 0x81;
    }

    void encode(byte[] b, int n, TokenSink out, Scratch s) {
        if (!splitAtSpaces) {
            encode(b, 0, n, out, s);
            return;
        }
        int from = 0;
        for (int p = 3; p + 3 <= n; p++) {
            if (spaceAt(b, p) && !spaceAt(b, p - 3)) {
                encode(b, from, p, out, s);
                from = p;
            }
        }
        encode(b, from, n, out, s);
    }

    /** Scratch for one call. */
    static final class Scratch {
        int[] start = new int[0];
        int[] len = new int[0];
        int[] prev = new int[0];
        int[] next = new int[0];
        long[] heap = new long[0];

        void ensure(int n) {
            if (start.length < n) {
                start = new int[n];
                len = new int[n];
                prev = new int[n];
                next = new int[n];
                heap = new long[n + 16];
            }
        }
    }

    static int utf8Len(byte lead) {
        int hi = (lead & 0xFF) >>> 4;
        return hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    private static int sortable(float f) {
        int bits = Float.floatToIntBits(f);
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    private static long key(float score, int left) {
        return ((long) ~sortable(score) << 32) | left;
    }

    private void encode(byte[] b, int from, int n, TokenSink out, Scratch s) {
        if (n == from) {
            return;
        }
        int chars = 0;
        for (int off = from; off < n; off++) {
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
        for (int off = from; off < n; ) {
            int l = Math.min(utf8Len(b[off]), n - off);
            start[count] = off;
            len[count] = l;
            prev[count] = count - 1;
            off += l;
            next[count] = off == n ? -1 : count + 1;
            count++;
        }
        long[] heap = s.heap;
        int hs = 0;
        for (int i = 1; i < count; i++) {
            int t = tokens.get(b, start[i - 1], len[i - 1] + len[i]);
            if (t >= 0) {
                heap[hs++] = key(scores[t], i - 1);
            }
        }
        for (int i = hs / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, hs);
        }
        while (hs > 0) {
            long top = heap[0];
            heap[0] = heap[--hs];
            siftDown(heap, 0, hs);
            int l = (int) top;
            if (len[l] == 0) {
                continue;
            }
            int r = next[l];
            if (r < 0) {
                continue;
            }
            int t = tokens.get(b, start[l], len[l] + len[r]);
            if (t < 0 || key(scores[t], l) != top) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            int p = prev[l];
            if (p >= 0) {
                int tp = tokens.get(b, start[p], len[p] + len[l]);
                if (tp >= 0) {
                    if (hs == heap.length) {
                        heap = s.heap = Arrays.copyOf(heap, hs * 2);
                    }
                    heap[hs] = key(scores[tp], p);
                    siftUp(heap, hs++);
                }
            }
            int q = next[l];
            if (q >= 0) {
                int tq = tokens.get(b, start[l], len[l] + len[q]);
                if (tq >= 0) {
                    if (hs == heap.length) {
                        heap = s.heap = Arrays.copyOf(heap, hs * 2);
                    }
                    heap[hs] = key(scores[tq], l);
                    siftUp(heap, hs++);
                }
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
