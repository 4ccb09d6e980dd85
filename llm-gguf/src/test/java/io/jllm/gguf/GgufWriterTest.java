package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GgufWriter: what it writes reads back identically, with the layout gguf-py produces. */
class GgufWriterTest {
    @TempDir
    Path dir;

    static void assertSameContent(GgufFile a, GgufFile b) {
        assertEquals(a.version(), b.version());
        assertEquals(a.alignment(), b.alignment());
        assertEquals(new ArrayList<>(a.metadata().asMap().keySet()), new ArrayList<>(b.metadata().asMap().keySet()));
        for (String k : a.metadata().keys()) {
            assertEquals(a.metadata().get(k), b.metadata().get(k), k);
        }
        assertEquals(a.tensors().size(), b.tensors().size());
        for (int i = 0; i < a.tensors().size(); i++) {
            GgufTensor x = a.tensors().get(i);
            GgufTensor y = b.tensors().get(i);
            assertEquals(x.name(), y.name());
            assertEquals(x.type(), y.type(), x.name());
            assertArrayEquals(x.shape(), y.shape(), x.name());
            assertEquals(x.offset(), y.offset(), x.name());
            assertEquals(-1L, x.data().mismatch(y.data()), x.name());
        }
    }

    @Test
    void everyValueTypeRoundTrips() throws IOException {
        GgufWriter w = Samples.allTypes();
        Path p = Samples.write(w, dir.resolve("all.gguf"));
        assertEquals(w.fileSize(), Files.size(p));
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(w.metadata(), f.metadata().asMap());
            GgufMetadata md = f.metadata();
            assertEquals("sample – ünïcode ✓ 🦙", md.getString("general.name"));
            assertEquals(255, md.getInt("t.u8"));
            assertEquals(-128, md.getInt("t.i8"));
            assertEquals(65535, md.getInt("t.u16"));
            assertEquals(-32768, md.getInt("t.i16"));
            assertEquals(0xFFFF_FFFFL, md.getLong("t.u32"));
            assertEquals(Integer.MIN_VALUE, md.getInt("t.i32"));
            assertTrue(Float.isNaN(md.getFloat("t.f32")));
            assertTrue(md.getBoolean("t.bool"));
            assertEquals("18446744073709551615", md.get("t.u64").toString());
            assertEquals(Long.MIN_VALUE, md.getLong("t.i64"));
            assertEquals(Double.NEGATIVE_INFINITY, md.getDouble("t.f64"));
            assertEquals("", md.getString("t.empty"));
            assertArrayEquals(new int[] {0, 1, 255}, md.getIntArray("a.u8"));
            assertArrayEquals(new int[] {65535, 7}, md.getIntArray("a.u16"));
            assertArrayEquals(new String[] {"<s>", "", "▁the", "\n", "日本"}, md.getStringArray("a.str"));
            assertEquals(0, md.getStringArray("a.emptystr").length);
            assertEquals(0, md.getIntArray("a.empty").length);
            assertEquals(w.tensorNames(), f.tensors().stream().map(GgufTensor::name).toList());
            long expectOffset = 0;
            for (GgufTensor t : f.tensors()) {
                assertEquals(expectOffset, t.offset(), t.name());
                expectOffset += GgufParser.alignUp(t.byteSize(), 32);
            }
            // read -> write -> read is the identity, and the second write is byte-identical
            Path p2 = dir.resolve("all2.gguf");
            GgufWriter.copyOf(f).write(p2);
            try (GgufFile g = GgufFile.open(p2)) {
                assertSameContent(f, g);
            }
            assertEquals(-1L, Files.mismatch(p, p2));
        }
    }

    @Test
    void layoutIsHeaderMetadataInfosPaddedDataPaddedTensors() throws IOException {
        GgufWriter w = new GgufWriter().put("k", GgufValue.uint32(7));
        w.addTensor("a", GgmlType.F32, new long[] {3}, MemorySegment.ofArray(new float[] {1, 2, 3}));
        w.addTensor("b", GgmlType.I8, new long[] {5}, MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5}));
        Path p = Samples.write(w, dir.resolve("layout.gguf"));
        byte[] b = Files.readAllBytes(p);
        // header 24 + kv (8+1 key, 4 type, 4 value) = 41; tensor a: 8+1+4+8+4+8 = 33 -> 74; b -> 107; pad to 128
        assertEquals(128 + 32 + 32, b.length);
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(3, s.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
        for (int i = 107; i < 128; i++) {
            assertEquals(0, b[i], "padding after the tensor infos at " + i);
        }
        assertEquals(1f, s.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 128));
        for (int i = 128 + 12; i < 160; i++) {
            assertEquals(0, b[i], "padding after tensor a at " + i);
        }
        assertEquals(5, b[160 + 4]);
        for (int i = 165; i < 192; i++) {
            assertEquals(0, b[i], "padding after the last tensor at " + i);
        }
    }

    @Test
    void alignmentIsHonored() throws IOException {
        for (int a : new int[] {1, 8, 64, 4096}) {
            GgufWriter w = Samples.allTypes().alignment(a);
            Path p = Samples.write(w, dir.resolve("al" + a + ".gguf"));
            assertEquals(w.fileSize(), Files.size(p));
            try (GgufFile f = GgufFile.open(p)) {
                assertEquals(a, f.alignment());
                assertEquals(0, f.dataOffset() % a);
                for (GgufTensor t : f.tensors()) {
                    assertEquals(0, t.offset() % a, t.name());
                }
                assertEquals(Files.size(p), f.dataOffset() + f.tensors().stream()
                        .mapToLong(t -> GgufParser.alignUp(t.byteSize(), a)).sum());
            }
        }
    }

    @Test
    void tensorSourceFillsWholeRowChunksAndMatchesSegmentWrite() throws IOException {
        Random r = new Random(7);
        MemorySegment data = Samples.random(r, 10 * 2 * 18); // q4_0, 64 x 10
        Path viaSegment = Samples.write(new GgufWriter()
                .addTensor("t", GgmlType.Q4_0, new long[] {64, 10}, data), dir.resolve("seg.gguf"));
        List<long[]> calls = new ArrayList<>();
        GgufWriter w = new GgufWriter().chunkBytes(100) // 2 rows of 36 bytes per chunk
                .addTensor("t", GgmlType.Q4_0, new long[] {64, 10}, (chunk, off) -> {
                    calls.add(new long[] {off, chunk.byteSize()});
                    MemorySegment.copy(data, off, chunk, 0, chunk.byteSize());
                });
        Path viaSource = Samples.write(w, dir.resolve("src.gguf"));
        assertEquals(-1L, Files.mismatch(viaSegment, viaSource));
        assertEquals(5, calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(i * 72L, calls.get(i)[0]);
            assertEquals(72L, calls.get(i)[1]);
        }
    }

    @Test
    void failedWriteLeavesTargetUntouched() throws IOException {
        Path p = dir.resolve("keep.gguf");
        Files.write(p, new byte[] {1, 2, 3});
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4}, (chunk, off) -> {
            throw new IOException("source failed");
        });
        assertThrows(IOException.class, () -> w.write(p));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "temporary file removed");
        }
    }

    @Test
    void rejectsWhatGgufCannotHold() {
        GgufWriter w = new GgufWriter();
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {2}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {0}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.Q4_0, new long[] {16}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.I32, new long[] {1}, four));
        w.addTensor("t", GgmlType.I32, new long[] {1}, four);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.I32, new long[] {1}, four));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(3));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(0));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", GgufValue.int32(32)));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.ofArray(GgufValueType.ARRAY, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.of(GgufValueType.UINT8, 256));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint32(-1));
        assertThrows(IllegalArgumentException.class, () -> w.put("bad\uD800", GgufValue.bool(true)));
        assertFalse(w.metadata().containsKey("general.alignment"));
    }

    @Test
    void readCopiesIntoMemoryWithTheSameResult() throws IOException {
        Path p = Samples.write(Samples.allTypes(), dir.resolve("r.gguf"));
        try (GgufFile mapped = GgufFile.open(p); GgufFile read = GgufFile.read(p)) {
            assertSameContent(mapped, read);
            assertTrue(read.tensors().getFirst().data().isReadOnly());
        }
        byte[] b = Files.readAllBytes(p);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 100));
        GgufFormatException m = assertThrows(GgufFormatException.class, () -> GgufFile.open(cut));
        GgufFormatException r = assertThrows(GgufFormatException.class, () -> GgufFile.read(cut));
        assertEquals(m.getMessage(), r.getMessage());
    }

    /**
     * A mapped file's tensors are plain, read-only native segments (the class every kernel input
     * has; see GgufFile#asNativeSegment) that stop being accessible when the file is closed.
     */
    @Test
    void mappedTensorsAreReadOnlyNativeSegmentsScopedToTheFile() throws IOException {
        Path p = Samples.write(Samples.allTypes(), dir.resolve("scoped.gguf"));
        GgufFile f = GgufFile.open(p);
        MemorySegment data = f.tensors().get(0).data();
        MemorySegment native1 = java.lang.foreign.Arena.global().allocate(1);
        assertEquals(native1.getClass(), data.getClass(), "same segment class as arena memory");
        assertTrue(data.isReadOnly());
        byte first = data.get(ValueLayout.JAVA_BYTE, 0);
        assertThrows(IllegalArgumentException.class, () -> data.set(ValueLayout.JAVA_BYTE, 0, first));
        f.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
    }
}
