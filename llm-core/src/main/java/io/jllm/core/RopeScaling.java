package io.jllm.core;

import java.util.Locale;

/** {@code rope.scaling.type}: how positions are stretched beyond the training context. */
public enum RopeScaling {
    NONE, LINEAR, YARN, LONGROPE;

    static RopeScaling parse(String s, String where) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "linear" -> LINEAR;
            case "yarn" -> YARN;
            case "longrope" -> LONGROPE;
            default -> throw new ModelLoadException(where + ": unknown rope scaling type '" + s + "'");
        };
    }
}
