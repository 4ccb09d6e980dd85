package io.jllm.core;

import io.jllm.gguf.GgufFile;

/** Chooses the text codec of a model file. */
final class Codecs {
    private Codecs() {}

    static TextCodec forFile(GgufFile file) {
        int eos = file.metadata().getInt("tokenizer.ggml.eos_token_id", -1);
        return new TextCodec() {
            @Override
            public int[] encode(String text, boolean addSpecial) {
                throw new UnsupportedOperationException("no tokenizer available for " + file.path().getFileName());
            }

            @Override
            public Decoder decoder() {
                return new Decoder() {
                    @Override
                    public String accept(int token) {
                        return "";
                    }

                    @Override
                    public String flush() {
                        return "";
                    }
                };
            }

            @Override
            public boolean isEndOfGeneration(int token) {
                return token == eos;
            }
        };
    }
}
