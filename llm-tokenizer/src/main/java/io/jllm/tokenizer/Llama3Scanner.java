package io.jllm.tokenizer;

import static io.jllm.tokenizer.Unicode.LETTER;
import static io.jllm.tokenizer.Unicode.NUMBER;
import static io.jllm.tokenizer.Unicode.WS;

/**
 * Hand-written splitter equivalent to the Llama 3 regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * (contractions ASCII case-insensitive), to Qwen2's variant ({@code \p{N}} single digits) and
 * to tiktoken's cl100k_base pattern, which adds {@code \s++$} (a whitespace run reaching the
 * end of the text is one piece) and folds {@code ſ} (U+017F) to {@code s} in contractions.
 * Linear time, no backtracking.
 */
final class Llama3Scanner implements PreTokenizer {
    static final Llama3Scanner LLAMA3 = new Llama3Scanner(3, false, false);
    static final Llama3Scanner QWEN2 = new Llama3Scanner(1, false, false);
    static final Llama3Scanner CL100K = new Llama3Scanner(3, true, true);
    /** The tokenizer.json forms: {@code (?i:...)} contractions also fold {@code ſ}, as Oniguruma does. */
    static final Llama3Scanner LLAMA3_FOLD = new Llama3Scanner(3, true, false);
    static final Llama3Scanner QWEN2_FOLD = new Llama3Scanner(1, true, false);

    private final int maxDigits;
    private final boolean foldLongS;
    private final boolean cl100k;

    private Llama3Scanner(int maxDigits, boolean foldLongS, boolean cl100k) {
        this.maxDigits = maxDigits;
        this.foldLongS = foldLongS;
        this.cl100k = cl100k;
    }

    private int lower(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c + 32;
        }
        if (foldLongS && c == '\u017F') {
            return 's';
        }
        return c;
    }

    @Override
    public void split(String t, int start, int end, IntList ends) {
        int pos = start;
        while (pos < end) {
            int cp = t.codePointAt(pos);
            int cl = Character.charCount(cp);
            int f = Unicode.flags(cp);
            if (cp == '\'' && pos + 1 < end) {
                int c1 = lower(t.charAt(pos + 1));
                if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                    pos += 2;
                    ends.add(pos);
                    continue;
                }
                if (pos + 2 < end) {
                    int c2 = lower(t.charAt(pos + 2));
                    if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                        pos += 3;
                        ends.add(pos);
                        continue;
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (cp != '\r' && cp != '\n' && (f & NUMBER) == 0) {
                boolean here = (f & LETTER) != 0;
                if (here || (pos + cl < end && Unicode.isLetter(t.codePointAt(pos + cl)))) {
                    int p = pos + cl;
                    while (p < end) {
                        int c = t.codePointAt(p);
                        if (!Unicode.isLetter(c)) {
                            break;
                        }
                        p += Character.charCount(c);
                    }
                    pos = p;
                    ends.add(pos);
                    continue;
                }
            }
            // \p{N}{1,maxDigits}
            if ((f & NUMBER) != 0) {
                int k = 0;
                while (pos < end) {
                    int c = t.codePointAt(pos);
                    if (!Unicode.isNumber(c)) {
                        break;
                    }
                    pos += Character.charCount(c);
                    if (++k == maxDigits) {
                        ends.add(pos);
                        k = 0;
                    }
                }
                if (k > 0) {
                    ends.add(pos);
                }
                continue;
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
            boolean sp = cp == ' ';
            boolean punct;
            if (sp) {
                punct = pos + 1 >= end || (Unicode.flags(t.codePointAt(pos + 1)) & (WS | LETTER | NUMBER)) == 0;
            } else {
                punct = (f & (WS | LETTER | NUMBER)) == 0;
            }
            if (punct && !(sp && pos + 1 >= end)) {
                int p = sp ? pos + 1 : pos;
                while (p < end) {
                    int c = t.codePointAt(p);
                    if ((Unicode.flags(c) & (WS | LETTER | NUMBER)) != 0) {
                        break;
                    }
                    p += Character.charCount(c);
                }
                while (p < end && (t.charAt(p) == '\r' || t.charAt(p) == '\n')) {
                    p++;
                }
                pos = p;
                ends.add(pos);
                continue;
            }
            // whitespace
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
            if (cl100k && n == end && n > pos) {
                pos = end;
            } else if (lastNl >= 0) {
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
