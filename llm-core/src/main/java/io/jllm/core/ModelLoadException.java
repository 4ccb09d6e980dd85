package io.jllm.core;

/**
 * A model file that cannot be used: a missing or malformed hyperparameter, a missing tensor, a
 * tensor of the wrong shape or an unsupported type, or not enough memory. The message names the
 * file and the key or tensor involved.
 */
public final class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
