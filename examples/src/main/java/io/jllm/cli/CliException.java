package io.jllm.cli;

/** Bad input or usage: the message is printed as the last stderr line, exit status 1. */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
