package io.jllm.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A bounds-checked little-endian reader over a mapped file. Every read checks the remaining
 * length first and fails with a {@link GgufFormatException} naming the field and its offset,
 * so no length from the file is trusted before it is checked against the file size.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final Path file;
    private long pos;

    GgufCursor(MemorySegment seg, Path file) {
        this.seg = seg;
        this.file = file;
    }

    long pos() {
        return pos;
    }

    MemorySegment segment() {
        return seg;
    }

    long size() {
        return seg.byteSize();
    }

    long remaining() {
        return seg.byteSize() - pos;
    }

    GgufFormatException error(long at, String field, String problem) {
        return new GgufFormatException(file, at, field, problem);
    }

    void need(long n, String field) throws GgufFormatException {
        if (n < 0 || n > remaining()) {
            throw error(pos, field, "needs " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes but only "
                    + remaining() + " remain (file truncated or length corrupt)");
        }
    }

    byte i8(String field) throws GgufFormatException {
        need(1, field);
        return seg.get(ValueLayout.JAVA_BYTE, pos++);
    }

    short i16(String field) throws GgufFormatException {
        need(2, field);
        short v = seg.get(U16, pos);
        pos += 2;
        return v;
    }

    int i32(String field) throws GgufFormatException {
        need(4, field);
        int v = seg.get(I32, pos);
        pos += 4;
        return v;
    }

    long i64(String field) throws GgufFormatException {
        need(8, field);
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    float f32(String field) throws GgufFormatException {
        need(4, field);
        float v = seg.get(F32, pos);
        pos += 4;
        return v;
    }

    double f64(String field) throws GgufFormatException {
        need(8, field);
        double v = seg.get(F64, pos);
        pos += 8;
        return v;
    }

    /** A uint64 length-prefixed UTF-8 string; the length is checked before anything is allocated. */
    String string(String field) throws GgufFormatException {
        return string(field, -1, Integer.MAX_VALUE - 16, null);
    }

    /**
     * A uint64 length-prefixed UTF-8 string of at most {@code maxLen} bytes. The length is checked
     * against the bytes left in the file, {@code maxLen} and the heap budget before anything is
     * allocated. {@code index} ≥ 0 names an array element ({@code field[index]}) in errors; field
     * names are only built when there is an error.
     */
    String string(String field, long index, int maxLen, GgufParser.@Nullable Budget budget)
            throws GgufFormatException {
        long at = pos;
        if (remaining() < 8) {
            throw error(at, name(field, index) + " length", "needs 8 bytes but only " + remaining()
                    + " remain (file truncated or length corrupt)");
        }
        long len = seg.get(I64, pos);
        pos += 8;
        if (len < 0 || len > remaining()) {
            throw error(at, name(field, index), "string length " + Long.toUnsignedString(len) + " exceeds the "
                    + remaining() + " bytes left in the file");
        }
        if (len > maxLen) {
            throw error(at, name(field, index), "string length " + len + " is over the limit of " + maxLen
                    + " bytes");
        }
        if (len == 0) {
            return "";
        }
        if (budget != null) {
            budget.charge(this, at, field, 48 + 2 * len);
        }
        byte[] b = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, (int) len);
        pos += len;
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String name(String field, long index) {
        return index < 0 ? field : field + "[" + index + "]";
    }

    void seek(long p) {
        pos = p;
    }
}
