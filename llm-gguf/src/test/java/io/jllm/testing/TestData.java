package io.jllm.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the shared test data lives ({@code ../shared/testdata} beside the checkout; the build
 * passes it as the system property {@code jllm.testdata}). Without it, a test fails when
 * {@code CI=true} and is skipped with a visible message otherwise. Shared through the
 * llm-gguf test-jar so every module resolves it the same way.
 */
public final class TestData {
    private TestData() {}

    /** The testdata root, or fail/skip as described above. */
    public static Path root() {
        String prop = System.getProperty("jllm.testdata");
        Path p = prop != null ? Path.of(prop) : Path.of("../shared/testdata");
        p = p.toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            String msg = "shared test data not found at " + p + " (expected ../shared/testdata beside the checkout)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg);
            }
            System.err.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
        }
        return p;
    }

    /** A file or folder under the testdata root, e.g. {@code path("models", "qwen2.f32.gguf")}. */
    public static Path path(String first, String... more) {
        Path p = root().resolve(first);
        for (String m : more) {
            p = p.resolve(m);
        }
        if (!Files.exists(p)) {
            String msg = "test data file missing: " + p;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg);
            }
            System.err.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
        }
        return p;
    }

    public static Path model(String fileName) {
        return path("models", fileName);
    }
}
