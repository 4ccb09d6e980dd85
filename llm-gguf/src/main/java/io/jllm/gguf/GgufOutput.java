package io.jllm.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Buffered little-endian output to a file channel: small fields go through a heap buffer, large
 * segments are written straight from their memory. Tracks the absolute file position.
 */
final class GgufOutput {
    private static final int BUFFER = 1 << 20;
    private static final int MAX_WRITE = 1 << 30;

    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long written;

    GgufOutput(FileChannel ch) {
        this.ch = ch;
    }

    /** Bytes written so far (including what is still buffered). */
    long position() {
        return written + buf.position();
    }

    private ByteBuffer room(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
        return buf;
    }

    void u8(int v) throws IOException {
        room(1).put((byte) v);
    }

    void i16(int v) throws IOException {
        room(2).putShort((short) v);
    }

    void i32(int v) throws IOException {
        room(4).putInt(v);
    }

    void i64(long v) throws IOException {
        room(8).putLong(v);
    }

    void bytes(byte[] b) throws IOException {
        if (b.length <= buf.capacity()) {
            room(b.length).put(b);
        } else {
            flush();
            writeFully(ByteBuffer.wrap(b));
        }
    }

    /** A GGUF string: uint64 byte length and the UTF-8 bytes. */
    void string(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i64(b.length);
        bytes(b);
    }

    void zeros(long n) throws IOException {
        while (n > 0) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int k = (int) Math.min(n, buf.remaining());
            java.util.Arrays.fill(buf.array(), buf.position(), buf.position() + k, (byte) 0);
            buf.position(buf.position() + k);
            n -= k;
        }
    }

    /**
     * Writes the segment's bytes (any size, any backing). Native segments larger than the buffer
     * are written straight from memory; others are copied through the buffer.
     */
    void segment(MemorySegment seg) throws IOException {
        long size = seg.byteSize();
        if (seg.isNative() && size > buf.remaining()) {
            flush();
            for (long p = 0; p < size; p += MAX_WRITE) {
                writeFully(seg.asSlice(p, Math.min(MAX_WRITE, size - p)).asByteBuffer());
            }
            return;
        }
        MemorySegment target = MemorySegment.ofArray(buf.array());
        for (long p = 0; p < size; ) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int n = (int) Math.min(buf.remaining(), size - p);
            MemorySegment.copy(seg, p, target, buf.position(), n);
            buf.position(buf.position() + n);
            p += n;
        }
    }

    void flush() throws IOException {
        buf.flip();
        writeFully(buf);
        buf.clear();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            written += ch.write(b);
        }
    }
}
