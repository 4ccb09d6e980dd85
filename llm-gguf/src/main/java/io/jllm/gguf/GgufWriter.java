package io.jllm.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF version 3 file, laid out as llama.cpp's gguf-py and {@code gguf.cpp} write it:
 * header, metadata in insertion order, tensor records in insertion order, zero padding to the
 * alignment, then each tensor's data followed by zero padding to the alignment (also after the
 * last one; also for a file without tensors). Tensor offsets are assigned sequentially. The
 * alignment is {@code general.alignment} when set (UINT32, a power of two), else 32.
 *
 * <p>Collect metadata and tensors, then call {@link #write(Path)}: the file is streamed to disk
 * (into a temporary file beside the target, moved into place at the end), tensor by tensor,
 * straight from each tensor's {@link MemorySegment} or from a {@link TensorSource} that fills one
 * chunk at a time, so a multi-gigabyte model never sits on the heap. Not thread-safe.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .put("general.architecture", GgufValue.string("llama"))
 *     .addTensor("token_embd.weight", GgmlType.F32, new long[] {64, 512}, segment)
 *     .write(Path.of("out.gguf"));
 * }</pre>
 */
public final class GgufWriter {
    /** Default bytes per chunk handed to a {@link TensorSource} (rounded to whole rows). */
    public static final int DEFAULT_CHUNK_BYTES = 8 << 20;

    /**
     * Produces a tensor's bytes chunk by chunk while the file is written. Each chunk holds whole
     * rows (unless one row is larger than the chunk size, then one row at a time).
     */
    @FunctionalInterface
    public interface TensorSource {
        /**
         * Fills {@code chunk} (zeroed beforehand) with the tensor's bytes starting at
         * {@code byteOffset} within the tensor; the chunk's size is {@code chunk.byteSize()}.
         */
        void fill(MemorySegment chunk, long byteOffset) throws IOException;
    }

    private record Entry(String name, GgmlType type, long[] shape, long bytes, MemorySegment data, TensorSource source) {}

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private int chunkBytes = DEFAULT_CHUNK_BYTES;

    public GgufWriter() {}

    /**
     * A writer holding all of {@code file}'s metadata and tensors (data read from {@code file}
     * when written). A split model is merged: every part's tensors, without the {@code split.*}
     * keys, so the result is one ordinary file.
     */
    public static GgufWriter copyOf(GgufFile file) {
        GgufWriter w = new GgufWriter();
        w.putAll(file.metadata());
        if (file.parts().size() > 1) {
            w.remove("split.no").remove("split.count").remove("split.tensors.count");
        }
        for (GgufTensor t : file.tensors()) {
            w.addTensor(t);
        }
        return w;
    }

