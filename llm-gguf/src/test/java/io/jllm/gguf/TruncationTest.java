package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncation at every length: a file cut before the end of its last tensor's data fails with a
 * GgufFormatException naming an offset; cut only inside the trailing padding it still opens.
 */
class TruncationTest {
    @TempDir
    Path dir;

    /** End of the last tensor's bytes (or of the metadata for a tensor-less file). */
    private static long contentEnd(GgufFile f, long metadataEnd) {
        long end = metadataEnd;
        for (GgufTensor t : f.tensors()) {
            end = Math.max(end, f.dataOffset() + t.offset() + t.byteSize());
        }
        return end;
    }

    @Test
    void writerSampleAtEveryLength() throws IOException {
        Path full = Samples.write(Samples.allTypes(), dir.resolve("full.gguf"));
        byte[] b = Files.readAllBytes(full);
        long end;
        try (GgufFile f = GgufFile.open(full)) {
            end = contentEnd(f, 0);
        }
        assertTrue(end < b.length, "the sample has trailing padding");
        Path p = dir.resolve("cut.gguf");
        MemorySegment whole = MemorySegment.ofArray(b);
        for (int len = 0; len < b.length; len++) {
            // every length parsed in memory; every 16th (and the edges) also written and opened as a file
            boolean asFile = len % 16 == 0 || Math.abs(len - end) < 2;
            if (asFile) {
                Files.write(p, Arrays.copyOf(b, len));
            }
            MemorySegment cut = whole.asSlice(0, len);
            if (len < end) {
                int l = len;
                GgufFormatException e = assertThrows(GgufFormatException.class,
                        () -> GgufParser.parse(cut, p), () -> "length " + l);
                assertTrue(e.getMessage().startsWith("cut.gguf: offset "), e.getMessage());
                assertTrue(e.offset() <= len, e.getMessage());
                if (asFile) {
                    assertEquals(e.getMessage(), assertThrows(GgufFormatException.class, () -> GgufFile.open(p))
                            .getMessage());
                }
            } else {
                assertEquals(4, GgufParser.parse(cut, p).tensors().size());
                if (asFile) {
                    try (GgufFile f = GgufFile.open(p)) {
                        assertEquals(4, f.tensors().size());
                    }
                }
            }
        }
    }

    /** Every length through the metadata and tensor records of shared files (sampled for the vocab file; parsed in memory for speed). */
    @Test
    void sharedFilesAtEveryLengthOfTheirHeader() throws IOException {
        for (Path src : new Path[] {TestData.model("llama-gqa.q4_0.gguf"), TestData.model("qwen2.f32.gguf"),
            TestData.path("vocab", "ggml-vocab-llama-spm.gguf")}) {
            byte[] b = Files.readAllBytes(src);
            long dataStart;
            long end;
            try (GgufFile f = GgufFile.open(src)) {
                dataStart = f.tensors().isEmpty() ? b.length : f.dataOffset();
                end = contentEnd(f, f.tensors().isEmpty() ? b.length : 0);
            }
            // a model: every length of the first and last 2 KiB of its header (header, first keys, the
            // tensor records), every 11th in between; the (723 KB) vocab file: ~100 spread lengths
            long sparse = dataStart > 100_000 ? dataStart / 100 + 1 : 11;
            MemorySegment whole = MemorySegment.ofArray(b);
            for (long len = 0; len < end;
                 len += len >= dataStart ? 4099 : len < 2048 || len > dataStart - 2048 ? 1 : sparse) {
                MemorySegment cut = whole.asSlice(0, len);
                long l = len;
                GgufFormatException e = assertThrows(GgufFormatException.class,
                        () -> GgufParser.parse(cut, src), () -> src.getFileName() + " cut at " + l);
                assertTrue(e.offset() <= len && e.getMessage().contains(src.getFileName() + ": offset "));
            }
        }
    }
}
