package io.jllm.core;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every other golden by the full rule of shared/README.md with {@code -Djllm.numerics=reference}
 * (the {@code reference-numerics} surefire execution): the mode that makes the DeepSeek files
 * match ({@link MoeGoldenReferenceNumericsTest}) must keep every file within tol as well.
 */
class GoldenReferenceNumericsTest {
    static List<String> goldens() {
        List<String> l = new ArrayList<>(GoldenLogitsTest.goldens());
        l.addAll(MoeGoldenTest.goldens());
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void matchesLlamaCpp(String name) throws Exception {
        Golden g = Golden.load(name);
        GoldenLogitsTest.assumeKernels(g);
        MoeGoldenTest.check(g, g.modelPath());
    }
}
