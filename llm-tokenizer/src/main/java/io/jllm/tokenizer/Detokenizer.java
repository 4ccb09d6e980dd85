package io.jllm.tokenizer;

/** llama.cpp's {@code clean_spaces} post-processing of detokenized bytes. */
final class Detokenizer {
    private Detokenizer() {}

    static byte[] cleanSpaces(byte[] t) {
        int total = t.length;
        // first pass: " ?", " !", " .", " ," lose the space
        int n = total > 0 ? 1 : 0;
        for (int i = 1; i < total; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                n--;
            }
            t[n++] = x;
        }
        // second pass: " ' " -> "'"
        total = n;
        n = total > 0 ? 1 : 0;
        for (int i = 1; i < total; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < total && t[i - 1] == ' ' && t[i + 1] == ' ') {
                n--;
                t[++i] = 0;
            }
            t[n++] = x;
        }
        // third pass: " 's", " 'm", " 're", " 've" lose the space
        total = n;
        n = total > 0 ? 1 : 0;
        for (int i = 1; i < total; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < total) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    n--;
                } else if (i + 2 < total) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        n--;
                    }
                }
            }
            t[n++] = x;
        }
        return java.util.Arrays.copyOf(t, n);
    }
}
