package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rewriting each shared file with {@link GgufWriter#copyOf} reproduces it. The shared models were
 * written by gguf-py / llama-quantize (sequential offsets, zero padding after the tensor infos and
 * after every tensor), so the rewrite is byte-identical. Most shared vocab files (tokenizer-only,
 * no tensors) were written by an older gguf-py that stopped right after the metadata; GgufWriter,
 * like today's gguf-py and gguf.cpp, pads the (empty) data section to the alignment, so for those
 * the rewrite is the original plus fewer than 32 zero bytes, and the content is compared too.
 */
class SharedRewriteTest {
    @TempDir
    Path dir;

    static Stream<Path> sharedFiles() throws IOException {
        try (Stream<Path> m = Files.list(TestData.path("models")); Stream<Path> v = Files.list(TestData.path("vocab"))) {
            return Stream.concat(m.toList().stream(), v.toList().stream())
                    .filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream();
        }
    }

    /** Merging the shared split model gives back the file it was split from, byte for byte. */
    @org.junit.jupiter.api.Test
    void mergingASplitModelGivesTheOriginal() throws IOException {
        Path out = dir.resolve("merged.gguf");
        try (GgufFile split = GgufFile.open(TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf"))) {
            GgufWriter.copyOf(split).write(out);
        }
        assertEquals(-1L, Files.mismatch(TestData.model("llama-gqa.q8_0.gguf"), out));
    }

    @ParameterizedTest
    @MethodSource("sharedFiles")
    void rewriteReproducesTheFile(Path src) throws IOException {
        Path out = dir.resolve(src.getFileName());
        try (GgufFile f = GgufFile.open(src)) {
            GgufWriter.copyOf(f).write(out);
            try (GgufFile g = GgufFile.open(out)) {
                GgufWriterTest.assertSameContent(f, g);
            }
            long mismatch = Files.mismatch(src, out);
            if (mismatch == -1) {
                return;
            }
            // only allowed difference: a tensor-less file that ended right after its metadata
            long size = Files.size(src);
            assertTrue(f.tensors().isEmpty(), src + ": differs at byte " + mismatch);
            assertEquals(size, mismatch, src + ": differs inside the original at byte " + mismatch);
            assertEquals(GgufParser.alignUp(size, f.alignment()), Files.size(out), "only alignment padding added");
            byte[] tail = Files.readAllBytes(out);
            for (long i = size; i < tail.length; i++) {
                assertEquals(0, tail[(int) i], "padding byte " + i);
            }
        }
    }
}
