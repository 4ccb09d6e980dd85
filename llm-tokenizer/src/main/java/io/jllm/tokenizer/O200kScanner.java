package io.jllm.tokenizer;

import static io.jllm.tokenizer.Unicode.LETTER;
import static io.jllm.tokenizer.Unicode.LOWERISH;
import static io.jllm.tokenizer.Unicode.NUMBER;
import static io.jllm.tokenizer.Unicode.UPPERISH;
import static io.jllm.tokenizer.Unicode.WS;

/**
 * Hand-written splitter equivalent to tiktoken's o200k_base pattern (seven alternatives:
 * {@code P?U*L+C?}, {@code P?U+L*C?}, {@code \p{N}{1,3}}, {@code  ?[^\s\p{L}\p{N}]+[\r\n/]*},
 * {@code \s*[\r\n]+}, {@code \s+(?!\S)}, {@code \s+}, where P = {@code [^\r\n\p{L}\p{N}]},
 * U = {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]}, L = {@code [\p{Ll}\p{Lm}\p{Lo}\p{M}]} and C the
 * case-insensitive contractions). The backtracking of {@code U*L+} is resolved directly: U*
 * gives back characters until one in L follows. Linear time.
 */
final class O200kScanner implements PreTokenizer {
    static final O200kScanner INSTANCE = new O200kScanner();

    private static boolean isU(int cp) {
        return (Unicode.flags(cp) & UPPERISH) != 0;
    }

    private static boolean isL(int cp) {
        return (Unicode.flags(cp) & LOWERISH) != 0;
    }

    /** End of a {@code U*L+} match starting at q, or -1. */
    private static int upLow(String t, int q, int end) {
        int u = q;
        int lastL = -1;
        int c = 0;
        while (u < end) {
            c = t.codePointAt(u);
            if (!isU(c)) {
                break;
            }
            if (isL(c)) {
                lastL = u;
            }
            u += Character.charCount(c);
        }
        if (u < end && isL(c)) {
            int e = u;
            while (e < end) {
                int d = t.codePointAt(e);
                if (!isL(d)) {
                    break;
                }
                e += Character.charCount(d);
            }
            return e;
        }
        return lastL >= 0 ? lastL + Character.charCount(t.codePointAt(lastL)) : -1;
    }

    private static int run(String t, int q, int end, int flag) {
        while (q < end) {
            int d = t.codePointAt(q);
            if ((Unicode.flags(d) & flag) == 0) {
                break;
            }
            q += Character.charCount(d);
        }
        return q;
    }

    private static int lower(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c + 32;
        }
        return c == '\u017F' ? 's' : c;
    }

    private static int contraction(String t, int e, int end) {
        if (e + 1 < end && t.charAt(e) == '\'') {
            int c1 = lower(t.charAt(e + 1));
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                return e + 2;
            }
            if (e + 2 < end) {
                int c2 = lower(t.charAt(e + 2));
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                    return e + 3;
                }
            }
        }
        return e;
    }

    private static int letters(String t, int pos, int end, int cp, int f) {
        boolean isP = cp != '\r' && cp != '\n' && (f & (LETTER | NUMBER)) == 0;
        int cl = Character.charCount(cp);
        if (isP && pos + cl < end) {
            int e = upLow(t, pos + cl, end);
            if (e >= 0) {
                return contraction(t, e, end);
            }
        }
        int e = upLow(t, pos, end);
        if (e >= 0) {
            return contraction(t, e, end);
        }
        if (isP && pos + cl < end && isU(t.codePointAt(pos + cl))) {
            return contraction(t, run(t, run(t, pos + cl, end, UPPERISH), end, LOWERISH), end);
        }
        if ((f & UPPERISH) != 0) {
            return contraction(t, run(t, run(t, pos, end, UPPERISH), end, LOWERISH), end);
        }
        return -1;
    }

    @Override
    public void split(String t, int start, int end, IntList ends) {
        int pos = start;
        while (pos < end) {
            int cp = t.codePointAt(pos);
            int cl = Character.charCount(cp);
            int f = Unicode.flags(cp);
            int e = letters(t, pos, end, cp, f);
            if (e > pos) {
                pos = e;
                ends.add(pos);
                continue;
            }
            if ((f & NUMBER) != 0) {
                int k = 0;
                while (pos < end && k < 3) {
                    int c = t.codePointAt(pos);
                    if (!Unicode.isNumber(c)) {
                        break;
                    }
                    pos += Character.charCount(c);
                    k++;
                }
                ends.add(pos);
                continue;
            }
            boolean sp = cp == ' ';
            int q = sp ? pos + 1 : pos;
            if (q < end && (Unicode.flags(t.codePointAt(q)) & (WS | LETTER | NUMBER)) == 0) {
                int p = q;
                while (p < end) {
                    int c = t.codePointAt(p);
                    if ((Unicode.flags(c) & (WS | LETTER | NUMBER)) != 0) {
                        break;
                    }
                    p += Character.charCount(c);
                }
                while (p < end && (t.charAt(p) == '\r' || t.charAt(p) == '\n' || t.charAt(p) == '/')) {
                    p++;
                }
                pos = p;
                ends.add(pos);
                continue;
            }
            int n = pos;
            int lastNl = -1;
            while (n < end) {
                char c = t.charAt(n);
                if (!Unicode.isWhitespace(c)) {
                    break;
                }
                n++;
                if (c == '\r' || c == '\n') {
                    lastNl = n;
                }
            }
            if (lastNl >= 0) {
                pos = lastNl;
            } else if (n - pos > 1 && n < end) {
                pos = n - 1;
            } else if (n > pos) {
                pos = n;
            } else {
                pos += cl;
            }
            ends.add(pos);
        }
    }
}
