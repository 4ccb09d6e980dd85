package io.jllm.core;

/**
 * How a model is loaded and how its sessions run. Immutable; build with {@link #builder()}.
 *
 * @param threads       worker threads per session for matrix products and attention (≥ 1)
 * @param contextLength tokens a session can hold; 0 = the model's training context
 * @param kvCacheType   KV-cache element type (default {@link KvCacheType#F16}, as llama.cpp)
 * @param mmap          map the file (default) instead of reading the weights into memory
 * @param ubatch        the most prompt tokens processed as one batch (default 512)
 */
public record ModelOptions(int threads, int contextLength, KvCacheType kvCacheType, boolean mmap, int ubatch) {
    public ModelOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length must be ≥ 0, got " + contextLength);
        }
        if (ubatch < 1) {
            throw new IllegalArgumentException("ubatch must be at least 1, got " + ubatch);
        }
        if (kvCacheType == null) {
            throw new IllegalArgumentException("kvCacheType is null");
        }
    }

    /** The defaults: all available processors, the model's context, F16 cache, mmap, ubatch 512. */
    public static ModelOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().threads(threads).contextLength(contextLength).kvCacheType(kvCacheType).mmap(mmap)
                .ubatch(ubatch);
    }

    /** Builder for {@link ModelOptions}. */
    public static final class Builder {
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int contextLength;
        private KvCacheType kvCacheType = KvCacheType.F16;
        private boolean mmap = true;
        private int ubatch = 512;

        private Builder() {}

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder contextLength(int contextLength) {
            this.contextLength = contextLength;
            return this;
        }

        public Builder kvCacheType(KvCacheType type) {
            this.kvCacheType = type;
            return this;
        }

        public Builder mmap(boolean mmap) {
            this.mmap = mmap;
            return this;
        }

        public Builder ubatch(int ubatch) {
            this.ubatch = ubatch;
            return this;
        }

        public ModelOptions build() {
            return new ModelOptions(threads, contextLength, kvCacheType, mmap, ubatch);
        }
    }
}
