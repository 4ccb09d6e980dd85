package io.jllm.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits text around special tokens. Result: triples (start, end, -1) for raw text and
 * (0, 0, id) for a token, in order.
 */
final class SpecialSplitter {
    private SpecialSplitter() {}

    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    static IntList split(Vocab v, String text, boolean parseSpecial) {
        return switch (v.specialMode) {
            case LLAMA -> llama(v, text, parseSpecial);
            case HF -> leftmostLongest(v, text, true);
            case TIKTOKEN -> leftmostLongest(v, text, parseSpecial);
        };
    }

    /** llama.cpp's tokenizer_st_partition: candidates longest first, each splitting every raw fragment. */
    private static IntList llama(Vocab v, String text, boolean parseSpecial) {
        IntList cur = new IntList(3);
        cur.add(0);
        cur.add(text.length());
        cur.add(-1);
        for (int id : v.specialIds) {
            int attr = v.attrs[id];
            if (!parseSpecial && (attr & (Vocab.CONTROL | Vocab.UNKNOWN)) != 0) {
                continue;
            }
            String tok = v.texts[id];
            if (tok.isEmpty()) {
                continue;
            }
            IntList next = null;
            for (int f = 0; f < cur.size; f += 3) {
                int s = cur.a[f];
                int e = cur.a[f + 1];
                int fid = cur.a[f + 2];
                int m = fid >= 0 ? -1 : text.indexOf(tok, s);
                if (m < 0 || m + tok.length() > e) {
                    if (next != null) {
                        add(next, s, e, fid);
                    }
                    continue;
                }
                if (next == null) {
                    next = new IntList(cur.size + 6);
                    for (int g = 0; g < f; g++) {
                        next.add(cur.a[g]);
                    }
                }
                while (m >= 0 && m + tok.length() <= e) {
                    if (m > s) {
                        int le = m;
                        if ((attr & Vocab.LSTRIP) != 0) {
                            while (le > s && isCSpace(text.charAt(le - 1))) {
                                le--;
                            }
                        }
                        if (le > s) {
                            add(next, s, le, -1);
                        }
                    }
                    add(next, 0, 0, id);
                    int rs = m + tok.length();
                    if ((attr & Vocab.RSTRIP) != 0) {
                        while (rs < e && isCSpace(text.charAt(rs))) {
                            rs++;
                        }
                    }
                    s = rs;
                    m = s < e ? text.indexOf(tok, s) : -1;
                }
                if (s < e) {
                    add(next, s, e, -1);
                }
            }
            if (next != null) {
                cur = next;
            }
        }
        return cur;
    }

    private static void add(IntList l, int s, int e, int id) {
        l.add(s);
        l.add(e);
        l.add(id);
    }

    /** Candidates indexed by first char, longest first (built once, when the tokenizer is made). */
    static Map<Character, int[]> index(Vocab k) {
        Map<Character, List<Integer>> m = new HashMap<>();
        for (int id : k.specialIds) {
            String t = k.texts[id];
            if (!t.isEmpty()) {
                m.computeIfAbsent(t.charAt(0), c -> new ArrayList<>()).add(id);
            }
        }
        Map<Character, int[]> r = new HashMap<>();
        m.forEach((c, ids) -> r.put(c, ids.stream()
                .sorted((a, b) -> k.texts[b].length() - k.texts[a].length())
                .mapToInt(Integer::intValue).toArray()));
        return Map.copyOf(r);
    }

    private static boolean isWordChar(int c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** Hugging Face / tiktoken: leftmost-longest match of the added tokens, with HF's strip flags. */
    private static IntList leftmostLongest(Vocab v, String text, boolean enabled) {
        IntList out = new IntList(3);
        if (!enabled || v.specialIds.length == 0) {
            add(out, 0, text.length(), -1);
            return out;
        }
        Map<Character, int[]> idx = v.specialIndex;
        int rawStart = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            int[] cands = idx.get(text.charAt(i));
            int found = -1;
            if (cands != null) {
                for (int id : cands) {
                    String t = v.texts[id];
                    if (text.startsWith(t, i)) {
                        int attr = v.attrs[id];
                        if ((attr & Vocab.SINGLE_WORD) != 0) {
                            int end = i + t.length();
                            if ((i > 0 && isWordChar(text.codePointBefore(i)))
                                    || (end < n && isWordChar(text.codePointAt(end)))) {
                                continue;
                            }
                        }
                        found = id;
                        break;
                    }
                }
            }
            if (found < 0) {
                i++;
                continue;
            }
            int attr = v.attrs[found];
            int ms = i;
            int me = i + v.texts[found].length();
            if ((attr & Vocab.LSTRIP) != 0) {
                while (ms > rawStart && Character.isWhitespace(text.charAt(ms - 1))) {
                    ms--;
                }
            }
            if ((attr & Vocab.RSTRIP) != 0) {
                while (me < n && Character.isWhitespace(text.charAt(me))) {
                    me++;
                }
            }
            if (ms > rawStart) {
                add(out, rawStart, ms, -1);
            }
            add(out, 0, 0, found);
            rawStart = me;
            i = me;
        }
        if (rawStart < n) {
            add(out, rawStart, n, -1);
        }
        return out;
    }
}
