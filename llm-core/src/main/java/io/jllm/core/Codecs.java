package io.jllm.core;

import io.jllm.gguf.GgufFile;
import io.jllm.tokenizer.StreamingDecoder;
import io.jllm.tokenizer.Tokenizer;
import org.jspecify.annotations.Nullable;

/** Chooses the text codec of a model file: its tokenizer, or a token-only fallback without one. */
final class Codecs {
    private Codecs() {}

    /** The file's tokenizer, or null when it has no {@code tokenizer.ggml.*} vocabulary. */
    static @Nullable Tokenizer tokenizer(GgufFile file) {
        if (!file.metadata().contains("tokenizer.ggml.model") || !file.metadata().contains("tokenizer.ggml.tokens")) {
            return null;
        }
        return Tokenizer.fromGguf(file);
    }

    static TextCodec of(@Nullable Tokenizer tok, GgufFile file) {
        return tok != null ? new TokenizerCodec(tok) : tokensOnly(file);
    }

    /** Generation over a {@link Tokenizer}: encode with the vocabulary's BOS, stream complete UTF-8. */
    private record TokenizerCodec(Tokenizer tok) implements TextCodec {
        @Override
        public int[] encode(String text, boolean addSpecial) {
            return tok.encode(text, addSpecial, false);
        }

        @Override
        public Decoder decoder() {
            StreamingDecoder d = tok.streamingDecoder();
            return new Decoder() {
                @Override
                public String accept(int token) {
                    return d.accept(token);
                }

                @Override
                public String flush() {
                    return d.flush();
                }
            };
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return tok.isEndOfGeneration(token);
        }
    }

    private static TextCodec tokensOnly(GgufFile file) {
        int eos = file.metadata().getInt("tokenizer.ggml.eos_token_id", -1);
        return new TextCodec() {
            @Override
            public int[] encode(String text, boolean addSpecial) {
                throw new UnsupportedOperationException(file.path().getFileName()
                        + " has no tokenizer (no tokenizer.ggml.* metadata); pass token ids");
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
