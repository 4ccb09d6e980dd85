package io.jllm.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quantizing every tensor of an f32 model to the type it has in a llama-quantize output file
 * (no imatrix) must reproduce that file's bytes exactly.
 */
class QuantizerGoldenTest {
    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
        "models, llama-gqa, q8_0", "models, llama-gqa, q4_0", "models, llama-gqa, q4_1",
        "models, llama-gqa, q5_0", "models, llama-gqa, q5_1", "models, llama-gqa, q2_k",
        "models, llama-gqa, q3_k_s", "models, llama-gqa, q4_k_s", "models, llama-gqa, q5_k_s",
        "models, llama-gqa, q6_k", "models, llama-gqa, f16", "models, llama-gqa, bf16",
        "models, llama-gqa, q3_k_m", "models, llama-gqa, q4_k_m", "models, llama-gqa, q5_k_m",
        "models, llama-gqa, iq4_nl", "models, llama-gqa, iq4_xs",
        "models, llama-mha-tied, q4_0", "models, llama-mha-tied, q8_0",
        "models, llama3-rope, q4_0", "models, llama3-rope, q8_0",
        "models, qwen2, q4_0", "models, qwen2, q8_0",
        "demo, kjv-5m, q8_0",
    })
    void everyTensorByteExact(String dir, String model, String kind) throws IOException {
        Map<GgmlType, Integer> counts = new TreeMap<>();
        Path src = TestData.path(dir, model + ".f32.gguf");
        Path dst = TestData.path(dir, model + "." + kind + ".gguf");
        try (GgufFile source = GgufFile.open(src); GgufFile target = GgufFile.open(dst);
             Arena arena = Arena.ofConfined()) {
            assertEquals(source.tensors().size(), target.tensors().size());
            for (GgufTensor want : target.tensors()) {
                GgufTensor in = source.tensor(want.name());
                assertEquals(GgmlType.F32, in.type());
                assertEquals(java.util.Arrays.toString(in.shape()), java.util.Arrays.toString(want.shape()), want.name());
                int n = (int) in.elementCount();
                float[] x = new float[n];
                Dequantizer.dequantize(GgmlType.F32, in.data(), 0, n, x, 0);
                MemorySegment out = arena.allocate(want.byteSize());
                long bytes = Quantizer.quantize(want.type(), x, 0, n, out, 0);
                assertEquals(want.byteSize(), bytes, want.name());
                long mismatch = out.mismatch(want.data().asSlice(0, want.byteSize()));
                if (mismatch >= 0) {
                    fail(model + "." + kind + " " + want + ": first differing byte at " + mismatch
                            + " (block " + mismatch / want.type().typeSize() + ")");
                }
                counts.merge(want.type(), 1, Integer::sum);
            }
        }
        assertTrue(counts.size() >= 1);
        System.out.println(model + "." + kind + ": byte-exact tensors by type " + counts);
    }
}
