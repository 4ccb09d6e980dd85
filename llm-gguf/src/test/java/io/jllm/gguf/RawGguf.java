package io.jllm.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds GGUF bytes field by field, with no validation, to craft malformed files in tests. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3 and the two counts. */
    static RawGguf header(long nTensors, long nKv) {
        return new RawGguf().raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(nTensors).u64(nKv);
    }

    int pos() {
        return out.size();
    }

    RawGguf raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u16(int v) {
        return raw(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
    }

    RawGguf u32(long v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    RawGguf u64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    /** A key with a UINT32 value. */
    RawGguf kvU32(String key, long v) {
        return str(key).u32(4).u32(v);
    }

    RawGguf kvStr(String key, String v) {
        return str(key).u32(8).str(v);
    }

    /** A tensor record. */
    RawGguf tensor(String name, long[] ne, int type, long offset) {
        str(name).u32(ne.length);
        for (long d : ne) {
            u64(d);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code a}. */
    RawGguf pad(int a) {
        while (out.size() % a != 0) {
            out.write(0);
        }
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
