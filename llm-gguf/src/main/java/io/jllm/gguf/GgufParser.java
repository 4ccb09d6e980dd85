package io.jllm.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates one GGUF file held in a segment. Everything is checked here, at open:
 * header, every metadata value, every tensor record (name, dims, type, extent, alignment,
 * overlap), so that later reads of tensor data can never leave the mapping.
 */
final class GgufParser {
    static final int MAX_DIMS = 4;
    static final int MAX_NAME = 64; // GGML_MAX_NAME: names are shorter than this
    static final int DEFAULT_ALIGNMENT = 32;

    record Parsed(int version, int alignment, Map<String, GgufValue> metadata, List<GgufTensor> tensors,
                  long dataStart) {}

    private GgufParser() {}

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
            throw c.error(4, "header.version", "big-endian GGUF files are not supported (version field "
                    + Integer.toHexString(version) + ")");
        }
        if (version < 2 || version > 3) {
            throw c.error(4, "header.version", "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (versions 2 and 3 are supported)");
        }
        long nTensors = c.i64("header.n_tensors");
        if (nTensors < 0 || nTensors > c.remaining() / 32) { // each record takes at least 32 bytes
            throw c.error(8, "header.n_tensors", "tensor count " + Long.toUnsignedString(nTensors)
                    + " is impossible for a file of " + c.size() + " bytes");
        }
        long nKv = c.i64("header.n_kv");
        if (nKv < 0 || nKv > c.remaining() / 13) { // key length 8 + type 4 + at least 1 byte
            throw c.error(16, "header.n_kv", "metadata count " + Long.toUnsignedString(nKv)
                    + " is impossible for a file of " + c.size() + " bytes");
        }

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            long at = c.pos();
            String key = c.string("metadata[" + i + "].key");
            if (kv.containsKey(key)) {
                throw c.error(at, "metadata key '" + key + "'", "duplicate key");
            }
            long typeAt = c.pos();
            int typeId = c.i32("metadata '" + key + "' type");
            GgufValueType type = GgufValueType.fromId(typeId);
            if (type == null) {
                throw c.error(typeAt, "metadata '" + key + "' type", "unknown value type id " + typeId);
            }
            kv.put(key, readValue(c, type, key));
        }

        int alignment = DEFAULT_ALIGNMENT;
        GgufValue al = kv.get("general.alignment");
        if (al != null) {
            if (al.type() != GgufValueType.UINT32) {
                throw c.error(0, "metadata 'general.alignment'", "must be UINT32, found " + al.typeName());
            }
            long a = (Long) al.raw();
            if (a == 0 || (a & (a - 1)) != 0 || a > (1 << 30)) {
                throw c.error(0, "metadata 'general.alignment'", "alignment " + a + " is not a power of two");
            }
            alignment = (int) a;
        }

        record Info(String name, GgmlType type, long[] shape, long offset, long bytes, long recordAt) {}
        List<Info> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            long at = c.pos();
            String name = c.string("tensor[" + i + "].name");
            String f = "tensor '" + name + "'";
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= MAX_NAME) {
                throw c.error(at, f + " name", "name is longer than " + (MAX_NAME - 1) + " bytes");
            }
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
                throw c.error(dimsAt, f + " ne[0]", "row length " + shape[0] + " is not a multiple of the "
                        + type + " block size " + type.blockSize());
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(elements / type.blockSize(), (long) type.typeSize());
            } catch (ArithmeticException e) {
                throw c.error(dimsAt, f + " dims", "byte size overflows 64 bits");
            }
            long offAt = c.pos();
            long offset = c.i64(f + " offset");
            if (offset < 0 || offset % alignment != 0) {
                throw c.error(offAt, f + " offset", "data offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
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
            if (t.offset < end) {
                throw c.error(t.recordAt, "tensor '" + t.name + "' offset", "data at " + t.offset
                        + " overlaps tensor '" + prev + "' (which ends at " + end + ")");
            }
            if (t.offset > dataSize || t.bytes > dataSize - t.offset) {
                throw c.error(t.recordAt, "tensor '" + t.name + "' offset", "data [" + t.offset + ", "
                        + (t.offset + t.bytes) + ") extends past the end of the file's data section ("
                        + Math.max(0, dataSize) + " bytes from offset " + dataStart + ")");
            }
            end = t.offset + t.bytes;
            prev = t.name;
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (Info t : infos) {
            MemorySegment slice = seg.asSlice(dataStart + t.offset, t.bytes);
            tensors.add(new GgufTensor(t.name, t.type, t.shape, t.offset, t.bytes, slice));
        }
        return new Parsed(version, alignment, kv, tensors, dataStart);
    }

    static long alignUp(long x, long a) {
        return (x + a - 1) / a * a;
    }

    private static GgufValue readValue(GgufCursor c, GgufValueType type, String key) throws GgufFormatException {
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
            case STRING -> GgufValue.of(type, c.string(f));
            case ARRAY -> readArray(c, key);
        };
    }

    private static GgufValue readArray(GgufCursor c, String key) throws GgufFormatException {
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
        if (n < 0 || n > c.remaining() / et.minBytes() || n > Integer.MAX_VALUE - 16) {
            throw c.error(countAt, f + " array count", "array of " + Long.toUnsignedString(n) + " " + et
                    + " elements does not fit in the " + c.remaining() + " bytes left in the file");
        }
        int len = (int) n;
        Object arr = switch (et) {
            case UINT8, INT8, BOOL -> {
                byte[] a = new byte[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.i8(f);
                }
                if (et != GgufValueType.BOOL) {
                    yield a;
                }
                boolean[] b = new boolean[len];
                for (int i = 0; i < len; i++) {
                    b[i] = a[i] != 0;
                }
                yield b;
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.i16(f);
                }
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.i32(f);
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.i64(f);
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.f32(f);
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.f64(f);
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = c.string(f + "[" + i + "]");
                }
                yield a;
            }
            case ARRAY -> throw new AssertionError();
        };
        return GgufValue.ofArray(et, arr);
    }
}
