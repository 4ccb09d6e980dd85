package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufValueType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GGUF v3 writer that streams tensor data chunk by chunk (whole rows per chunk) from a
 * {@link Source}, so a model never sits on the heap. Layout as gguf-py writes it: header,
 * metadata, tensor records, padding to 32, each tensor's data padded to 32.
 */
final class StreamingGgufWriter {
    static final int ALIGNMENT = 32;

    /** Fills one chunk (whole rows) of a tensor's bytes, starting {@code byteOffset} into the tensor. */
    @FunctionalInterface
    interface Source {
        void fill(MemorySegment chunk, long byteOffset) throws IOException;
    }

    record Entry(String name, GgmlType type, long[] shape, long bytes, Source source) {}

    private final Map<String, GgufValue> metadata;
    private final List<Entry> tensors = new ArrayList<>();
    private final int chunkBytes;

    StreamingGgufWriter(Map<String, GgufValue> metadata, int chunkBytes) {
        this.metadata = metadata;
        this.chunkBytes = chunkBytes;
    }

    void add(String name, GgmlType type, long[] shape, Source source) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        tensors.add(new Entry(name, type, shape.clone(), type.bytes(n), source));
    }

    /** Total bytes of tensor data (with padding). */
    long dataBytes() {
        long total = 0;
        for (Entry e : tensors) {
            total += pad(e.bytes());
        }
        return total;
    }

    void write(Path out) throws IOException {
        Path abs = out.toAbsolutePath();
        Path dir = abs.getParent() == null ? Path.of(".") : abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        boolean done = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             Arena arena = Arena.ofShared()) {
            Header h = new Header();
            h.i32(0x46554747).i32(3).i64(tensors.size()).i64(metadata.size());
            for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
                h.str(e.getKey());
                h.i32(e.getValue().type().id());
                h.value(e.getValue());
            }
            long offset = 0;
            for (Entry e : tensors) {
                h.str(e.name()).i32(e.shape().length);
                for (long d : e.shape()) {
                    h.i64(d);
                }
                h.i32(e.type().id()).i64(offset);
                offset += pad(e.bytes());
            }
            h.padTo(ALIGNMENT);
            writeFully(ch, h.buffer());
            MemorySegment chunk = arena.allocate(chunkBytes, 64);
            for (Entry e : tensors) {
                long rowBytes = e.type().bytes(e.shape()[0]);
                long rowsPerChunk = Math.max(1, chunkBytes / rowBytes);
                for (long at = 0; at < e.bytes(); ) {
                    long len = Math.min(e.bytes() - at, rowsPerChunk * rowBytes);
                    MemorySegment part = len <= chunkBytes ? chunk.asSlice(0, len) : arena.allocate(len, 64);
                    part.fill((byte) 0);
                    e.source().fill(part, at);
                    writeFully(ch, part.asByteBuffer());
                    at += len;
                }
                long padding = pad(e.bytes()) - e.bytes();
                if (padding > 0) {
                    writeFully(ch, ByteBuffer.allocate((int) padding));
                }
            }
        }
        try {
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    static long pad(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The header, metadata and tensor records, built in memory (small: no tensor data). */
    private static final class Header {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                b.put(buf);
                buf = b;
            }
        }

        Header i32(int v) {
            room(4);
            buf.putInt(v);
            return this;
        }

        Header i64(long v) {
            room(8);
            buf.putLong(v);
            return this;
        }

        Header str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            room(b.length);
            buf.put(b);
            return this;
        }

        void value(GgufValue v) {
            if (v.type() == GgufValueType.ARRAY) {
                GgufValueType et = java.util.Objects.requireNonNull(v.elementType());
                i32(et.id());
                i64(v.length());
                Object a = v.value();
                int n = v.length();
                for (int i = 0; i < n; i++) {
                    scalar(et, java.lang.reflect.Array.get(a, i));
                }
            } else {
                scalar(v.type(), v.value());
            }
        }

        private void scalar(GgufValueType t, Object o) {
            switch (t) {
                case UINT8, INT8 -> {
                    room(1);
                    buf.put(((Number) o).byteValue());
                }
                case UINT16, INT16 -> {
                    room(2);
                    buf.putShort(((Number) o).shortValue());
                }
                case UINT32, INT32 -> i32(((Number) o).intValue());
                case UINT64, INT64 -> i64(((Number) o).longValue());
                case FLOAT32 -> {
                    room(4);
                    buf.putFloat(((Number) o).floatValue());
                }
                case FLOAT64 -> {
                    room(8);
                    buf.putDouble(((Number) o).doubleValue());
                }
                case BOOL -> {
                    room(1);
                    buf.put((byte) (((Boolean) o) ? 1 : 0));
                }
                case STRING -> str((String) o);
                case ARRAY -> throw new IllegalArgumentException("nested arrays are not allowed in GGUF");
            }
        }

        void padTo(int alignment) {
            int p = (int) (pad(buf.position()) - buf.position());
            room(p);
            buf.put(new byte[p]);
        }

        ByteBuffer buffer() {
            ByteBuffer b = buf.duplicate();
            b.flip();
            return b;
        }
    }
}
