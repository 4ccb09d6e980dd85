package io.jllm.core;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token (and {@code ignoreEos} was off). */
    EOS,
    /** {@link GenerateOptions#maxTokens()} tokens were generated. */
    MAX_TOKENS,
    /** A stop string appeared in the text (it is not part of the result). */
    STOP_STRING,
    /** {@link Session#cancel()} was called. */
    CANCELLED,
    /** The context is full. */
    CONTEXT_FULL
}
