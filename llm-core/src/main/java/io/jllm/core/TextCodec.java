package io.jllm.core;

/** What generation needs from a tokenizer (an adapter keeps the engine independent of it). */
interface TextCodec {
    /** Tokens of {@code text}, with BOS etc. as the vocabulary says when {@code addSpecial}. */
    int[] encode(String text, boolean addSpecial);

    /** A fresh incremental decoder that returns complete UTF-8 text only. */
    Decoder decoder();

    boolean isEndOfGeneration(int token);

    /** Incremental detokenizer. */
    interface Decoder {
        String accept(int token);

        String flush();
    }
}
