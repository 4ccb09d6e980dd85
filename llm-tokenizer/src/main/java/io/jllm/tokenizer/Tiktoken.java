package io.jllm.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** tiktoken encodings. */
final class Tiktoken {
    private Tiktoken() {}

    static Tokenizer load(Path rankFile, String encoding) throws IOException {
        throw new UnsupportedOperationException("tiktoken support is not implemented yet");
    }

    static Tokenizer named(String encoding) throws IOException {
        throw new UnsupportedOperationException("tiktoken support is not implemented yet");
    }
}
