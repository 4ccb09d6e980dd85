package io.jllm.core;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufMetadata;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The size a compressed MLA cache must have, read from the file's own keys (not from
 * {@link MlaConfig}, which the engine sizes its cache with).
 */
public final class MlaCacheSize {
    private MlaCacheSize() {
    }

    /** Values per token over all layers: {@code block_count × (kv_lora_rank + rope.dimension_count)}. */
    public static long valuesPerToken(GgufFile f) {
        GgufMetadata md = f.metadata();
        String p = f.architecture() + ".";
        return (long) md.getInt(p + "block_count")
                * (md.getInt(p + "attention.kv_lora_rank") + md.getInt(p + "rope.dimension_count"));
    }

    /** As {@link #valuesPerToken(GgufFile)}, for a file on disk. */
    public static long valuesPerToken(Path model) throws IOException {
        try (GgufFile f = GgufFile.open(model)) {
            return valuesPerToken(f);
        }
    }
}
