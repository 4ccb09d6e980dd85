package io.jllm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * WordPiece as llama.cpp's {@code llm_tokenizer_wpm}: each code point is replaced by the first
 * code point of its NFD decomposition (llama.cpp's table keeps only that one), text is split
 * on whitespace, NUL/U+FFFD/control characters are dropped, everything is lowercased (first
 * code point of the lowercase form), punctuation, ASCII symbols and CJK ideographs become
 * single-character words; each word is prefixed with {@code ▁} and matched greedily by the
 * longest vocabulary entry (byte lengths); a word with an unmatched position becomes UNK.
 */
final class WpmModel {
    private static final byte[] PHANTOM = "\u2581".getBytes(StandardCharsets.UTF_8);
    private final BytesMap tokens;
    private final int unk;

    WpmModel(BytesMap tokens, int unk) {
        this.tokens = tokens;
        this.unk = unk;
    }

    static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    private static int nfdFirst(int cp) {
        if (cp < 0xC0) {
            return cp;
        }
        String s = new String(Character.toChars(cp));
        String d = Normalizer.normalize(s, Normalizer.Form.NFD);
        return d.codePointAt(0);
    }

    private static int lowerFirst(int cp) {
        if (cp < 0x80) {
            return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        }
        return Character.toString(cp).toLowerCase(Locale.ROOT).codePointAt(0);
    }

    void encode(String text, int from, int to, TokenSink out) {
        ByteArrayOutputStream word = new ByteArrayOutputStream();
        for (int i = from; i < to; ) {
            int cp0 = text.codePointAt(i);
            i += Character.charCount(cp0);
            int cp = nfdFirst(cp0);
            int f = Unicode.flags(cp);
            if ((f & Unicode.WS) != 0) {
                flush(word, out);
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || (f & Unicode.CONTROL) != 0) {
                continue;
            }
            int lc = lowerFirst(cp);
            if ((f & Unicode.PUNCT) != 0 || (cp < 0x7F && (f & Unicode.SYMBOL) != 0) || isChinese(cp)) {
                flush(word, out);
                putUtf8(word, lc);
                flush(word, out);
            } else {
                putUtf8(word, lc);
            }
        }
        flush(word, out);
    }

    private static void putUtf8(ByteArrayOutputStream w, int cp) {
        if (cp < 0x80) {
            w.write(cp);
        } else if (cp < 0x800) {
            w.write(0xC0 | (cp >> 6));
            w.write(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            w.write(0xE0 | (cp >> 12));
            w.write(0x80 | ((cp >> 6) & 0x3F));
            w.write(0x80 | (cp & 0x3F));
        } else {
            w.write(0xF0 | (cp >> 18));
            w.write(0x80 | ((cp >> 12) & 0x3F));
            w.write(0x80 | ((cp >> 6) & 0x3F));
            w.write(0x80 | (cp & 0x3F));
        }
    }

    private void flush(ByteArrayOutputStream word, TokenSink out) {
        if (word.size() == 0) {
            return;
        }
        byte[] w = new byte[PHANTOM.length + word.size()];
        System.arraycopy(PHANTOM, 0, w, 0, PHANTOM.length);
        byte[] body = word.toByteArray();
        System.arraycopy(body, 0, w, PHANTOM.length, body.length);
        word.reset();
        int n = w.length;
        int max = tokens.maxKeyLen();
        int[] found = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            boolean match = false;
            for (int j = Math.min(n, i + max + 1); j > i; j--) {
                int id = tokens.get(w, i, j - i);
                if (id >= 0) {
                    found[k++] = id;
                    match = true;
                    i = j - 1;
                    break;
                }
            }
            if (!match) {
                k = 0;
                break;
            }
        }
        if (k == 0) {
            out.add(unk);
        } else {
            for (int i = 0; i < k; i++) {
                out.add(found[i]);
            }
        }
    }
}
