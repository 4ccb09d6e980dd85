package io.jllm.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** Loader for Hugging Face tokenizer.json files. */
final class HfTokenizerJson {
    private HfTokenizerJson() {}

    static Tokenizer load(Path path) throws IOException {
        throw new UnsupportedOperationException(path + ": tokenizer.json support is not implemented yet");
    }
}
