package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Pathological inputs must stay fast: no regex backtracking, no quadratic merging. */
class WorstCaseTest {
    static String repeat(String s, int n) {
        return s.repeat(n);
    }

    static final String[][] INPUTS = {
        {"1 MB of one letter", "a", "1048576"},
        {"1 MB without spaces", "abcdefghij", "104858"},
        {"256 KB of digits", "1234567890", "26214"},
        {"256 KB of spaces", " ", "262144"},
    };

    @TestFactory
    Stream<DynamicTest> worstCases() {
        return Stream.of("llama-bpe", "gpt-2", "llama-spm").flatMap(name -> Stream.of(INPUTS).map(in ->
                DynamicTest.dynamicTest(name + ": " + in[0], () -> {
                    Tokenizer t = Tokenizer.fromGguf(TestData.path("vocab", "ggml-vocab-" + name + ".gguf"));
                    String text = repeat(in[1], Integer.parseInt(in[2]));
                    t.countTokens(text.substring(0, 1000));
                    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                    long t0 = mx.getCurrentThreadCpuTime();
                    int[] ids = t.encode(text, false, false);
                    double s = (mx.getCurrentThreadCpuTime() - t0) / 1e9;
                    System.out.printf("worst case %s, %s: %d tokens in %.3f s (thread CPU time)%n", name, in[0], ids.length, s);
                    assertEquals(text, t.decode(ids).replace("\u0000", ""));
                    assertTrue(s < 3.0, "took " + s + " s");
                })));
    }
}
