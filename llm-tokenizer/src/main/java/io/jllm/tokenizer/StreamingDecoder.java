package io.jllm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated ids into text incrementally: {@link #accept} returns only complete UTF-8
 * characters (a token ending inside a multi-byte character holds its bytes back until the
 * next one completes it); bytes that cannot form a character become U+FFFD. Pieces are
 * llama.cpp's {@code token_to_piece} (no leading-space removal, no clean-up). Not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tok;
    private final boolean special;
    private byte[] pending = new byte[16];
    private int n;

    StreamingDecoder(Tokenizer tok, boolean special) {
        this.tok = tok;
        this.special = special;
    }

    /** Adds one id; returns the text completed by it (possibly ""). */
    public String accept(int id) {
        byte[] p = tok.piece(id, special);
        if (n + p.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, n + p.length));
        }
        System.arraycopy(p, 0, pending, n, p.length);
        n += p.length;
        int cut = completePrefix();
        if (cut == 0) {
            return "";
        }
        String s = new String(pending, 0, cut, StandardCharsets.UTF_8);
        System.arraycopy(pending, cut, pending, 0, n - cut);
        n -= cut;
        return s;
    }

    /** Returns whatever is held back (incomplete bytes as U+FFFD) and resets. */
    public String flush() {
        String s = new String(pending, 0, n, StandardCharsets.UTF_8);
        n = 0;
        return s;
    }

    /** Length of the longest prefix that does not end inside a possibly-valid incomplete character. */
    private int completePrefix() {
        // look at the last up-to-3 bytes for an unfinished sequence start
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = pending[n - back] & 0xFF;
            if (b < 0x80) {
                return n;
            }
            if (b >= 0xC0) {
                int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                if (b >= 0xF8) {
                    return n;
                }
                return back < need ? n - back : n;
            }
        }
        return n;
    }
}
