package io.jllm.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every tensor of every shared model file, dequantized, must hash (sha256 of little-endian f32)
 * to what ggml's own {@code to_float} produced.
 */
class DequantizerTest {
    static Stream<Path> modelFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("models", "demo")) {
            try (Stream<Path> s = Files.list(TestData.path(dir))) {
                s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().forEach(files::add);
            }
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelFiles")
    void everyTensorMatchesGgml(Path model) throws IOException {
        Path golden = DequantGolden.goldenFor(TestData.path("dequant"), model.getFileName().toString());
        assertTrue(Files.exists(golden), "no golden for " + model);
        checkFile(model, golden);
    }

    @Test
    void splitModelMatchesItsSingleFileGolden() throws IOException {
        Path first = TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf");
        checkFile(first, TestData.path("dequant", "llama-gqa.q8_0.dequant.json"));
    }

    private static void checkFile(Path model, Path golden) throws IOException {
        Map<String, Map<String, Object>> want = DequantGolden.load(golden);
        try (GgufFile f = GgufFile.open(model); Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = DequantGolden.scratch(arena);
            Set<String> seen = new TreeSet<>();
            for (GgufTensor t : f.tensors()) {
                Map<String, Object> e = want.get(t.name());
                if (e == null) {
                    throw new AssertionError(model.getFileName() + ": tensor " + t.name() + " missing from golden");
                }
                String where = model.getFileName() + " " + t;
                assertEquals(((String) e.get("type")).toLowerCase(), t.type().ggmlName().toLowerCase(), where);
                assertEquals(((Number) e.get("n")).longValue(), t.elementCount(), where);
                assertEquals(e.get("sha256_f32"), DequantGolden.sha256(t, scratch), where);
                float[] first = DequantGolden.first(e);
                float[] got = new float[t.type().blockSize() * ((first.length + t.type().blockSize() - 1) / t.type().blockSize())];
                Dequantizer.dequantize(t.type(), t.data(), 0, got.length, got, 0);
                for (int i = 0; i < first.length; i++) {
                    assertEquals(first[i], got[i], where + " first[" + i + "]");
                }
                seen.add(t.name());
            }
            assertEquals(new TreeSet<>(want.keySet()), seen, model.getFileName() + ": tensor set");
        }
    }

    @Test
    void arrayAndSegmentVariantsAgree() throws IOException {
        try (GgufFile f = GgufFile.open(TestData.model("llama-gqa.q4_k_m.gguf")); Arena arena = Arena.ofConfined()) {
            for (GgufTensor t : f.tensors()) {
                int n = (int) t.elementCount();
                float[] a = new float[n + 3];
                Dequantizer.dequantize(t.type(), t.data(), 0, n, a, 3);
                MemorySegment s = arena.allocate(4L * n);
                Dequantizer.dequantize(t.type(), t.data(), 0, (long) n, s, 0);
                float[] b = new float[n];
                MemorySegment.copy(s, Le.F32, 0, b, 0, n);
                assertArrayEquals(b, java.util.Arrays.copyOfRange(a, 3, n + 3), t.name());
            }
        }
    }

    @Test
    void unsupportedTypesNameTheType() {
        MemorySegment src = MemorySegment.ofArray(new byte[1024]);
        for (GgmlType type : GgmlType.values()) {
            if (Dequantizer.supports(type)) {
                continue;
            }
            var e = assertThrows(UnsupportedOperationException.class,
                    () -> Dequantizer.dequantize(type, src, 0, type.blockSize(), new float[256], 0));
            assertTrue(e.getMessage().contains(type.ggmlName()), e.getMessage());
        }
        assertFalse(Dequantizer.supports(GgmlType.IQ2_XXS));
        for (GgmlType t : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1,
                GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K,
                GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS)) {
            assertTrue(Dequantizer.supports(t), t.ggmlName());
        }
    }

    @Test
    void partialBlocksAreRejected() {
        MemorySegment src = MemorySegment.ofArray(new byte[1024]);
        assertThrows(IllegalArgumentException.class,
                () -> Dequantizer.dequantize(GgmlType.Q4_0, src, 0, 31, new float[64], 0));
    }
}
