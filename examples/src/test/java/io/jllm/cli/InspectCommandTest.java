package io.jllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufValueType;
import io.jllm.gguf.GgufWriter;
import io.jllm.testing.JsonReader;
import io.jllm.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code llm inspect}: JSON per the CLI contract, checked against the dequant references and GgufFile. */
class InspectCommandTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {
        String lastErrLine() {
            String[] lines = err.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Stream<Path> modelFiles() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String d : List.of("models", "demo")) {
            try (Stream<Path> s = Files.list(TestData.path(d))) {
                s.filter(p -> p.toString().endsWith(".gguf")).forEach(all::add);
            }
        }
        return all.stream().sorted();
    }

    /** One vocabulary per tokenizer kind (the full set adds time, not coverage). */
    static Stream<Path> vocabFiles() {
        return Stream.of("gpt-2", "llama-spm", "bert-bge", "qwen2")
                .map(n -> TestData.path("vocab", "ggml-vocab-" + n + ".gguf"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> inspectJson(Path file) {
        Result r = run("inspect", file.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "exactly one JSON document on one line");
        return (Map<String, Object>) JsonReader.parse(r.out());
    }

    @ParameterizedTest
    @MethodSource("modelFiles")
    @SuppressWarnings("unchecked")
    void jsonMatchesDequantReferenceAndReader(Path model) throws IOException {
        Map<String, Object> doc = inspectJson(model);
        assertEquals(List.of("version", "alignment", "metadata", "tensors"), new ArrayList<>(doc.keySet()));
        Path dq = TestData.path("dequant", model.getFileName().toString().replace(".gguf", ".dequant.json"));
        Map<String, Object> ref = JsonReader.parseObject(dq);
        List<Object> tensors = (List<Object>) doc.get("tensors");
        assertEquals(ref.size(), tensors.size());
        try (GgufFile f = GgufFile.open(model)) {
            assertEquals((long) f.version(), doc.get("version"));
            assertEquals((long) f.alignment(), doc.get("alignment"));
            for (int i = 0; i < tensors.size(); i++) {
                Map<String, Object> t = (Map<String, Object>) tensors.get(i);
                assertEquals(List.of("name", "type", "shape", "offset", "bytes"), new ArrayList<>(t.keySet()));
                String name = (String) t.get("name");
                Map<String, Object> r = (Map<String, Object>) ref.get(name);
                assertEquals(((String) r.get("type")).toLowerCase(), ((String) t.get("type")).toLowerCase(), name);
                assertEquals(r.get("shape"), t.get("shape"), name);
                GgufTensor g = f.tensors().get(i);
                assertEquals(g.name(), name);
                assertEquals(g.offset(), t.get("offset"), name);
                long n = (Long) r.get("n");
                assertEquals(GgmlType.fromName((String) t.get("type")).bytes(n), t.get("bytes"), name);
            }
            assertMetadataMatches(f, (Map<String, Object>) doc.get("metadata"));
        }
    }

    @ParameterizedTest
    @MethodSource("vocabFiles")
    @SuppressWarnings("unchecked")
    void vocabMetadataMatchesReader(Path vocab) throws IOException {
        Map<String, Object> doc = inspectJson(vocab);
        assertEquals(List.of(), doc.get("tensors"));
        try (GgufFile f = GgufFile.open(vocab)) {
            assertMetadataMatches(f, (Map<String, Object>) doc.get("metadata"));
        }
    }

    static void assertMetadataMatches(GgufFile f, Map<String, Object> json) {
        assertEquals(new ArrayList<>(f.metadata().keys()), new ArrayList<>(json.keySet()));
        for (String k : f.metadata().keys()) {
            GgufValue v = f.metadata().get(k);
            Object j = json.get(k);
            if (v.type() == GgufValueType.ARRAY) {
                assertInstanceOf(List.class, j, k);
                List<?> l = (List<?>) j;
                assertEquals(v.length(), l.size(), k);
                Object arr = v.value();
                for (int i = 0; i < l.size(); i++) {
                    assertScalar(v.elementType(), java.lang.reflect.Array.get(arr, i), l.get(i), k + "[" + i + "]");
                }
            } else {
                assertScalar(v.type(), v.value(), j, k);
            }
        }
    }

    /** A value as the reader holds it against the JSON written for it (parsed back by JsonReader). */
    static void assertScalar(GgufValueType type, Object value, Object json, String where) {
        switch (type) {
            case UINT8 -> assertEquals(value instanceof Byte b ? Byte.toUnsignedLong(b) : (long) (Integer) value, json, where);
            case UINT16 -> assertEquals(value instanceof Short s ? Short.toUnsignedLong(s) : (long) (Integer) value, json, where);
            case UINT32 -> assertEquals(value instanceof Integer i ? Integer.toUnsignedLong(i) : value, json, where);
            case UINT64 -> {
                long l = (Long) value;
                Object expect = l >= 0 ? (Object) l : new BigInteger(Long.toUnsignedString(l));
                assertEquals(expect, json, where);
            }
            case INT8, INT16, INT32, INT64 -> assertEquals(((Number) value).longValue(), json, where);
            case FLOAT32, FLOAT64 -> {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    assertEquals(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity", json, where);
                } else if (type == GgufValueType.FLOAT32) {
                    assertEquals((float) d, ((Number) json).floatValue(), where);
                } else {
                    assertEquals(d, ((Number) json).doubleValue(), where);
                }
            }
            default -> assertEquals(value, json, where);
        }
    }

    @Test
    void everyValueTypeAndExtremeValuesInJson() throws IOException {
        Path p = dir.resolve("types.gguf");
        new GgufWriter()
                .put("u8", GgufValue.of(GgufValueType.UINT8, 255))
                .put("u64", GgufValue.uint64(-1L))
                .put("u64big", GgufValue.uint64((1L << 53) + 1))
                .put("f32nan", GgufValue.float32(Float.NaN))
                .put("f64inf", GgufValue.of(GgufValueType.FLOAT64, Double.NEGATIVE_INFINITY))
                .put("f32", GgufValue.float32(1e-5f))
                .put("s", GgufValue.string("tab\t\"quote\" \u0001 ü"))
                .put("au8", GgufValue.ofArray(GgufValueType.UINT8, new byte[] {(byte) 200, 1}))
                .put("au16", GgufValue.ofArray(GgufValueType.UINT16, new short[] {(short) 65535}))
                .put("au32", GgufValue.ofArray(GgufValueType.UINT32, new int[] {-1}))
                .put("au64", GgufValue.ofArray(GgufValueType.UINT64, new long[] {-2L, 3}))
                .put("ai8", GgufValue.ofArray(GgufValueType.INT8, new byte[] {-1}))
                .put("af64", GgufValue.ofArray(GgufValueType.FLOAT64, new double[] {0.1, Double.NaN}))
                .put("ab", GgufValue.ofArray(GgufValueType.BOOL, new boolean[] {true, false}))
                .put("as", GgufValue.stringArray("a", "\n"))
                .addTensor("t.weight", GgmlType.Q4_K, new long[] {256, 2}, MemorySegment.ofArray(new byte[288]))
                .write(p);
        Result r = run("inspect", p.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"u64\": 18446744073709551615"), r.out());
        assertTrue(r.out().contains("\"u64big\": 9007199254740993"), r.out());
        assertTrue(r.out().contains("\"f32nan\": \"NaN\""), r.out());
        assertTrue(r.out().contains("\"f64inf\": \"-Infinity\""), r.out());
        assertTrue(r.out().contains("\"type\": \"q4_K\""), r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> md = (Map<String, Object>) ((Map<String, Object>) JsonReader.parse(r.out())).get("metadata");
        assertEquals(255L, md.get("u8"));
        assertEquals(1e-5f, ((Double) md.get("f32")).floatValue());
        assertEquals("tab\t\"quote\" \u0001 ü", md.get("s"));
        assertEquals(List.of(200L, 1L), md.get("au8"));
        assertEquals(List.of(65535L), md.get("au16"));
        assertEquals(List.of(4294967295L), md.get("au32"));
        assertEquals(List.of(new BigInteger("18446744073709551614"), 3L), md.get("au64"));
        assertEquals(List.of(-1L), md.get("ai8"));
        assertEquals(List.of(0.1, "NaN"), md.get("af64"));
        assertEquals(List.of(true, false), md.get("ab"));
        assertEquals(List.of("a", "\n"), md.get("as"));
        try (GgufFile f = GgufFile.open(p)) {
            assertMetadataMatches(f, md);
        }
    }

    @Test
    void textModeSummarizesLongArrays() {
        Path vocab = TestData.path("vocab", "ggml-vocab-gpt-2.gguf");
        Result r = run("inspect", vocab.toString());
        assertEquals(0, r.status(), r.err());
        String tokens = r.out().lines().filter(l -> l.contains("tokenizer.ggml.tokens")).findFirst().orElseThrow();
        assertTrue(tokens.contains("ARRAY[STRING]") && tokens.contains("50257 items") && tokens.contains("more"), tokens);
        assertTrue(tokens.length() < 300, tokens);
        assertTrue(r.out().contains("tensors: none"));
        Path model = TestData.model("llama-gqa.q4_k_m.gguf");
        r = run("inspect", model.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("llama-gqa.q4_k_m.gguf: GGUF version 3, alignment 32"), r.out());
        String out = r.out();
        assertTrue(out.lines().anyMatch(l -> l.contains("output.weight") && l.contains("q6_K")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(".*general.architecture\\s+STRING\\s+\"llama\"")), out);
        assertTrue(out.lines().allMatch(l -> l.length() < 400), "no line dumps a whole array");
    }

    @Test
    void hostileFilesExitOneWithAClearLastLine() throws IOException {
        byte[] good = Files.readAllBytes(TestData.model("llama-gqa.q4_0.gguf"));
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(good, 5000));
        assertClearFailure(run("inspect", cut.toString(), "--json"), "cut.gguf: offset ");
        byte[] badType = Arrays.copyOf(good, good.length);
        badType[0] = 'X';
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, badType);
        assertClearFailure(run("inspect", bad.toString()), "bad.gguf: offset 0: header.magic: not a GGUF file");
        assertClearFailure(run("inspect", dir.resolve("missing.gguf").toString()), "no such file");
        assertClearFailure(run("inspect", dir.toString()), "is a directory");
        assertClearFailure(run("inspect"), "missing argument: FILE");
        assertClearFailure(run("inspect", cut.toString(), "--jsn"), "unknown flag --jsn");
        assertClearFailure(run("inspect", cut.toString(), "extra"), "unexpected argument 'extra'");
        Path empty = dir.resolve("empty.gguf");
        Files.write(empty, new byte[0]);
        assertClearFailure(run("inspect", empty.toString()), "empty.gguf: offset 0: header.magic");
    }

    /**
     * Random byte flips and truncations of a small file: inspect either succeeds with one JSON
     * document, or exits 1 with a last line naming the file and an offset, never a stack trace.
     */
    @Test
    void mutatedFilesNeverCrashTheCommand() throws IOException {
        Path src = dir.resolve("small.gguf");
        new GgufWriter().put("general.architecture", GgufValue.string("llama"))
                .put("tokenizer.ggml.tokens", GgufValue.stringArray("<unk>", "a", "b"))
                .put("tokenizer.ggml.scores", GgufValue.ofArray(GgufValueType.FLOAT32, new float[] {0, -1, Float.NaN}))
                .put("u64", GgufValue.uint64(-1))
                .addTensor("w", GgmlType.Q8_0, new long[] {32, 2}, MemorySegment.ofArray(new byte[68]))
                .write(src);
        byte[] good = Files.readAllBytes(src);
        java.util.Random rnd = new java.util.Random(1234);
        Path p = dir.resolve("mut.gguf");
        int ok = 0;
        for (int i = 0; i < 150; i++) {
            byte[] b = i % 3 == 0 ? Arrays.copyOf(good, rnd.nextInt(good.length)) : good.clone();
            for (int k = i % 3 == 0 ? 0 : 1 + rnd.nextInt(4); k > 0; k--) {
                b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            Files.write(p, b);
            Result r = run("inspect", p.toString(), "--json");
            if (r.status() == 0) {
                assertInstanceOf(Map.class, JsonReader.parse(r.out()));
                ok++;
            } else {
                assertEquals(1, r.status());
                assertTrue(r.lastErrLine().startsWith("llm: error: mut.gguf: offset "), r.err());
                assertFalse(r.err().contains("\tat "), r.err());
            }
        }
        assertTrue(ok > 0 && ok < 150, "some mutations open, some fail: " + ok);
    }

    static void assertClearFailure(Result r, String expect) {
        assertEquals(1, r.status(), r.out() + r.err());
        String last = r.lastErrLine();
        assertTrue(last.startsWith("llm: error: ") && last.contains(expect), last);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    @Test
    void splitModelListsEveryTensor() {
        Path first = TestData.path("models", "split", "llama-gqa.q8_0-00001-of-00003.gguf");
        Map<String, Object> doc = inspectJson(first);
        List<?> tensors = (List<?>) doc.get("tensors");
        assertEquals(21, tensors.size());
        // llama-gguf-split --split-max-tensors 8: parts of 8, 8 and 5 tensors, offsets restarting at 0
        long[] perPart = new long[3];
        for (Object o : tensors) {
            Map<?, ?> t = (Map<?, ?>) o;
            long part = (Long) t.get("part");
            if (perPart[(int) part]++ == 0) {
                assertEquals(0L, t.get("offset"), "first tensor of part " + part);
            }
        }
        assertArrayEquals(new long[] {8, 8, 5}, perPart);
        assertFalse(run("inspect", TestData.model("llama-gqa.q8_0.gguf").toString(), "--json").out().contains("\"part\""));
    }

    @Test
    void typeNamesAreGgmlNames() {
        assertArrayEquals(new String[] {"q4_K", "iq4_xs", "bf16", "q8_0"}, Stream.of(GgmlType.Q4_K, GgmlType.IQ4_XS,
                GgmlType.BF16, GgmlType.Q8_0).map(GgmlType::ggmlName).toArray());
    }
}
