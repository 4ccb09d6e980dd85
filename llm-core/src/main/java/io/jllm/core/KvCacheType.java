package io.jllm.core;

/** Element type of the KV cache. */
public enum KvCacheType {
    /**
     * Half precision (llama.cpp's default): K and V are stored as fp16, and, as llama.cpp does
     * without flash attention, the query is rounded to fp16 for Q·K and the softmax
     * probabilities are rounded to fp16 for the weighted sum of V.
     */
    F16(2),
    /** Single precision: no rounding anywhere in attention; twice the memory. */
    F32(4);

    private final int bytes;

    KvCacheType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
