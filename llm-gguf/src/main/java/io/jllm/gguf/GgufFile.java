package io.jllm.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An open GGUF model: metadata and tensors. {@link #open} memory-maps the file (tensor data is
 * never copied); {@link #read} copies it into off-heap memory instead, for callers who do not want
 * a mapping. Everything is validated when the file is opened; a malformed file fails there with a
 * {@link GgufFormatException} naming the file, the byte offset and the field, and afterwards no
 * tensor segment can reach outside the file. A split model ({@code NAME-00001-of-00003.gguf})
 * opened through its first part is presented as one file. Thread-safe for reading;
 * {@link #close()} releases the memory, after which tensor segments must not be used.
 */
public final class GgufFile implements AutoCloseable {
    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");
    private static final int MAX_SPLIT_COUNT = 99_999;

    private final Path path;
    private final Arena arena;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensor> tensors;
    private final List<Path> parts;
    private final Map<String, Integer> partOf;
    /** The file mappings (empty for {@link #read}), for {@link #release}. */
    private final List<MemorySegment> mappings;

    private GgufFile(Path path, Arena arena, GgufParser.Parsed first, GgufMetadata metadata,
                     Map<String, GgufTensor> tensors, List<Path> parts, Map<String, Integer> partOf,
                     List<MemorySegment> mappings) {
        this.path = path;
        this.arena = arena;
        this.version = first.version();
        this.alignment = first.alignment();
        this.dataOffset = first.dataStart();
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.parts = List.copyOf(parts);
        this.partOf = Map.copyOf(partOf);
        this.mappings = List.copyOf(mappings);
    }

    /** Maps and validates {@code path} (and, for a split model, its other parts). */
    public static GgufFile open(Path path) throws IOException {
        return load(path, true);
    }

    /**
     * Reads {@code path} (and, for a split model, its other parts) into off-heap memory owned by
     * the returned file, with the same validation as {@link #open}. Needs as much free native
     * memory as the file is large; use it where memory mapping is unwanted.
     */
    public static GgufFile read(Path path) throws IOException {
        return load(path, false);
    }

    private static GgufFile load(Path path, boolean mmap) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            List<MemorySegment> mappings = new ArrayList<>();
            GgufParser.Parsed first = GgufParser.parse(segment(path, arena, mmap, mappings), path);
            List<Path> parts = new ArrayList<>(List.of(path));
            Map<String, GgufTensor> all = new LinkedHashMap<>();
            Map<String, Integer> partOf = new java.util.HashMap<>();
            for (GgufTensor t : first.tensors()) {
                all.put(t.name(), t);
            }
            int count = splitValue(path, first, "split.count", 1);
            if (count > 1) {
                openSplitParts(path, arena, mmap, mappings, first, count, parts, all, partOf);
            }
            GgufMetadata md = new GgufMetadata(first.metadata(), path.getFileName().toString());
            return new GgufFile(path, arena, first, md, all, parts, partOf, mappings);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static void openSplitParts(Path path, Arena arena, boolean mmap, List<MemorySegment> mappings,
                                       GgufParser.Parsed first, int count,
                                       List<Path> parts, Map<String, GgufTensor> all, Map<String, Integer> partOf)
            throws IOException {
        int no = splitValue(path, first, "split.no", 0);
        if (no != 0) {
            throw new GgufFormatException(path, first.valueOffsets().get("split.no"), "metadata 'split.no'",
                    "this is part " + (no + 1) + " of " + count + "; open the first part");
        }
        Matcher m = SPLIT_NAME.matcher(path.getFileName().toString());
        if (!m.matches()) {
            throw new GgufFormatException(path, first.valueOffsets().get("split.count"), "metadata 'split.count'",
                    "split model (" + count + " parts) but the file name is not NAME-00001-of-"
                            + String.format("%05d", count) + ".gguf");
        }
        for (int i = 1; i < count; i++) {
            Path p = path.resolveSibling(String.format("%s-%05d-of-%05d.gguf", m.group(1), i + 1, count));
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString(), null, "split part " + (i + 1) + " of " + count
                        + " is missing");
            }
            GgufParser.Parsed part = GgufParser.parse(segment(p, arena, mmap, mappings), p);
            int pno = splitValue(p, part, "split.no", -1);
            if (pno != i) {
                Long at = part.valueOffsets().get("split.no");
                throw new GgufFormatException(p, at == null ? 0 : at, "metadata 'split.no'",
                        "expected split.no " + i + ", found " + (pno < 0 ? "none" : pno));
            }
            for (GgufTensor t : part.tensors()) {
                if (all.putIfAbsent(t.name(), t) != null) {
                    throw new GgufFormatException(p, 0, "tensor '" + t.name() + "'",
                            "tensor appears in two split parts");
                }
                partOf.put(t.name(), i);
            }
            parts.add(p);
        }
        GgufValue total = first.metadata().get("split.tensors.count");
        if (total != null) {
            int n = splitValue(path, first, "split.tensors.count", 0);
            if (n != all.size()) {
                throw new GgufFormatException(path, first.valueOffsets().get("split.tensors.count"),
                        "metadata 'split.tensors.count'", "says " + n + " tensors but the parts hold " + all.size());
            }
        }
    }

    /** A split.* integer in 0..99999, {@code def} when absent; anything else is a format error. */
    private static int splitValue(Path file, GgufParser.Parsed parsed, String key, int def) throws GgufFormatException {
        GgufValue v = parsed.metadata().get(key);
        if (v == null) {
            return def;
        }
        long at = parsed.valueOffsets().get(key);
        if (!v.type().isInteger()) {
            throw new GgufFormatException(file, at, "metadata '" + key + "'", "expected an integer, found "
                    + v.typeName());
        }
        long l = ((Number) v.raw()).longValue();
        if (l < 0 || l > MAX_SPLIT_COUNT) {
            throw new GgufFormatException(file, at, "metadata '" + key + "'", "value "
                    + (v.type() == GgufValueType.UINT64 ? Long.toUnsignedString(l) : l) + " is out of range 0.."
                    + MAX_SPLIT_COUNT);
        }
        return (int) l;
    }

    private static MemorySegment segment(Path p, Arena arena, boolean mmap, List<MemorySegment> mappings)
            throws IOException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString(), null, "no such file");
        }
        if (Files.isDirectory(p)) {
            throw new FileSystemException(p.toString(), null, "is a directory, not a GGUF file");
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return MemorySegment.ofArray(new byte[0]);
            }
            if (mmap) {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                mappings.add(mapped);
                return asNativeSegment(mapped, arena);
            }
            MemorySegment seg;
            try {
                seg = arena.allocate(size, 64);
            } catch (OutOfMemoryError e) {
                throw new IOException(p.getFileName() + ": not enough memory to read " + size
                        + " bytes (use GgufFile.open to map the file instead)", e);
            }
            long pos = 0;
            while (pos < size) {
                int n = (int) Math.min(size - pos, 1 << 30);
                ByteBuffer buf = seg.asSlice(pos, n).asByteBuffer();
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) {
                        throw new IOException(p.getFileName() + ": file shrank while being read");
                    }
                }
                pos += n;
            }
            return seg.asReadOnly();
        }
    }

    /**
     * The mapping as a plain native segment over the same pages (same arena, read-only) where this
     * module may use restricted methods ({@code --enable-native-access}); otherwise unchanged.
     * Why: every segment the SIMD kernels read (activations, KV cache, repacked weights) is a
     * native segment. A mapped one is a second implementation class, and C2 compiles the Vector
     * API's shared load paths for the classes it has seen in the whole JVM: once both are seen
     * (prompt kernels reading the file, decode kernels reading the repack), every vector load in
     * the decode loops carries a type switch, and token generation after a prompt ran 25–35% slower.
     */
    private static MemorySegment asNativeSegment(MemorySegment mapped, Arena arena) {
        if (!GgufFile.class.getModule().isNativeAccessEnabled()) {
            return mapped;
        }
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null).asReadOnly();
    }

    /**
     * Lets the pages holding {@code tensor}'s data leave this process's resident memory, for a
     * caller that keeps its own copy of the tensor (a repacked layout) and will not read these
     * bytes again. The data stays valid: pages that are read again come back from the file (the
     * OS page cache). Pages shared with a neighbouring tensor are released too and likewise come
     * back when read. No effect on a file loaded with {@link #read} or an empty tensor.
     *
     * @throws IllegalArgumentException if {@code tensor} is not one of this file's tensors
     * @throws IllegalStateException if the file is closed
     */
    public void release(GgufTensor tensor) {
        if (tensors.get(tensor.name()) != tensor) {
            throw new IllegalArgumentException(path.getFileName() + ": tensor '" + tensor.name()
                    + "' is not from this file");
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(path.getFileName() + ": file is closed");
        }
        long at = tensor.data().address();
        for (MemorySegment m : mappings) {
            long off = at - m.address();
            if (off >= 0 && off + tensor.byteSize() <= m.byteSize() && tensor.byteSize() > 0) {
                m.asSlice(off, tensor.byteSize()).unload();
                return;
            }
        }
    }

    public Path path() {
        return path;
    }

    /** The files this model was read from (one, or every part of a split model). */
    public List<Path> parts() {
        return parts;
    }

    /**
     * Index in {@link #parts()} of the file holding {@code tensor} (0 unless split); its
     * {@link GgufTensor#offset()} is relative to that part's data section.
     */
    public int partOf(GgufTensor tensor) {
        if (tensors.get(tensor.name()) != tensor) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is not from " + path.getFileName());
        }
        return partOf.getOrDefault(tensor.name(), 0);
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute byte offset of the (first part's) data section; tensor offsets are relative to it. */
    public long dataOffset() {
        return dataOffset;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** All tensors, in file order (parts in order for a split model). */
    public List<GgufTensor> tensors() {
        return List.copyOf(tensors.values());
    }

    public @Nullable GgufTensor findTensor(String name) {
        return tensors.get(name);
    }

    /** The named tensor, or an exception naming it and the file. */
    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new NoSuchElementException(path.getFileName() + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /** The architecture ({@code general.architecture}), or null for vocabulary-only files without it. */
    public @Nullable String architecture() {
        return metadata.getString("general.architecture", null);
    }

    /** Unmaps (or frees) the file(s). Tensor segments obtained from this file become invalid. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
