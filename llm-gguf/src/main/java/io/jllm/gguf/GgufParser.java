package io.jllm.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates one GGUF file held in a segment. Everything is checked here, at open:
 * header, every metadata value, every tensor record (name, dims, type, extent, alignment,
 * overlap), so that later reads of tensor data can never leave the segment. No length or count
 * read from the file is used to allocate before it has been checked against the bytes left in
 * the file and against the metadata heap budget ({@link #maxMetadataBytes()}).
 */
final class GgufParser {
    static final int MAX_DIMS = 4;
    static final int MAX_NAME = 64; // GGML_MAX_NAME: names are shorter than this
    static final int DEFAULT_ALIGNMENT = 32;
    /** Largest accepted {@code general.alignment} (ggml has no limit; 1 GiB is far beyond any real file). */
    static final long MAX_ALIGNMENT = 1L << 30;
    /** Smallest possible tensor record: name length 8, n_dims 4, one ne 8, type 4, offset 8. */
    static final int MIN_TENSOR_RECORD = 32;
    /** Smallest possible key/value pair: key length 8, value type 4, a 1-byte value. */
    static final int MIN_KV = 13;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One parsed file. {@code valueOffsets} holds the byte offset of each metadata key's value
     * (for error messages about it); {@code dataStart} is the absolute offset of the data section.
     */
    record Parsed(int version, int alignment, Map<String, GgufValue> metadata, Map<String, Long> valueOffsets,
                  List<GgufTensor> tensors, long dataStart) {}

    /** Heap that one file's metadata and tensor records may take (estimated), so a hostile file cannot exhaust the heap. */
    static final class Budget {
        private final long limit;
        private long used;

        Budget(long limit) {
            this.limit = limit;
        }

        void charge(GgufCursor c, long at, String field, long bytes) throws GgufFormatException {
            used += bytes;
            if (bytes < 0 || used > limit) {
                throw c.error(at, field, "metadata would need more than " + limit
                        + " bytes of heap (the reader's limit; raise it with -Djllm.gguf.maxMetadataBytes=N)");
            }
        }
    }

    private GgufParser() {}

    /** The metadata heap limit: {@code jllm.gguf.maxMetadataBytes}, else min(1 GiB, max heap / 2). */
    static long maxMetadataBytes() {
        long def = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 2);
        return Math.max(1 << 20, Long.getLong("jllm.gguf.maxMetadataBytes", def));
    }

    static Parsed parse(MemorySegment seg, Path file) throws GgufFormatException {
        GgufCursor c = new GgufCursor(seg, file);
        if (c.size() < 4) {
            throw c.error(0, "header.magic", "file is " + c.size() + " bytes, too short for a GGUF header");
        }
        int magic = c.i32("header.magic");
        if (magic != 0x46554747) { // "GGUF" little-endian
            throw c.error(0, "header.magic", String.format("not a GGUF file (magic 0x%08x, expected 'GGUF')", magic));
        }
        int version = c.i32("header.version");
        if (version == 1) {
            throw c.error(4, "header.version", "GGUF version 1 is not supported (versions 2 and 3 are)");
        }
        if ((version & 0xFFFF) == 0 && version != 0) {
            throw c.error(4, "header.version", "big-endian GGUF files are not supported (version field 0x"
                    + Integer.toHexString(version) + ")");
        }
        if (version < 2 || version > 3) {
            throw c.error(4, "header.version", "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (versions 2 and 3 are supported)");
        }
        long nTensors = c.i64("header.n_tensors");
        long nKv = c.i64("header.n_kv");
        if (nTensors < 0 || nTensors > c.remaining() / MIN_TENSOR_RECORD) {
            throw c.error(8, "header.n_tensors", "tensor count " + Long.toUnsignedString(nTensors)
                    + " is impossible for a file of " + c.size() + " bytes");
        }
        if (nKv < 0 || nKv > c.remaining() / MIN_KV) {
            throw c.error(16, "header.n_kv", "metadata count " + Long.toUnsignedString(nKv)
                    + " is impossible for a file of " + c.size() + " bytes");
        }

        Budget budget = new Budget(maxMetadataBytes());
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        Map<String, Long> valueAt = new HashMap<>();
        for (long i = 0; i < nKv; i++) {
            long at = c.pos();
            String key = c.string("metadata.key", i, 1 << 16, budget);
            if (kv.containsKey(key)) {
                throw c.error(at, "metadata key '" + key + "'", "duplicate key");
            }
            long typeAt = c.pos();
            int typeId = c.i32("metadata '" + key + "' type");
            GgufValueType type = GgufValueType.fromId(typeId);
            if (type == null) {
                throw c.error(typeAt, "metadata '" + key + "' type", "unknown value type id " + typeId);
            }
            budget.charge(c, at, "metadata '" + key + "'", 96);
            valueAt.put(key, c.pos());
            kv.put(key, readValue(c, type, key, budget));
        }

        int alignment = alignment(c, kv, valueAt);
        List<GgufTensor> tensors = readTensors(c, seg, nTensors, alignment, budget);
        long dataStart = nTensors == 0 ? Math.min(c.size(), alignUp(c.pos(), alignment))
                : alignUp(c.pos(), alignment);
        return new Parsed(version, alignment, kv, valueAt, tensors, dataStart);
    }

    private static int alignment(GgufCursor c, Map<String, GgufValue> kv, Map<String, Long> valueAt)
            throws GgufFormatException {
        GgufValue al = kv.get("general.alignment");
        if (al == null) {
            return DEFAULT_ALIGNMENT;
        }
        long at = valueAt.get("general.alignment");
        if (al.type() != GgufValueType.UINT32) {
            throw c.error(at, "metadata 'general.alignment'", "must be UINT32, found " + al.typeName());
        }
        long a = (Long) al.raw();
        if (a == 0 || (a & (a - 1)) != 0 || a > MAX_ALIGNMENT) {
            throw c.error(at, "metadata 'general.alignment'", "alignment " + a
                    + " is not a power of two between 1 and " + MAX_ALIGNMENT);
        }
        return (int) a;
    }

    private record Info(String name, GgmlType type, long[] shape, long offset, long bytes, long offsetAt) {}

    private static List<GgufTensor> readTensors(GgufCursor c, MemorySegment seg, long nTensors, int alignment,
                                                Budget budget) throws GgufFormatException {
        List<Info> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            long at = c.pos();
            String name = c.string("tensor.name", i, MAX_NAME - 1, null);
            String f = "tensor '" + name + "'";
            budget.charge(c, at, f, 512); // record, view, name, shape and index entries
            if (!names.add(name)) {
                throw c.error(at, f + " name", "duplicate tensor name");
            }
            long dimsAt = c.pos();
            int nDims = c.i32(f + " n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw c.error(dimsAt, f + " n_dims", "n_dims " + Integer.toUnsignedString(nDims)
                        + " is not in 1.." + MAX_DIMS);
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long neAt = c.pos();
                shape[d] = c.i64(f + " ne[" + d + "]");
                if (shape[d] <= 0) {
                    throw c.error(neAt, f + " ne[" + d + "]", "dimension " + shape[d] + " must be positive");
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw c.error(neAt, f + " ne[" + d + "]", "element count overflows 64 bits");
                }
            }
            long typeAt = c.pos();
            int typeId = c.i32(f + " type");
            GgmlType type = GgmlType.fromId(typeId);
            if (type == null) {
                throw c.error(typeAt, f + " type", "unknown or removed ggml type id " + typeId);
            }
            if (shape[0] % type.blockSize() != 0) {
                throw c.error(dimsAt + 4, f + " ne[0]", "row length " + shape[0] + " is not a multiple of the "
                        + type + " block size " + type.blockSize());
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(elements / type.blockSize(), (long) type.typeSize());
            } catch (ArithmeticException e) {
                throw c.error(dimsAt, f + " shape", "byte size overflows 64 bits");
            }
            long offAt = c.pos();
            long offset = c.i64(f + " offset");
            if (offset < 0) {
                throw c.error(offAt, f + " offset", "data offset " + Long.toUnsignedString(offset) + " is too large");
            }
            if (offset % alignment != 0) {
                throw c.error(offAt, f + " offset", "data offset " + offset + " is not a multiple of the alignment "
                        + alignment);
            }
            infos.add(new Info(name, type, shape, offset, bytes, offAt));
        }

        long dataStart = alignUp(c.pos(), alignment);
        long dataSize = c.size() - dataStart;
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::offset));
        long end = 0;
        String prev = null;
        for (Info t : byOffset) {
            if (t.offset > dataSize || t.bytes > dataSize - t.offset) {
                throw c.error(t.offsetAt, "tensor '" + t.name + "' offset", t.bytes + " bytes of data at offset "
                        + t.offset + " extend past the end of the file's data section ("
                        + Math.max(0, dataSize) + " bytes from offset " + dataStart + ")");
            }
            if (t.offset < end) {
                throw c.error(t.offsetAt, "tensor '" + t.name + "' offset", "data at " + t.offset
                        + " overlaps tensor '" + prev + "' (which ends at " + end + ")");
            }
            end = t.offset + t.bytes;
            prev = t.name;
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (Info t : infos) {
            MemorySegment slice = seg.asSlice(dataStart + t.offset, t.bytes);
            tensors.add(new GgufTensor(t.name, t.type, t.shape, t.offset, t.bytes, slice));
        }
        return tensors;
    }

    static long alignUp(long x, long a) {
        return (x + a - 1) / a * a;
    }

    private static GgufValue readValue(GgufCursor c, GgufValueType type, String key, Budget budget)
            throws GgufFormatException {
        String f = "metadata '" + key + "'";
        return switch (type) {
            case UINT8 -> GgufValue.of(type, c.i8(f) & 0xFF);
            case INT8 -> GgufValue.of(type, (int) c.i8(f));
            case UINT16 -> GgufValue.of(type, c.i16(f) & 0xFFFF);
            case INT16 -> GgufValue.of(type, (int) c.i16(f));
            case UINT32 -> GgufValue.of(type, c.i32(f) & 0xFFFFFFFFL);
            case INT32 -> GgufValue.of(type, c.i32(f));
            case UINT64, INT64 -> GgufValue.of(type, c.i64(f));
            case FLOAT32 -> GgufValue.of(type, c.f32(f));
            case FLOAT64 -> GgufValue.of(type, c.f64(f));
            case BOOL -> GgufValue.of(type, c.i8(f) != 0);
            case STRING -> GgufValue.of(type, c.string(f, -1, Integer.MAX_VALUE - 16, budget));
            case ARRAY -> readArray(c, key, budget);
        };
    }

    private static GgufValue readArray(GgufCursor c, String key, Budget budget) throws GgufFormatException {
        String f = "metadata '" + key + "'";
        long typeAt = c.pos();
        int etId = c.i32(f + " array type");
        GgufValueType et = GgufValueType.fromId(etId);
        if (et == null) {
            throw c.error(typeAt, f + " array type", "unknown element type id " + etId);
        }
        if (et == GgufValueType.ARRAY) {
            throw c.error(typeAt, f + " array type", "nested arrays are not supported");
        }
        long countAt = c.pos();
        long n = c.i64(f + " array count");
        // a string element takes at least its 8-byte length; other elements their fixed size
        if (n < 0 || n > c.remaining() / et.minBytes()) {
            throw c.error(countAt, f + " array count", "array of " + Long.toUnsignedString(n) + " " + et
                    + " elements does not fit in the " + c.remaining() + " bytes left in the file");
        }
        if (n > Integer.MAX_VALUE - 16) {
            throw c.error(countAt, f + " array count", "array of " + n + " elements is too large");
        }
        budget.charge(c, countAt, f, 16 + n * (et == GgufValueType.STRING ? 8 : et.minBytes()));
        int len = (int) n;
        long p = c.pos();
        Object arr = switch (et) {
            case UINT8, INT8 -> bulk(c, new byte[len], ValueLayout.JAVA_BYTE, len);
            case BOOL -> {
                byte[] a = bulk(c, new byte[len], ValueLayout.JAVA_BYTE, len);
                boolean[] b = new boolean[len];
                for (int i = 0; i < len; i++) {
                    b[i] = a[i] != 0;
                }
                yield b;
            }
            case UINT16, INT16 -> bulk(c, new short[len], U16, len);
            case UINT32, INT32 -> bulk(c, new int[len], I32, len);
            case UINT64, INT64 -> bulk(c, new long[len], I64, len);
            case FLOAT32 -> bulk(c, new float[len], F32, len);
            case FLOAT64 -> bulk(c, new double[len], F64, len);
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.string(f, i, Integer.MAX_VALUE - 16, budget);
                }
                yield a;
            }
            case ARRAY -> throw new AssertionError();
        };
        assert et == GgufValueType.STRING || c.pos() == p + n * et.minBytes();
        return GgufValue.ofArray(et, arr);
    }

    /** Copies {@code n} elements at the cursor into {@code dst} (count already checked against the file). */
    private static <A> A bulk(GgufCursor c, A dst, ValueLayout layout, int n) {
        MemorySegment.copy(c.segment(), layout, c.pos(), dst, 0, n);
        c.seek(c.pos() + n * layout.byteSize());
        return dst;
    }
}
