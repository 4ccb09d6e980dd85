package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shared model opens, and its tensor table agrees with the dequant reference. */
class SharedModelsTest {
    static Stream<Path> dequantFiles() throws IOException {
        return Files.list(TestData.path("dequant")).filter(p -> p.toString().endsWith(".dequant.json")).sorted();
    }

    static Path modelFor(Path dequantJson) {
        String name = dequantJson.getFileName().toString().replace(".dequant.json", ".gguf");
        Path p = TestData.root().resolve("models").resolve(name);
        return Files.exists(p) ? p : TestData.path("demo", name);
    }

    @ParameterizedTest
    @MethodSource("dequantFiles")
    @SuppressWarnings("unchecked")
    void tensorTableMatchesReference(Path dequantJson) throws IOException {
        Map<String, Object> ref = JsonReader.parseObject(dequantJson);
        try (GgufFile f = GgufFile.open(modelFor(dequantJson))) {
            assertEquals(ref.size(), f.tensors().size(), "tensor count");
            for (Map.Entry<String, Object> e : ref.entrySet()) {
                Map<String, Object> r = (Map<String, Object>) e.getValue();
                GgufTensor t = f.tensor(e.getKey());
                assertEquals(((String) r.get("type")).toLowerCase(), t.type().ggmlName().toLowerCase(), e.getKey());
                long[] shape = ((List<Object>) r.get("shape")).stream().mapToLong(o -> (Long) o).toArray();
                assertArrayEquals(shape, t.shape(), e.getKey());
                assertEquals((long) (Long) r.get("n"), t.elementCount(), e.getKey());
                assertEquals(t.type().bytes(t.elementCount()), t.data().byteSize());
            }
            assertNotNull(f.architecture());
        }
    }

    @Test
    void splitModelOpensAsOne() throws IOException {
        Path first = TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf");
        try (GgufFile split = GgufFile.open(first);
             GgufFile whole = GgufFile.open(TestData.model("llama-gqa.q8_0.gguf"))) {
            assertEquals(3, split.parts().size());
            assertEquals(whole.tensors().size(), split.tensors().size());
            for (GgufTensor t : whole.tensors()) {
                GgufTensor s = split.tensor(t.name());
                assertEquals(t.type(), s.type());
                assertArrayEquals(t.shape(), s.shape());
                assertEquals(-1L, t.data().mismatch(s.data()), t.name());
            }
        }
    }

    @Test
    void splitModelReadsIntoMemoryAsOne() throws IOException {
        Path first = TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf");
        try (GgufFile mapped = GgufFile.open(first); GgufFile read = GgufFile.read(first)) {
            assertEquals(3, read.parts().size());
            GgufWriterTest.assertSameContent(mapped, read);
        }
    }

    @Test
    void laterSplitPartIsRejectedWithAPointerToTheFirst() {
        Path second = TestData.path("models", "split", "llama-gqa.q8_0-00002-of-00003.gguf");
        GgufFormatException e = org.junit.jupiter.api.Assertions.assertThrows(GgufFormatException.class,
                () -> GgufFile.open(second));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("open the first part"), e.getMessage());
    }

    @Test
    void vocabOnlyFilesOpen() throws IOException {
        try (Stream<Path> s = Files.list(TestData.path("vocab"))) {
            for (Path p : s.filter(x -> x.toString().endsWith(".gguf")).toList()) {
                try (GgufFile f = GgufFile.open(p)) {
                    assertNotNull(f.metadata().getString("tokenizer.ggml.model"), p.toString());
                }
            }
        }
    }
}
