package io.jllm.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The integer fields of a valid GGUF file (offset and width), found by walking it independently
 * of the reader: header counts, key and string lengths, value types, array element types and
 * counts, scalar values, and every field of every tensor record. {@link #structural()} leaves out
 * the length fields of string-array elements, which dominate vocabulary files.
 */
record FieldMap(List<long[]> all, List<long[]> structural) {
    static FieldMap of(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<long[]> all = new ArrayList<>();
        List<long[]> structural = new ArrayList<>();
        int[] sizes = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
        add(all, structural, 4, 4, true);
        add(all, structural, 8, 8, true);
        add(all, structural, 16, 8, true);
        long nTensors = b.getLong(8);
        long nKv = b.getLong(16);
        int p = 24;
        for (long i = 0; i < nKv; i++) {
            add(all, structural, p, 8, true);
            p += 8 + (int) b.getLong(p);
            add(all, structural, p, 4, true);
            int type = b.getInt(p);
            p += 4;
            if (type == 8) {
                add(all, structural, p, 8, true);
                p += 8 + (int) b.getLong(p);
            } else if (type == 9) {
                add(all, structural, p, 4, true);
                int et = b.getInt(p);
                add(all, structural, p + 4, 8, true);
                long n = b.getLong(p + 4);
                p += 12;
                for (long j = 0; j < n; j++) {
                    if (et == 8) {
                        add(all, structural, p, 8, j < 4);
                        p += 8 + (int) b.getLong(p);
                    } else {
                        if (j < 4 && sizes[et] >= 4) {
                            add(all, structural, p, sizes[et], true);
                        }
                        p += sizes[et];
                    }
                }
            } else {
                if (sizes[type] >= 4) {
                    add(all, structural, p, sizes[type], true);
                }
                p += sizes[type];
            }
        }
        for (long i = 0; i < nTensors; i++) {
            add(all, structural, p, 8, true);
            p += 8 + (int) b.getLong(p);
            add(all, structural, p, 4, true);
            int nDims = b.getInt(p);
            p += 4;
            for (int d = 0; d < nDims; d++) {
                add(all, structural, p, 8, true);
                p += 8;
            }
            add(all, structural, p, 4, true);
            add(all, structural, p + 4, 8, true);
            p += 12;
        }
        return new FieldMap(all, structural);
    }

    private static void add(List<long[]> all, List<long[]> structural, long at, int width, boolean isStructural) {
        long[] f = {at, width};
        all.add(f);
        if (isStructural) {
            structural.add(f);
        }
    }
}
