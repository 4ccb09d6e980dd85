package io.jllm.synth;

import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufValueType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A minimal valid SentencePiece vocabulary ({@code tokenizer.ggml.model = llama}) of any size
 * from 259 up: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte-fallback pieces
 * {@code <0x00>}…{@code <0xFF>}, then word pieces ({@code ▁a}, {@code ▁b}, … {@code ▁ab}, …)
 * with decreasing scores. Any text tokenizes with it (unknown characters fall back to bytes).
 */
public final class SyntheticVocab {
    /** Smallest size: three special tokens and 256 byte pieces. */
    public static final int MIN_SIZE = 259;

    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int BYTE = 6;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    private SyntheticVocab() {}

    /** The {@code tokenizer.*} metadata of a synthetic vocabulary of {@code size} tokens. */
    public static Map<String, GgufValue> metadata(int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("a synthetic SentencePiece vocabulary needs at least " + MIN_SIZE
                    + " tokens (3 special + 256 bytes), asked for " + size);
        }
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[0] = "<unk>";
        types[0] = UNKNOWN;
        tokens[1] = "<s>";
        types[1] = CONTROL;
        tokens[2] = "</s>";
        types[2] = CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = BYTE;
        }
        Set<String> seen = new LinkedHashSet<>();
        int id = MIN_SIZE;
        // single letters (with and without the word-start mark), then longer pieces
        for (int i = 0; i < ALPHABET.length() && id < size; i++) {
            id = add(tokens, types, scores, seen, id, size, "\u2581" + ALPHABET.charAt(i));
            id = add(tokens, types, scores, seen, id, size, String.valueOf(ALPHABET.charAt(i)));
        }
        id = add(tokens, types, scores, seen, id, size, "\u2581");
        for (long k = 0; id < size; k++) {
            String piece = word(k);
            id = add(tokens, types, scores, seen, id, size, "\u2581" + piece);
            id = add(tokens, types, scores, seen, id, size, piece);
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.of(GgufValueType.STRING, "llama"));
        m.put("tokenizer.ggml.pre", GgufValue.of(GgufValueType.STRING, "default"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufValueType.STRING, tokens));
        m.put("tokenizer.ggml.scores", GgufValue.ofArray(GgufValueType.FLOAT32, scores));
        m.put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufValueType.INT32, types));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.of(GgufValueType.UINT32, 1L));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.of(GgufValueType.UINT32, 2L));
        m.put("tokenizer.ggml.unknown_token_id", GgufValue.of(GgufValueType.UINT32, 0L));
        m.put("tokenizer.ggml.add_bos_token", GgufValue.of(GgufValueType.BOOL, true));
        m.put("tokenizer.ggml.add_eos_token", GgufValue.of(GgufValueType.BOOL, false));
        return m;
    }

    private static int add(String[] tokens, int[] types, float[] scores, Set<String> seen, int id, int size,
                           String piece) {
        if (id >= size || !seen.add(piece)) {
            return id;
        }
        tokens[id] = piece;
        types[id] = NORMAL;
        scores[id] = -(id - MIN_SIZE);
        return id + 1;
    }

    /** The k-th letter string of length ≥ 2 in bijective base 26 (aa, ab, …, zz, aaa, …). */
    private static String word(long k) {
        StringBuilder sb = new StringBuilder();
        long n = k + ALPHABET.length() + 1; // skip the single letters
        while (n > 0) {
            n--;
            sb.append(ALPHABET.charAt((int) (n % ALPHABET.length())));
            n /= ALPHABET.length();
        }
        return sb.reverse().toString();
    }
}
