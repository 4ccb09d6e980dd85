package io.jllm.gguf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A GGUF file is malformed. The message names the file, the byte offset and the field, e.g.
 * {@code model.gguf: offset 1234: tensor 'blk.0.attn_q.weight' type: unknown ggml type id 4}.
 */
public final class GgufFormatException extends IOException {
    private final Path file;
    private final long offset;
    private final String field;

    public GgufFormatException(Path file, long offset, String field, String problem) {
        super(file.getFileName() + ": offset " + offset + ": " + field + ": " + problem);
        this.file = file;
        this.offset = offset;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    /** Byte offset in the file where the bad field starts. */
    public long offset() {
        return offset;
    }

    /** The field that is wrong, e.g. {@code "header.n_tensors"} or {@code "tensor 'x' dims"}. */
    public String field() {
        return field;
    }
}
