package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GgufFile#release}: the tensor's pages leave resident memory, its bytes stay readable
 * and unchanged, and misuse is refused.
 */
class GgufReleaseTest {
    private static final int BIG = 48 << 20;

    @TempDir
    Path dir;

    private Path sample() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        Random r = new Random(7);
        w.addTensor("small.weight", GgmlType.F32, new long[] {16}, Samples.random(r, 64));
        w.addTensor("big.weight", GgmlType.Q8_0, new long[] {32, BIG / 34}, Samples.random(r, BIG / 34 * 34));
        w.addTensor("tail.weight", GgmlType.F16, new long[] {8}, Samples.random(r, 16));
        return Samples.write(w, dir.resolve("release.gguf"));
    }

    @Test
    void releasedPagesLeaveResidentMemoryAndTheBytesStayTheSame() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc to read VmRSS");
        Path p = sample();
        try (GgufFile f = GgufFile.open(p)) {
            GgufTensor big = f.tensor("big.weight");
            byte[] before = big.data().toArray(ValueLayout.JAVA_BYTE); // touches every page
            byte[] small = f.tensor("small.weight").data().toArray(ValueLayout.JAVA_BYTE);
            long touched = rss();
            f.release(big);
            long released = rss();
            assertTrue(touched - released > BIG / 2, "rss " + touched + " -> " + released + " after releasing "
                    + BIG + " bytes");
            assertEquals(-1, MemorySegment.ofArray(before).mismatch(big.data()), "bytes after release");
            assertEquals(-1, MemorySegment.ofArray(small).mismatch(f.tensor("small.weight").data()));
        }
    }

    @Test
    void foreignTensorsClosedFilesAndReadFilesAreHandled() throws IOException {
        Path p = sample();
        GgufTensor foreign;
        try (GgufFile other = GgufFile.open(p)) {
            foreign = other.tensor("big.weight");
            try (GgufFile f = GgufFile.open(p)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.release(foreign));
                assertTrue(e.getMessage().contains("release.gguf") && e.getMessage().contains("big.weight"), e.getMessage());
            }
        }
        GgufFile closed = GgufFile.open(p);
        GgufTensor t = closed.tensor("tail.weight");
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.release(t));
        try (GgufFile read = GgufFile.read(p)) {
            GgufTensor b = read.tensor("big.weight");
            byte[] before = b.data().toArray(ValueLayout.JAVA_BYTE);
            read.release(b); // no mapping: nothing to do, bytes untouched
            assertEquals(-1, MemorySegment.ofArray(before).mismatch(b.data()));
        }
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
