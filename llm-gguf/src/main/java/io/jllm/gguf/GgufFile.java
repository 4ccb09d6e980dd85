package io.jllm.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
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
 * An open GGUF model: metadata and tensors, with tensor data memory-mapped (never copied).
 * Everything is validated at {@link #open}; a malformed file fails there with a
 * {@link GgufFormatException}. A split model ({@code NAME-00001-of-00003.gguf}) opened through
 * its first part is presented as one file. Thread-safe for reading; {@link #close()} unmaps
 * the data, after which tensor segments must not be used.
 */
public final class GgufFile implements AutoCloseable {
    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    private final Path path;
    private final Arena arena;
    private final int version;
    private final int alignment;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensor> tensors;
    private final List<Path> parts;

    private GgufFile(Path path, Arena arena, int version, int alignment, GgufMetadata metadata,
                     Map<String, GgufTensor> tensors, List<Path> parts) {
        this.path = path;
        this.arena = arena;
        this.version = version;
        this.alignment = alignment;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.parts = List.copyOf(parts);
    }

    /** Maps and validates {@code path} (and, for a split model, its other parts). */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            GgufParser.Parsed first = GgufParser.parse(map(path, arena), path);
            List<Path> parts = new ArrayList<>(List.of(path));
            Map<String, GgufTensor> all = new LinkedHashMap<>();
            for (GgufTensor t : first.tensors()) {
                all.put(t.name(), t);
            }
            GgufValue countValue = first.metadata().get("split.count");
            int count = countValue == null ? 1 : asInt(countValue);
            if (count > 1) {
                openSplitParts(path, arena, first, count, parts, all);
            }
            GgufMetadata md = new GgufMetadata(first.metadata(), path.getFileName().toString());
            return new GgufFile(path, arena, first.version(), first.alignment(), md, all, parts);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static void openSplitParts(Path path, Arena arena, GgufParser.Parsed first, int count,
                                       List<Path> parts, Map<String, GgufTensor> all) throws IOException {
        GgufValue no = first.metadata().get("split.no");
        if (no != null && asInt(no) != 0) {
            throw new GgufFormatException(path, 0, "metadata 'split.no'", "this is part " + (asInt(no) + 1)
                    + " of " + count + "; open the first part");
        }
        Matcher m = SPLIT_NAME.matcher(path.getFileName().toString());
        if (!m.matches()) {
            throw new GgufFormatException(path, 0, "metadata 'split.count'", "split model (" + count
                    + " parts) but the file name is not NAME-00001-of-" + String.format("%05d", count) + ".gguf");
        }
        for (int i = 1; i < count; i++) {
            Path p = path.resolveSibling(String.format("%s-%05d-of-%05d.gguf", m.group(1), i + 1, count));
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString(), null, "split part " + (i + 1) + " of " + count + " is missing");
            }
            GgufParser.Parsed part = GgufParser.parse(map(p, arena), p);
            GgufValue pno = part.metadata().get("split.no");
            if (pno == null || asInt(pno) != i) {
                throw new GgufFormatException(p, 0, "metadata 'split.no'", "expected split.no " + i);
            }
            for (GgufTensor t : part.tensors()) {
                if (all.putIfAbsent(t.name(), t) != null) {
                    throw new GgufFormatException(p, 0, "tensor '" + t.name() + "'", "tensor appears in two split parts");
                }
            }
            parts.add(p);
        }
        GgufValue total = first.metadata().get("split.tensors.count");
        if (total != null && asInt(total) != all.size()) {
            throw new GgufFormatException(path, 0, "metadata 'split.tensors.count'", "says " + asInt(total)
                    + " tensors but the parts hold " + all.size());
        }
    }

    private static int asInt(GgufValue v) {
        if (!v.type().isInteger()) {
            throw new IllegalArgumentException("expected an integer, found " + v.typeName());
        }
        long l = ((Number) v.raw()).longValue();
        if (l < 0 || l > 1_000_000) {
            throw new IllegalArgumentException("value " + l + " out of range");
        }
        return (int) l;
    }

    private static MemorySegment map(Path p, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return MemorySegment.ofArray(new byte[0]);
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }

    public Path path() {
        return path;
    }

    /** The files this model was read from (one, or every part of a split model). */
    public List<Path> parts() {
        return parts;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
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

    /** Unmaps the file(s). Tensor segments obtained from this file become invalid. */
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
