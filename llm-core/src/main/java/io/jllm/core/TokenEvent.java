package io.jllm.core;

/**
 * One generated token as it streams.
 *
 * @param index   0 for the first generated token
 * @param token   the token id
 * @param text    text completed by this token: whole UTF-8 characters only, possibly empty
 *                (bytes of a multi-byte character, or text held back while it may begin a stop string)
 * @param logprob natural log of the token's probability under the model's raw distribution, or
 *                NaN when not requested
 */
public record TokenEvent(int index, int token, String text, float logprob) {
}
