package io.jllm.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file: name, type, shape (ne0 first, exactly n_dims entries), offset
 * relative to its file's data section, unpadded byte size, and a read-only slice of the mapped
 * file holding its data (valid until the {@link GgufFile} is closed).
 */
public final class GgufTensor {
    private final String name;
    private final GgmlType type;
    private final long[] shape;
    private final long offset;
    private final long byteSize;
    private final MemorySegment data;

    public GgufTensor(String name, GgmlType type, long[] shape, long offset, long byteSize, MemorySegment data) {
        this.name = name;
        this.type = type;
        this.shape = shape.clone();
        this.offset = offset;
        this.byteSize = byteSize;
        this.data = data;
    }

    public String name() {
        return name;
    }

    public GgmlType type() {
        return type;
    }

    /** The dimensions, ne0 (contiguous) first; a copy. */
    public long[] shape() {
        return shape.clone();
    }

    public int nDims() {
        return shape.length;
    }

    /** ne[i], or 1 for i ≥ n_dims. */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Number of rows: the product of all dimensions but the first. */
    public long rows() {
        return elementCount() / dim(0);
    }

    /** Bytes of one row (ne0 elements). */
    public long rowBytes() {
        return type.bytes(dim(0));
    }

    /** Offset of the data relative to the start of its file's data section. */
    public long offset() {
        return offset;
    }

    public long byteSize() {
        return byteSize;
    }

    /** The tensor's bytes, mapped from the file (read-only; no copy). */
    public MemorySegment data() {
        return data;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
