package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per kind of malformed file: each must fail at open with a GgufFormatException naming
 * the file, the exact byte offset of the bad field, and the field.
 */
class HostileFilesTest {
    @TempDir
    Path dir;

    private GgufFormatException fails(byte[] bytes, long offset, String field) throws IOException {
        Path p = dir.resolve("hostile.gguf");
        Files.write(p, bytes);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(e.getMessage().startsWith("hostile.gguf: offset " + offset + ": "), e.getMessage());
        assertTrue(e.field().contains(field), "field '" + e.field() + "' should mention '" + field + "'");
        assertEquals(offset, e.offset());
        GgufFormatException r = assertThrows(GgufFormatException.class, () -> GgufFile.read(p).close());
        assertEquals(e.getMessage(), r.getMessage(), "read() validates like open()");
        return e;
    }

    private GgufFile opens(byte[] bytes) throws IOException {
        Path p = dir.resolve("fine.gguf");
        Files.write(p, bytes);
        return GgufFile.open(p);
    }

    // --- header

    @Test
    void emptyAndTinyFiles() throws IOException {
        fails(new byte[0], 0, "header.magic");
        fails(new byte[] {'G', 'G', 'U'}, 0, "header.magic");
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = RawGguf.header(0, 0).bytes();
        b[3] = 'L';
        assertTrue(fails(b, 0, "header.magic").getMessage().contains("not a GGUF file"));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4, 0x0300_0000L, 0xFFFF_FFFFL})
    void badVersions(long version) throws IOException {
        byte[] b = new RawGguf().raw("GGUF".getBytes()).u32(version).u64(0).u64(0).bytes();
        fails(b, 4, "header.version");
    }

    @Test
    void version2IsAccepted() throws IOException {
        byte[] b = new RawGguf().raw("GGUF".getBytes()).u32(2).u64(0).u64(1).kvU32("a", 1).bytes();
        try (GgufFile f = opens(b)) {
            assertEquals(2, f.version());
        }
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] full = RawGguf.header(0, 0).bytes();
        for (int len = 0; len < full.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            GgufFormatException e = assertThrows(GgufFormatException.class,
                    () -> GgufParser.parse(java.lang.foreign.MemorySegment.ofArray(cut),
                            Path.of("x.gguf")));
            assertTrue(e.getMessage().contains("offset"));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MAX_VALUE, 1L << 31, 1L << 32, 2})
    void impossibleCounts(long n) throws IOException {
        fails(RawGguf.header(n, 0).zeros(40).bytes(), 8, "header.n_tensors");
        fails(RawGguf.header(0, n).zeros(13).bytes(), 16, "header.n_kv");
    }

    // --- strings

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MAX_VALUE, 1L << 31, 1L << 32, 100})
    void stringLengthBeyondTheFile(long len) throws IOException {
        fails(RawGguf.header(0, 1).u64(len).raw(new byte[20]).bytes(), 24, "metadata.key[0]");
        RawGguf v = RawGguf.header(0, 1).str("k").u32(8);
        int at = v.pos();
        fails(v.u64(len).raw(new byte[20]).bytes(), at, "metadata 'k'");
    }

    @Test
    void twoGigabyteStringClaimInATwoGigabyteFile() throws IOException {
        // a sparse file just over 2 GiB: the 2^31-byte string is inside the file but cannot be a Java string
        Path p = dir.resolve("big.gguf");
        byte[] head = RawGguf.header(0, 2).str("k").u32(8).u64(1L << 31).bytes();
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(head);
            f.setLength(head.length + (1L << 31) + 64);
        }
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertEquals(head.length - 8, e.offset(), e.getMessage());
        // a 2^28-element string array in the same space: rejected by the heap budget before allocating
        byte[] arr = RawGguf.header(0, 1).str("k").u32(9).u32(8).u64(1L << 28).bytes();
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(arr);
        }
        e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertEquals(arr.length - 8, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("heap"), e.getMessage());
        Files.delete(p);
    }

    @Test
    void heapBudgetCoversTensorRecordsAndStrings() throws IOException {
        RawGguf many = RawGguf.header(4000, 0);
        java.util.Set<Long> recordStarts = new java.util.HashSet<>();
        for (int i = 0; i < 4000; i++) {
            recordStarts.add((long) many.pos());
            many.tensor("t" + i, new long[] {1}, 0, 32L * i);
        }
        byte[] tensors = many.pad(32).zeros(32 * 4000).bytes();
        RawGguf strings = RawGguf.header(0, 1).str("a").u32(9).u32(8).u64(20_000);
        java.util.Set<Long> stringStarts = new java.util.HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            stringStarts.add((long) strings.pos());
            strings.str("token" + i);
        }
        String old = System.getProperty("jllm.gguf.maxMetadataBytes");
        System.setProperty("jllm.gguf.maxMetadataBytes", String.valueOf(1 << 20));
        try {
            for (byte[] b : List.of(tensors, strings.bytes())) {
                Path p = dir.resolve("budget.gguf");
                Files.write(p, b);
                GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
                assertTrue(e.getMessage().contains("bytes of heap") && e.getMessage().startsWith("budget.gguf: offset"),
                        e.getMessage());
                assertTrue((b == tensors ? recordStarts : stringStarts).contains(e.offset()), e.getMessage());
            }
        } finally {
            if (old == null) {
                System.clearProperty("jllm.gguf.maxMetadataBytes");
            } else {
                System.setProperty("jllm.gguf.maxMetadataBytes", old);
            }
        }
        try (GgufFile f = opens(tensors)) { // the default budget is far larger
            assertEquals(4000, f.tensors().size());
        }
    }

    // --- metadata types and arrays

    @ParameterizedTest
    @ValueSource(ints = {13, -1, 100, Integer.MAX_VALUE})
    void unknownValueType(int type) throws IOException {
        RawGguf r = RawGguf.header(0, 1).str("key");
        int at = r.pos();
        fails(r.u32(type).u32(0).bytes(), at, "metadata 'key' type");
    }

    @ParameterizedTest
    @ValueSource(ints = {13, -1, 9})
    void badArrayElementType(int type) throws IOException {
        RawGguf r = RawGguf.header(0, 1).str("key").u32(9);
        int at = r.pos();
        String msg = fails(r.u32(type).u64(0).bytes(), at, "metadata 'key' array type").getMessage();
        if (type == 9) {
            assertTrue(msg.contains("nested"), msg);
        }
    }

    @Test
    void arrayCountsAccountForElementSize() throws IOException {
        // 16 bytes follow the count: 16 u8 fit, 5 u32 do not (20 bytes), 3 u64 do not
        for (int[] c : new int[][] {{0, 17}, {4, 5}, {10, 3}, {8, 3}}) {
            RawGguf r = RawGguf.header(0, 1).str("a").u32(9).u32(c[0]);
            int at = r.pos();
            fails(r.u64(c[1]).zeros(16).bytes(), at, "metadata 'a' array count");
        }
        try (GgufFile f = opens(RawGguf.header(0, 1).str("a").u32(9).u32(4).u64(4).zeros(16).bytes())) {
            assertEquals(4, f.metadata().getIntArray("a").length);
        }
        for (long n : new long[] {-1, Long.MAX_VALUE, 1L << 61}) {
            RawGguf r = RawGguf.header(0, 1).str("a").u32(9).u32(12);
            int at = r.pos();
            fails(r.u64(n).zeros(16).bytes(), at, "array count");
        }
    }

    @Test
    void stringArrayElementTruncated() throws IOException {
        RawGguf r = RawGguf.header(0, 1).str("a").u32(9).u32(8).u64(2).str("x");
        int at = r.pos();
        fails(r.u64(5).raw(new byte[] {1, 2}).bytes(), at, "metadata 'a'[1]");
    }

    @Test
    void duplicateKey() throws IOException {
        RawGguf r = RawGguf.header(0, 2).kvU32("k", 1);
        int at = r.pos();
        assertTrue(fails(r.kvU32("k", 2).bytes(), at, "metadata key 'k'").getMessage().contains("duplicate"));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48, 1L << 31, 0xFFFF_FFFFL})
    void badAlignment(long a) throws IOException {
        RawGguf r = RawGguf.header(0, 1).str("general.alignment").u32(4);
        int at = r.pos();
        fails(r.u32(a).bytes(), at, "general.alignment");
    }

    @Test
    void alignmentOfTheWrongType() throws IOException {
        RawGguf r = RawGguf.header(0, 1).str("general.alignment").u32(5);
        int at = r.pos();
        fails(r.u32(32).bytes(), at, "general.alignment");
        r = RawGguf.header(0, 1).str("general.alignment").u32(8);
        at = r.pos();
        fails(r.str("32").bytes(), at, "general.alignment");
    }

    // --- tensor records

    /** One valid F32 tensor record followed by its data, with one field replaced. */
    private static byte[] oneTensor(String name, long[] ne, int type, long offset, int dataBytes) {
        return RawGguf.header(1, 0).tensor(name, ne, type, offset).pad(32).zeros(dataBytes).bytes();
    }

    @Test
    void validSingleTensorOpens() throws IOException {
        try (GgufFile f = opens(oneTensor("t", new long[] {4, 2}, 0, 0, 32))) {
            assertEquals(32, f.tensor("t").data().byteSize());
        }
    }

    @Test
    void duplicateTensorName() throws IOException {
        RawGguf r = RawGguf.header(2, 0).tensor("t", new long[] {8}, 0, 0);
        int at = r.pos();
        fails(r.tensor("t", new long[] {8}, 0, 32).pad(32).zeros(64).bytes(), at, "tensor 't' name");
    }

    @Test
    void tensorNameTooLong() throws IOException {
        fails(oneTensor("x".repeat(64), new long[] {8}, 0, 0, 32), 24, "tensor.name[0]");
        try (GgufFile f = opens(oneTensor("x".repeat(63), new long[] {8}, 0, 0, 32))) {
            assertEquals(1, f.tensors().size());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 5, 1L << 31, 0xFFFF_FFFFL})
    void badDimCount(long nDims) throws IOException {
        byte[] b = RawGguf.header(1, 0).str("t").u32(nDims).u64(8).u64(1).u64(1).u64(1).u64(1)
                .u32(0).u64(0).pad(32).zeros(64).bytes();
        fails(b, 24 + 9, "tensor 't' n_dims");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void nonPositiveDimension(long d) throws IOException {
        fails(oneTensor("t", new long[] {8, d}, 0, 0, 64), 24 + 9 + 4 + 8, "tensor 't' ne[1]");
    }

    @Test
    void elementCountOverflow() throws IOException {
        fails(oneTensor("t", new long[] {1L << 32, 1L << 31}, 0, 0, 64), 24 + 9 + 4 + 8, "tensor 't' ne[1]");
        fails(oneTensor("t", new long[] {2, 2, 1L << 31, 1L << 31}, 24, 0, 64), 24 + 9 + 4 + 24, "tensor 't' ne[3]");
        // 2^61 f32 elements: the count fits, the byte size (2^63) does not
        fails(oneTensor("t", new long[] {1L << 61}, 0, 0, 64), 24 + 9, "tensor 't' shape");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 31, 32, 33, 36, 37, 38, 40, 41, 63, 64, 1000, -1})
    void unknownOrRemovedGgmlType(int type) throws IOException {
        String msg = fails(oneTensor("t", new long[] {256}, type, 0, 1024), 24 + 9 + 4 + 8, "tensor 't' type")
                .getMessage();
        assertTrue(msg.contains("type id " + type), msg);
    }

    @Test
    void rowLengthNotAMultipleOfTheBlock() throws IOException {
        fails(oneTensor("t", new long[] {48, 2}, GgmlType.Q4_0.id(), 0, 64), 24 + 9 + 4, "tensor 't' ne[0]");
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 16, 31, -1, Long.MIN_VALUE, 1L << 40, 64})
    void badOffsets(long off) throws IOException {
        fails(oneTensor("t", new long[] {8}, 0, off, 32), 24 + 9 + 4 + 8 + 4, "tensor 't' offset");
    }

    @Test
    void dataBeyondTheEndOfFile() throws IOException {
        byte[] full = oneTensor("t", new long[] {8, 2}, 0, 0, 64);
        fails(java.util.Arrays.copyOf(full, full.length - 33), 24 + 9 + 4 + 16 + 4, "tensor 't' offset");
        // tensor infos present, data section missing entirely (file ends inside the padding)
        byte[] noData = RawGguf.header(1, 0).tensor("t", new long[] {8}, 0, 0).bytes();
        fails(noData, noData.length - 8, "tensor 't' offset");
    }

    @Test
    void overlappingTensors() throws IOException {
        RawGguf r = RawGguf.header(2, 0).tensor("a", new long[] {16}, 0, 0);
        r.tensor("b", new long[] {8}, 0, 32);
        int at = r.pos() - 8;
        String msg = fails(r.pad(32).zeros(64).bytes(), at, "tensor 'b' offset").getMessage();
        assertTrue(msg.contains("overlaps tensor 'a'"), msg);
    }

    @Test
    void truncatedTensorRecord() throws IOException {
        byte[] full = oneTensor("tensor", new long[] {8, 1}, 0, 0, 32);
        int recordEnd = 24 + 14 + 4 + 16 + 4 + 8;
        for (int len = 24; len < recordEnd; len++) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            Path p = dir.resolve("cut.gguf");
            Files.write(p, cut);
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
            assertTrue(e.getMessage().startsWith("cut.gguf: offset "), e.getMessage());
        }
    }

    // --- split keys (validated at open, by GgufFile)

    @Test
    void splitKeysOfTheWrongTypeOrRange() throws IOException {
        RawGguf r = RawGguf.header(0, 1).str("split.count").u32(8);
        int at = r.pos();
        fails(r.str("2").bytes(), at, "split.count");
        r = RawGguf.header(0, 1).str("split.count").u32(10);
        at = r.pos();
        fails(r.u64(-1).bytes(), at, "split.count");
        r = RawGguf.header(0, 1).str("split.count").u32(2);
        at = r.pos();
        assertTrue(fails(r.u16(2).bytes(), at, "split.count").getMessage().contains("file name"));
    }
}
