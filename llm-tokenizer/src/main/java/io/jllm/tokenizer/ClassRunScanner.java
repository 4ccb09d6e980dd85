package io.jllm.tokenizer;

import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * Hand-written splitters for the simple single-class patterns of the DeepSeek pre-tokenizers:
 * {@code C} (one character), {@code C+}, {@code \s?C+} and {@code \s+$}, where C is a character
 * class. Matches and the gaps between them become pieces, as with a regex. Linear time.
 */
final class ClassRunScanner implements PreTokenizer {
    enum Mode { SINGLE, RUN, SPACE_RUN, TRAILING_WS }

    private final IntPredicate cls;
    private final Mode mode;

    ClassRunScanner(IntPredicate cls, Mode mode) {
        this.cls = cls;
        this.mode = mode;
    }

    /**
     * A class from regex class syntax without brackets: literal code points, {@code a-b} ranges
     * and {@code \x{HEX}} escapes.
     */
    static IntPredicate parseClass(String body) {
        BitSet set = new BitSet();
        int i = 0;
        int[] cur = new int[1];
        while (i < body.length()) {
            i = next(body, i, cur);
            int lo = cur[0];
            if (i < body.length() - 1 && body.charAt(i) == '-') {
                i = next(body, i + 1, cur);
                set.set(lo, cur[0] + 1);
            } else {
                set.set(lo);
            }
        }
        return set::get;
    }

    private static int next(String s, int i, int[] out) {
        if (s.startsWith("\\x{", i)) {
            int close = s.indexOf('}', i);
            out[0] = Integer.parseInt(s.substring(i + 3, close), 16);
            return close + 1;
        }
        out[0] = s.codePointAt(i);
        return i + Character.charCount(out[0]);
    }

    private int run(String t, int p, int end) {
        while (p < end) {
            int c = t.codePointAt(p);
            if (!cls.test(c)) {
                break;
            }
            p += Character.charCount(c);
        }
        return p;
    }

    @Override
    public void split(String t, int start, int end, IntList ends) {
        if (mode == Mode.TRAILING_WS) {
            int q = end;
            while (q > start && Unicode.isWhitespace(t.charAt(q - 1))) {
                q--;
            }
            if (q > start && q < end) {
                ends.add(q);
            }
            ends.add(end);
            return;
        }
        int last = start;
        int p = start;
        while (p < end) {
            int cp = t.codePointAt(p);
            int cl = Character.charCount(cp);
            int m = -1;
            if (mode == Mode.SPACE_RUN && Unicode.isWhitespace(cp) && p + cl < end && cls.test(t.codePointAt(p + cl))) {
                m = run(t, p + cl, end);
            } else if (cls.test(cp)) {
                m = mode == Mode.SINGLE ? p + cl : run(t, p, end);
            }
            if (m < 0) {
                p += cl;
                continue;
            }
            if (p > last) {
                ends.add(p);
            }
            ends.add(m);
            last = p = m;
        }
        if (last < end) {
            ends.add(end);
        }
    }
}
