package io.jllm.core.sample;

/**
 * Sampling settings, llama.cpp's names and meaning (reference section 8).
 *
 * @param temperature    ≤ 0 means greedy (argmax, ties to the lowest id)
 * @param topK           ≤ 0 means off
 * @param topP           ≥ 1 means off
 * @param minP           ≤ 0 means off
 * @param repeatPenalty  1 means off
 * @param repeatLastN    how many recent tokens the penalties look at
 * @param frequencyPenalty subtracted per occurrence
 * @param presencePenalty  subtracted once if present
 * @param seed           seed of the draw
 */
public record SamplerParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
                            int repeatLastN, float frequencyPenalty, float presencePenalty, long seed) {
}
