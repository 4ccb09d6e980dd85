package io.jllm.core;

import io.jllm.core.sample.SamplerParams;
import java.util.List;

/**
 * Settings of one generation. Defaults follow llama.cpp's common sampler (temperature 0.8,
 * top-k 40, top-p 0.95, min-p 0.05, repeat penalty off over the last 64 tokens), 128 tokens,
 * a random seed. Immutable; build with {@link #builder()}.
 *
 * @param maxTokens  the most tokens to generate
 * @param seed       seed of the random draw; negative means a random seed
 * @param ignoreEos  keep generating past an end-of-generation token
 * @param stopStrings generation stops when the text contains one (it is cut off)
 * @param logprobs   report each token's log-probability
 * @param contextShiftKeep when the context fills up, keep this many leading tokens, drop half of the
 *                   rest and go on (llama.cpp's context shift); negative (default) = stop with
 *                   {@link StopReason#CONTEXT_FULL}
 */
public record GenerateOptions(int maxTokens, float temperature, int topK, float topP, float minP, float repeatPenalty,
                              int repeatLastN, float frequencyPenalty, float presencePenalty, long seed,
                              boolean ignoreEos, List<String> stopStrings, boolean logprobs, int contextShiftKeep) {
    public GenerateOptions {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be ≥ 0, got " + maxTokens);
        }
        if (repeatLastN < 0) {
            throw new IllegalArgumentException("repeatLastN must be ≥ 0, got " + repeatLastN);
        }
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty stop string");
            }
        }
    }

    /** Greedy decoding (temperature 0) of up to {@code maxTokens} tokens. */
    public static GenerateOptions greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The sampler settings, with the seed resolved. */
    SamplerParams samplerParams() {
        long s = seed < 0 ? System.nanoTime() ^ 0x9E3779B97F4A7C15L : seed;
        return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, s & 0xffffffffL);
    }

    /** Whether a full context is shifted instead of ending generation. */
    public boolean contextShift() {
        return contextShiftKeep >= 0;
    }

    /** Builder for {@link GenerateOptions}. */
    public static final class Builder {
        private int maxTokens = 128;
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float repeatPenalty = 1.0f;
        private int repeatLastN = 64;
        private float frequencyPenalty;
        private float presencePenalty;
        private long seed = -1;
        private boolean ignoreEos;
        private List<String> stopStrings = List.of();
        private boolean logprobs;
        private int contextShiftKeep = -1;

        private Builder() {}

        /**
         * When the context fills up during generation, keep the first {@code keep} tokens (e.g. 1
         * for BOS), drop half of the others and continue; negative turns it off (default).
         */
        public Builder contextShift(int keep) {
            contextShiftKeep = keep;
            return this;
        }

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder temperature(float v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(float v) {
            topP = v;
            return this;
        }

        public Builder minP(float v) {
            minP = v;
            return this;
        }

        public Builder repeatPenalty(float v) {
            repeatPenalty = v;
            return this;
        }

        public Builder repeatLastN(int v) {
            repeatLastN = v;
            return this;
        }

        public Builder frequencyPenalty(float v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder presencePenalty(float v) {
            presencePenalty = v;
            return this;
        }

        /** A fixed seed (0 .. 2^32−1) for reproducible sampling; negative = random. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = v;
            return this;
        }

        public Builder logprobs(boolean v) {
            logprobs = v;
            return this;
        }

        public GenerateOptions build() {
            return new GenerateOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN,
                    frequencyPenalty, presencePenalty, seed, ignoreEos, stopStrings, logprobs, contextShiftKeep);
        }
    }
}
