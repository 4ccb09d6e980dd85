package io.jllm.tokenizer;

import java.util.BitSet;
import org.jspecify.annotations.Nullable;

/** Everything a {@link Tokenizer} needs, filled in by a loader (GGUF, tokenizer.json, tiktoken). */
final class Vocab {
    // token attributes (llama.cpp's llama_token_attr bits)
    static final int UNKNOWN = 1;
    static final int UNUSED = 2;
    static final int NORMAL = 4;
    static final int CONTROL = 8;
    static final int USER_DEFINED = 16;
    static final int BYTE = 32;
    static final int NORMALIZED = 64;
    static final int LSTRIP = 128;
    static final int RSTRIP = 256;
    static final int SINGLE_WORD = 512;

    enum Kind { BPE, SPM, WPM }

    /** How special tokens in the text are found. */
    enum SpecialMode {
        /** llama.cpp: CONTROL/UNKNOWN only with parse_special, USER_DEFINED always; longest first. */
        LLAMA,
        /** Hugging Face: every added token always (longest leftmost match), lstrip/rstrip/single_word. */
        HF,
        /** tiktoken: special tokens only with parse_special. */
        TIKTOKEN
    }

    Kind kind;
    String[] texts;
    int[] attrs;
    /** token_to_piece bytes with special=true. */
    byte[][] pieces;

    @Nullable BpeModel bpe;
    @Nullable PreTokenizer pre;
    @Nullable SpmModel spm;
    @Nullable WpmModel wpm;
    /** Optional text normalizer applied to raw fragments (tokenizer.json). */
    java.util.function.@Nullable UnaryOperator<String> normalizer;

    /** Hugging Face ByteLevel add_prefix_space: a raw fragment not starting with ' ' gets one. */
    boolean prefixSpace;

    SpecialMode specialMode = SpecialMode.LLAMA;
    /** Candidate special tokens, in matching order. */
    int[] specialIds = new int[0];
    /** specialIds by first char, longest first (HF and tiktoken matching). */
    java.util.Map<Character, int[]> specialIndex = java.util.Map.of();

    int bos = -1;
    int eos = -1;
    int sep = -1;
    boolean addBos;
    boolean addEos;
    boolean addSep;
    boolean addSpacePrefix;
    boolean cleanSpaces;
    BitSet eog = new BitSet();
    /** Tokens added around the ids by a template post-processor (tokenizer.json); null = none. */
    int @Nullable [] prefixIds;
    int @Nullable [] suffixIds;
}
