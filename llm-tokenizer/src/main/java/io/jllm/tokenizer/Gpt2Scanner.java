package io.jllm.tokenizer;

import static io.jllm.tokenizer.Unicode.LETTER;
import static io.jllm.tokenizer.Unicode.NUMBER;
import static io.jllm.tokenizer.Unicode.WS;

/**
 * Hand-written splitter equivalent to the GPT-2 regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * (also tiktoken's r50k_base/p50k_base pattern, whose {@code \s++$} and final {@code \s} give
 * the same pieces). Linear time, no backtracking.
 */
final class Gpt2Scanner implements PreTokenizer {
    static final Gpt2Scanner INSTANCE = new Gpt2Scanner();

    private static final int OUT = -1;

    private static int flagsAt(String t, int i, int end) {
        return i < end ? Unicode.flags(t.codePointAt(i)) : OUT;
    }

    @Override
    public void split(String t, int start, int end, IntList ends) {
        int pos = start;
        while (pos < end) {
            int cp = t.codePointAt(pos);
            int f = Unicode.flags(cp);
            if (cp == '\'' && pos + 1 < end) {
                char c1 = t.charAt(pos + 1);
                if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                    pos += 2;
                    ends.add(pos);
                    continue;
                }
                if (pos + 2 < end) {
                    char c2 = t.charAt(pos + 2);
                    if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                        pos += 3;
                        ends.add(pos);
                        continue;
                    }
                }
            }
            boolean sp = cp == ' ';
            int f2 = sp ? flagsAt(t, pos + 1, end) : f;
            if (f2 != OUT && (f2 & (LETTER | NUMBER)) != 0) {
                int cls = f2 & (LETTER | NUMBER);
                int p = sp ? pos + 1 : pos;
                while (p < end) {
                    int c = t.codePointAt(p);
                    if ((Unicode.flags(c) & cls) == 0) {
                        break;
                    }
                    p += Character.charCount(c);
                }
                pos = p;
                ends.add(pos);
                continue;
            }
            if (f2 != OUT && (f2 & (WS | LETTER | NUMBER)) == 0) {
                int p = sp ? pos + 1 : pos;
                while (p < end) {
                    int c = t.codePointAt(p);
                    if ((Unicode.flags(c) & (WS | LETTER | NUMBER)) != 0) {
                        break;
                    }
                    p += Character.charCount(c);
                }
                pos = p;
                ends.add(pos);
                continue;
            }
            // whitespace (all White_Space code points are single chars)
            int n = pos;
            while (n < end && Unicode.isWhitespace(t.charAt(n))) {
                n++;
            }
            if (n - pos > 1 && n < end) {
                pos = n - 1;
            } else if (n > pos) {
                pos = n;
            } else {
                pos += Character.charCount(cp);
            }
            ends.add(pos);
        }
    }
}