    /** Sets a metadata value; an existing key keeps its position and gets the new value. */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(value, "value");
        checkString(key, "metadata key");
        if (key.equals("general.alignment")) {
            checkAlignment(value);
        }
        metadata.put(key, value);
        return this;
    }

    /** Copies every entry of {@code md}, in its order. */
    public GgufWriter putAll(GgufMetadata md) {
        md.asMap().forEach(this::put);
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** The metadata collected so far, in write order (unmodifiable view). */
    public Map<String, GgufValue> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** Sets {@code general.alignment} (a power of two); 32 is the default when it is absent. */
    public GgufWriter alignment(int alignment) {
        return put("general.alignment", GgufValue.uint32(alignment));
    }

    /** The alignment the file will be written with. */
    public int alignment() {
        GgufValue v = metadata.get("general.alignment");
        return v == null ? GgufParser.DEFAULT_ALIGNMENT : (int) (long) (Long) v.raw();
    }

    /** Bytes per chunk for {@link TensorSource}s (default {@link #DEFAULT_CHUNK_BYTES}). */
    public GgufWriter chunkBytes(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        this.chunkBytes = bytes;
        return this;
    }

    /** Adds a tensor whose bytes are {@code data} (exactly the tensor's size; read when written). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        long bytes = checkTensor(name, type, shape);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': data has " + data.byteSize()
                    + " bytes, the " + type + " shape " + java.util.Arrays.toString(shape) + " needs " + bytes);
        }
        tensors.put(name, new Entry(name, type, shape.clone(), bytes, data, null));
        return this;
    }

    /** Adds a tensor whose bytes {@code source} produces chunk by chunk while the file is written. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorSource source) {
        Objects.requireNonNull(source, "source");
        long bytes = checkTensor(name, type, shape);
        tensors.put(name, new Entry(name, type, shape.clone(), bytes, null, source));
        return this;
    }

    /** Adds a tensor of another file (name, type, shape and data). */
    public GgufWriter addTensor(GgufTensor t) {
        return addTensor(t.name(), t.type(), t.shape(), t.data());
    }

    /** Number of tensors added. */
    public int tensorCount() {
        return tensors.size();
    }

    private long checkTensor(String name, GgmlType type, long[] shape) {
        Objects.requireNonNull(type, "type");
        checkString(name, "tensor name");
        if (name.getBytes(StandardCharsets.UTF_8).length >= GgufParser.MAX_NAME) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than "
                    + (GgufParser.MAX_NAME - 1) + " bytes");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (shape.length < 1 || shape.length > GgufParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "': " + shape.length + " dimensions (1.."
                    + GgufParser.MAX_DIMS + " allowed)");
        }
        long n = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "': dimension " + d + " must be positive");
            }
            n = Math.multiplyExact(n, d);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': ne0 " + shape[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        return type.bytes(n);
    }

    private static void checkString(String s, String what) {
        Objects.requireNonNull(s, what);
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))
                    && !(Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length()
                         && Character.isLowSurrogate(s.charAt(++i)))) {
                throw new IllegalArgumentException(what + " '" + s + "' has an unpaired surrogate (not UTF-8 encodable)");
            }
        }
    }

    private static void checkAlignment(GgufValue v) {
        if (v.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException("general.alignment must be UINT32, got " + v.typeName());
        }
        long a = (Long) v.raw();
        if (a == 0 || (a & (a - 1)) != 0 || a > GgufParser.MAX_ALIGNMENT) {
            throw new IllegalArgumentException("general.alignment " + a + " is not a power of two up to 2^30");
        }
    }

    /** Size in bytes of the file {@link #write} will produce. */
    public long fileSize() {
        long a = alignment();
        long size = 24;
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            size += 8 + utf8Length(e.getKey()) + 4 + valueSize(e.getValue());
        }
        for (Entry t : tensors.values()) {
            size += 8 + utf8Length(t.name) + 4 + 8L * t.shape.length + 4 + 8;
        }
        size = GgufParser.alignUp(size, a);
        for (Entry t : tensors.values()) {
            size += GgufParser.alignUp(t.bytes, a);
        }
        return size;
    }

    private static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static long valueSize(GgufValue v) {
        if (v.type() == GgufValueType.STRING) {
            return 8 + utf8Length((String) v.raw());
        }
        if (v.type() != GgufValueType.ARRAY) {
            return v.type().minBytes();
        }
        if (v.raw() instanceof String[] a) {
            long n = 12;
            for (String s : a) {
                n += 8 + utf8Length(s);
            }
            return n;
        }
        return 12 + (long) v.length() * Objects.requireNonNull(v.elementType()).minBytes();
    }

    /**
     * Writes the file. The bytes go to a temporary file in the target's folder, which replaces
     * {@code out} only once complete; on failure it is deleted and {@code out} is untouched.
     */
    public void write(Path out) throws IOException {
        Path abs = out.toAbsolutePath();
        // created like any new file (permissions from the umask, unlike Files.createTempFile's 0600)
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeTo(new GgufOutput(ch));
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void writeTo(GgufOutput o) throws IOException {
        int alignment = alignment();
        o.i32(0x46554747); // "GGUF"
        o.i32(3);
        o.i64(tensors.size());
        o.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            o.string(e.getKey());
            GgufValue v = e.getValue();
            o.i32(v.type().id());
            writeValue(o, v);
        }
        long offset = 0;
        for (Entry t : tensors.values()) {
            o.string(t.name);
            o.i32(t.shape.length);
            for (long d : t.shape) {
                o.i64(d);
            }
            o.i32(t.type.id());
            o.i64(offset);
            offset += GgufParser.alignUp(t.bytes, alignment);
        }
        pad(o, alignment);
        for (Entry t : tensors.values()) {
            long start = o.position();
            if (t.data != null) {
                o.segment(t.data);
            } else {
                writeChunks(o, t);
            }
            if (o.position() - start != t.bytes) {
                throw new IllegalStateException("tensor '" + t.name + "': wrote " + (o.position() - start)
                        + " bytes, expected " + t.bytes);
            }
            pad(o, alignment);
        }
        o.flush();
    }

    private void writeChunks(GgufOutput o, Entry t) throws IOException {
        long rowBytes = t.type.bytes(t.shape[0]);
        long rowsPerChunk = Math.max(1, chunkBytes / rowBytes);
        long chunk = Math.min(t.bytes, rowsPerChunk * rowBytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(chunk, 64);
            for (long p = 0; p < t.bytes; p += chunk) {
                MemorySegment c = buf.asSlice(0, Math.min(chunk, t.bytes - p));
                c.fill((byte) 0);
                t.source.fill(c, p);
                o.segment(c);
            }
        }
    }

    private static void pad(GgufOutput o, int alignment) throws IOException {
        o.zeros(GgufParser.alignUp(o.position(), alignment) - o.position());
    }

    private static void writeValue(GgufOutput o, GgufValue v) throws IOException {
        Object raw = v.raw();
        switch (v.type()) {
            case UINT8, INT8 -> o.u8((Integer) raw);
            case UINT16, INT16 -> o.i16((Integer) raw);
            case UINT32 -> o.i32((int) (long) (Long) raw);
            case INT32 -> o.i32((Integer) raw);
            case UINT64, INT64 -> o.i64((Long) raw);
            case FLOAT32 -> o.i32(Float.floatToRawIntBits((Float) raw));
            case FLOAT64 -> o.i64(Double.doubleToRawLongBits((Double) raw));
            case BOOL -> o.u8((Boolean) raw ? 1 : 0);
            case STRING -> o.string((String) raw);
            case ARRAY -> writeArray(o, Objects.requireNonNull(v.elementType()), raw);
        }
    }

    private static void writeArray(GgufOutput o, GgufValueType et, Object raw) throws IOException {
        o.i32(et.id());
        o.i64(java.lang.reflect.Array.getLength(raw));
        switch (raw) {
            case byte[] a -> o.bytes(a);
            case boolean[] a -> {
                for (boolean b : a) {
                    o.u8(b ? 1 : 0);
                }
            }
            case short[] a -> {
                for (short x : a) {
                    o.i16(x);
                }
            }
            case int[] a -> {
                for (int x : a) {
                    o.i32(x);
                }
            }
            case long[] a -> {
                for (long x : a) {
                    o.i64(x);
                }
            }
            case float[] a -> {
                for (float x : a) {
                    o.i32(Float.floatToRawIntBits(x));
                }
            }
            case double[] a -> {
                for (double x : a) {
                    o.i64(Double.doubleToRawLongBits(x));
                }
            }
            case String[] a -> {
                for (String s : a) {
                    o.string(s);
                }
            }
            default -> throw new IllegalStateException("unexpected array " + raw.getClass());
        }
    }

    /** Tensor names in write order. */
    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }
}
