package io.jllm.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ModelQuantizer reproduces llama-quantize's output files. */
class ModelQuantizerTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}.{1} from {2}")
    @CsvSource({
        "llama-gqa, q8_0, f32, true", "llama-gqa, q4_0, f32, true", "llama-gqa, q4_1, f32, true",
        "llama-gqa, q5_0, f32, true", "llama-gqa, q5_1, f32, true", "llama-gqa, q2_k, f32, true",
        "llama-gqa, q3_k_s, f32, true", "llama-gqa, q4_k_s, f32, true", "llama-gqa, q5_k_s, f32, true",
        "llama-gqa, q6_k, f32, true", "llama-gqa, f16, f32, true", "llama-gqa, bf16, f32, true",
        "llama-gqa, iq4_nl, f32, true", "llama-gqa, iq4_xs, f32, true",
        "llama-gqa, q3_k_m, f32, false", "llama-gqa, q4_k_m, f32, false", "llama-gqa, q5_k_m, f32, false",
        "qwen2, q4_0, f32, true", "qwen2, q8_0, f32, true", "llama-mha-tied, q4_0, f32, true",
        "llama3-rope, q8_0, f32, true", "kjv-5m, q8_0, f32, true",
    })
    void fileByteIdenticalToLlamaQuantize(String model, String kind, String from, boolean pure) throws IOException {
        String dir = model.startsWith("kjv") ? "demo" : "models";
        Path in = TestData.path(dir, model + "." + from + ".gguf");
        Path want = TestData.path(dir, model + "." + kind + ".gguf");
        Path out = tmp.resolve(model + "." + kind + ".gguf");
        LlamaFileType ft = LlamaFileType.fromName(kind);
        ModelQuantizer.Result r = ModelQuantizer.quantize(in, out,
                new ModelQuantizer.Options(ft, pure, false, 2), new ModelQuantizer.Listener() {});
        compareTensors(want, out);
        long mismatch = mismatch(want, out);
        assertEquals(-1L, mismatch, model + "." + kind + ": files differ at byte " + mismatch);
        assertEquals(Files.size(want), Files.size(out));
        assertTrue(r.outputBytes() > 0);
    }

    // deepseek3.q4_k_m was not made from deepseek3.f16 (its data differs from a conversion of the
    // f16 values), so only its tensor types and order are compared, in mixTypesMatchLlamaQuantize.

    /** Tensor by tensor first, for a precise message when something differs. */
    static void compareTensors(Path want, Path got) throws IOException {
        try (GgufFile w = GgufFile.open(want); GgufFile g = GgufFile.open(got)) {
            List<String> wn = new ArrayList<>();
            List<String> gn = new ArrayList<>();
            w.tensors().forEach(t -> wn.add(t.name()));
            g.tensors().forEach(t -> gn.add(t.name()));
            assertEquals(wn, gn, "tensor order");
            for (GgufTensor wt : w.tensors()) {
                GgufTensor gt = g.tensor(wt.name());
                assertEquals(wt.type(), gt.type(), wt.name());
                long m = wt.data().mismatch(gt.data());
                assertEquals(-1L, m, wt + ": data differs at byte " + m);
            }
            assertEquals(w.metadata().keys().stream().toList(), g.metadata().keys().stream().toList(), "metadata keys");
            for (String k : w.metadata().keys()) {
                assertEquals(w.metadata().get(k), g.metadata().get(k), k);
            }
        }
    }

    static long mismatch(Path a, Path b) throws IOException {
        return Files.mismatch(a, b);
    }

    @ParameterizedTest(name = "{0}.{1} types from {2}")
    @CsvSource({
        "llama-gqa, q3_k_m, f32", "llama-gqa, q4_k_m, f32", "llama-gqa, q5_k_m, f32",
        "mixtral, q4_k_m, q8_0", "qwen2moe, q4_k_m, q8_0", "deepseek3, q4_k_m, f16",
    })
    void mixTypesMatchLlamaQuantize(String model, String kind, String from) throws IOException {
        try (GgufFile in = GgufFile.open(TestData.model(model + "." + from + ".gguf"));
             GgufFile want = GgufFile.open(TestData.model(model + "." + kind + ".gguf"))) {
            List<String> warnings = new ArrayList<>();
            List<ModelQuantizer.TensorPlan> plan = ModelQuantizer.plan(in, LlamaFileType.fromName(kind), false, warnings::add);
            List<String> names = new ArrayList<>();
            for (ModelQuantizer.TensorPlan p : plan) {
                names.add(p.source().name());
                GgmlType expected = want.tensor(p.source().name()).type();
                assertEquals(expected, p.type(), model + "." + kind + " " + p.source().name());
            }
            List<String> wantNames = new ArrayList<>();
            want.tensors().forEach(t -> wantNames.add(t.name()));
            assertEquals(wantNames, names, "file order");
        }
    }

    @Test
    void splitInputGivesTheSingleFile() throws IOException {
        // the 3-part split of llama-gqa.q8_0 "quantized" to Q8_0: every tensor is copied, the split
        // keys dropped, and the result is llama-quantize's single file again, byte for byte
        Path out = tmp.resolve("joined.gguf");
        ModelQuantizer.quantize(TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf"), out,
                new ModelQuantizer.Options(LlamaFileType.Q8_0, true, false, 2), new ModelQuantizer.Listener() {});
        Path want = TestData.model("llama-gqa.q8_0.gguf");
        compareTensors(want, out);
        assertEquals(-1L, Files.mismatch(want, out));
    }

    @Test
    void overriddenTensorsHaveTheBytesOfThatType() throws IOException {
        Path out = tmp.resolve("o.gguf");
        ModelQuantizer.quantize(TestData.model("llama-gqa.f32.gguf"), out,
                new ModelQuantizer.Options(LlamaFileType.Q4_K_M, false, false, 2, false, GgmlType.Q8_0, GgmlType.Q6_K),
                new ModelQuantizer.Listener() {});
        try (GgufFile got = GgufFile.open(out); GgufFile q8 = GgufFile.open(TestData.model("llama-gqa.q8_0.gguf"));
             GgufFile q6 = GgufFile.open(TestData.model("llama-gqa.q6_k.gguf"));
             GgufFile mix = GgufFile.open(TestData.model("llama-gqa.q4_k_m.gguf"))) {
            for (GgufTensor t : got.tensors()) {
                GgufFile ref = t.name().equals("output.weight") ? q8 : t.name().equals("token_embd.weight") ? q6 : mix;
                GgufTensor w = ref.tensor(t.name());
                assertEquals(w.type(), t.type(), t.name());
                assertEquals(-1L, w.data().mismatch(t.data()), t.name());
            }
        }
    }

    @Test
    void bytesDoNotDependOnThreads() throws IOException {
        Path one = tmp.resolve("t1.gguf");
        Path five = tmp.resolve("t5.gguf");
        Path in = TestData.model("llama-gqa.f32.gguf");
        ModelQuantizer.quantize(in, one, new ModelQuantizer.Options(LlamaFileType.Q3_K_M, false, false, 1),
                new ModelQuantizer.Listener() {});
        ModelQuantizer.quantize(in, five, new ModelQuantizer.Options(LlamaFileType.Q3_K_M, false, false, 5),
                new ModelQuantizer.Listener() {});
        assertEquals(-1L, Files.mismatch(one, five));
    }

    @Test
    void requantizingNeedsConsent() {
        Path in = TestData.model("llama-gqa.q8_0.gguf");
        var e = assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.quantize(in, tmp.resolve("x.gguf"),
                new ModelQuantizer.Options(LlamaFileType.Q4_0, true, false, 1), new ModelQuantizer.Listener() {}));
        assertTrue(e.getMessage().contains("requantizing"), e.getMessage());
        assertTrue(e.getMessage().contains("token_embd.weight") || e.getMessage().contains("output.weight"), e.getMessage());
    }

    @Test
    void fileTypeNames() {
        assertEquals(LlamaFileType.Q4_K_M, LlamaFileType.fromName("q4_k_m"));
        assertEquals(LlamaFileType.Q4_K_M, LlamaFileType.fromName("Q4_K"));
        assertEquals(LlamaFileType.BF16, LlamaFileType.fromName("bf16"));
        assertEquals(15, LlamaFileType.Q4_K_M.id());
        assertEquals(null, LlamaFileType.fromName("q9_9"));
    }
}
