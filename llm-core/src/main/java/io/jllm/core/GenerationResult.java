package io.jllm.core;

/**
 * The outcome of {@link Session#generate}.
 *
 * @param text          the generated text (without a matched stop string)
 * @param promptTokens  the prompt's tokens (BOS included when added)
 * @param tokens        the generated token ids (an EOS that stopped generation included)
 * @param logprobs      per generated token, when requested; else an empty array
 * @param stopReason    why generation ended
 * @param promptTokensPerSecond prompt-processing speed (tokens evaluated / seconds)
 * @param generatedTokensPerSecond generation speed
 */
public record GenerationResult(String text, int[] promptTokens, int[] tokens, float[] logprobs, StopReason stopReason,
                               double promptTokensPerSecond, double generatedTokensPerSecond) {
}
