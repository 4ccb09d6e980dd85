package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void promptIsTheSameSequenceBenchMjsFeedsLlamaCpp() {
        // computed by llm-bench/node/bench.mjs's promptTokens(8, 32000, 3, 1) under node v20
        assertArrayEquals(new int[] {1, 13019, 8616, 18151, 9933, 30305, 15590, 26858},
                BenchCommand.promptTokens(8, 32000, 3, 1));
    }

    @Test
    void medianAndSpread() {
        assertEquals(20, BenchCommand.median(new double[] {30, 10, 20}));
        assertEquals(15, BenchCommand.median(new double[] {10, 20}));
        assertEquals(1.0, BenchCommand.spread(new double[] {30, 10, 20}), 1e-12);
        assertEquals(0, BenchCommand.spread(new double[] {7}));
        assertArrayEquals(new double[] {128, 64}, BenchCommand.rates(128, new double[] {1, 2}));
        assertEquals(2, BenchCommand.argmax(new float[] {1, 3, 5, 5}));
    }

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void badInputEndsWithOneClearLine() {
        String[] r = run("bench", "-m", "/no/such/model.gguf", "--json");
        assertEquals("1", r[0]);
        assertTrue(r[2].strip().endsWith("model file not found: /no/such/model.gguf"), r[2]);
        r = run("bench", "-m", "x.gguf", "-t", "0");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("-t and -r must be at least 1"), r[2]);
    }
}
