package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code llm quantize} writes the same file as llama-quantize. */
class QuantizeCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"q4_k_m, ''", "q3_k_m, ''", "q5_k_m, ''", "q6_k, --pure", "q4_0, --pure", "bf16, --pure"})
    void sameFileAsLlamaQuantize(String type, String flag) throws Exception {
        Path in = TestData.model("llama-gqa.f32.gguf");
        Path out = tmp.resolve("out.gguf");
        TensorCommandTest.Result r = flag.isEmpty()
                ? TensorCommandTest.run("quantize", in.toString(), out.toString(), type)
                : TensorCommandTest.run("quantize", in.toString(), out.toString(), type, flag, "-t", "2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("100%"), r.err());
        Path want = TestData.model("llama-gqa." + type + ".gguf");
        assertEquals(-1L, Files.mismatch(want, out), "llm quantize " + type + " vs llama-quantize");
    }

    @Test
    void overrideFlags() throws Exception {
        Path out = tmp.resolve("o.gguf");
        TensorCommandTest.Result r = TensorCommandTest.run("quantize", TestData.model("llama-gqa.f32.gguf").toString(),
                out.toString(), "q4_k_m", "--leave-output-tensor", "--token-embedding-type", "q8_0", "--json");
        assertEquals(0, r.status(), r.err());
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(r.out().strip());
        Map<?, ?> types = (Map<?, ?>) m.get("tensor_types");
        assertEquals(6L, types.get("f32"));          // 5 norms + the untouched output.weight
        assertEquals(1L, types.get("q8_0"));
    }

    @Test
    void jsonSummary() throws Exception {
        Path out = tmp.resolve("q8.gguf");
        TensorCommandTest.Result r = TensorCommandTest.run("quantize",
                TestData.model("llama-gqa.f32.gguf").toString(), out.toString(), "Q8_0", "--pure", "--json");
        assertEquals(0, r.status(), r.err());
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(r.out().strip());
        assertEquals(7L, m.get("file_type"));
        assertEquals(21L, m.get("tensors"));
        assertEquals(16L, m.get("converted"));
    }

    @Test
    void badInputIsOneClearLine() {
        Path out = tmp.resolve("x.gguf");
        String f32 = TestData.model("llama-gqa.f32.gguf").toString();
        TensorCommandTest.Result r = TensorCommandTest.run("quantize", f32, out.toString(), "q9_k");
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("unknown quantization type 'q9_k'"), r.lastErrLine());
        r = TensorCommandTest.run("quantize", tmp.resolve("nope.gguf").toString(), out.toString(), "q4_0");
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("nope.gguf"), r.lastErrLine());
        r = TensorCommandTest.run("quantize", TestData.model("llama-gqa.q8_0.gguf").toString(), out.toString(), "q4_0");
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("requantizing") && r.lastErrLine().contains("tensor '"), r.lastErrLine());
        r = TensorCommandTest.run("quantize", f32, out.toString(), "q4_k_m", "--output-tensor-type", "iq2_xxs");
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("--output-tensor-type") && r.lastErrLine().contains("iq2_xxs"), r.lastErrLine());
        r = TensorCommandTest.run("quantize", f32, out.toString(), "q4_0", "-t", "0");
        assertEquals(1, r.status());
        assertTrue(r.lastErrLine().contains("-t"), r.lastErrLine());
        assertTrue(!Files.exists(out));
    }
}
