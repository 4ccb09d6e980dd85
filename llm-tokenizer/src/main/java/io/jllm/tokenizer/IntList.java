package io.jllm.tokenizer;

import java.util.Arrays;

/** A minimal growable int array (piece boundaries, scratch). */
final class IntList {
    int[] a;
    int size;

    IntList(int cap) {
        a = new int[Math.max(4, cap)];
    }

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[size++] = v;
    }

    void clear() {
        size = 0;
    }
}
