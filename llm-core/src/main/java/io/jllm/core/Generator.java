package io.jllm.core;

/** Generation loop of a session (sampling, stopping, streaming). */
final class Generator {
    private final Session session;

    Generator(Session session) {
        this.session = session;
    }
}
