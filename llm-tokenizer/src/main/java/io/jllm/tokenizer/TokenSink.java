package io.jllm.tokenizer;

import java.util.Arrays;

/** Where encoders put ids: a growable int list, or a counter that stores nothing. */
final class TokenSink {
    private int[] ids;
    private int size;
    private final boolean countOnly;

    TokenSink(boolean countOnly) {
        this.countOnly = countOnly;
        this.ids = countOnly ? new int[0] : new int[64];
    }

    void add(int id) {
        if (!countOnly) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[size] = id;
        }
        size++;
    }

    void clear() {
        size = 0;
    }

    int size() {
        return size;
    }

    /** The id at i (list mode only). */
    int get(int i) {
        return ids[i];
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
