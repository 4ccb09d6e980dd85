package io.jllm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Mutates valid files (one made by GgufWriter with every value type and four tensor types, a
 * shared vocabulary file and a small shared model) by byte flips, truncations, and extreme values
 * (0, -1, 2^31, 2^63-1, 2^64-1, ...) written over integer fields found by {@link FieldMap}.
 * Whatever the mutation, opening either succeeds, and then every tensor's data lies inside the
 * file and the metadata getters work, or fails with a GgufFormatException naming the file and an
 * offset. Any other exception (or an error) fails the property.
 */
class MutationFuzzTest {
    private static final long[] EXTREMES = {0, -1, 1L << 31, Long.MAX_VALUE, 1L << 63, (1L << 31) - 1,
        1L << 32, 0xFFFF_FFFFL, 1, 64, 1L << 62};

    private static final Path DIR;
    private static final byte[] SAMPLE;
    private static final FieldMap SAMPLE_FIELDS;

    static {
        try {
            DIR = Files.createTempDirectory("gguf-fuzz");
            Path p = DIR.resolve("sample.gguf");
            Samples.allTypes().write(p);
            SAMPLE = Files.readAllBytes(p);
            SAMPLE_FIELDS = FieldMap.of(SAMPLE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] vocab;
    private static FieldMap vocabFields;
    private static byte[] model;
    private static FieldMap modelFields;

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var s = Files.list(DIR)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(DIR);
    }

    /** A mutation: kind 0 flips bytes, 1 truncates, 2 writes an extreme value over a field. */
    record Mutation(int kind, List<Long> picks, long extreme, boolean structural) {
        byte[] apply(byte[] src, FieldMap fields) {
            byte[] b = src.clone();
            switch (kind) {
                case 0 -> {
                    for (long v : picks) {
                        int xor = (int) (v & 0xFF) == 0 ? 0x80 : (int) (v & 0xFF);
                        int pos = (int) Long.remainderUnsigned(v >>> 8, b.length);
                        b[pos] ^= (byte) xor;
                    }
                }
                case 1 -> {
                    long v = picks.getFirst();
                    List<long[]> fs = fields.structural();
                    int len = (v & 1) == 0 ? (int) Long.remainderUnsigned(v >>> 1, b.length)
                            : (int) Math.min(b.length - 1, fs.get((int) Long.remainderUnsigned(v >>> 8, fs.size()))[0]
                                    + ((v >>> 1) & 15));
                    b = Arrays.copyOf(b, len);
                }
                default -> {
                    for (long v : picks) {
                        List<long[]> fs = structural ? fields.structural() : fields.all();
                        long[] f = fs.get((int) Long.remainderUnsigned(v, fs.size()));
                        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                        if (f[1] == 8) {
                            bb.putLong((int) f[0], extreme);
                        } else {
                            bb.putInt((int) f[0], (int) extreme);
                        }
                    }
                }
            }
            return b;
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<List<Long>> picks = Arbitraries.longs().list().ofMinSize(1).ofMaxSize(6);
        Arbitrary<Mutation> flips = picks.map(p -> new Mutation(0, p, 0, false));
        Arbitrary<Mutation> cuts = Arbitraries.longs().map(v -> new Mutation(1, List.of(v), 0, false));
        Arbitrary<Mutation> extremes = Combinators.combine(Arbitraries.longs().list().ofMinSize(1).ofMaxSize(2),
                Arbitraries.oneOf(Arbitraries.of(Arrays.stream(EXTREMES).boxed().toList()), Arbitraries.longs()),
                Arbitraries.of(true, true, false)).as((p, x, s) -> new Mutation(2, p, x, s));
        return Arbitraries.frequencyOf(Tuple.of(3, flips), Tuple.of(2, cuts), Tuple.of(5, extremes));
    }

    @Property(tries = 3000, seed = "20261128")
    void writerSampleMutations(@ForAll("mutations") Mutation m) throws IOException {
        check(m.apply(SAMPLE, SAMPLE_FIELDS), "sample-mut.gguf");
    }

    @Property(tries = 400, seed = "20261128")
    void sharedVocabMutations(@ForAll("mutations") Mutation m) throws IOException {
        if (vocab == null) {
            vocab = Files.readAllBytes(TestData.path("vocab", "ggml-vocab-bert-bge.gguf"));
            vocabFields = FieldMap.of(vocab);
        }
        check(m.apply(vocab, vocabFields), "vocab-mut.gguf");
    }

    @Property(tries = 600, seed = "20261128")
    void sharedModelMutations(@ForAll("mutations") Mutation m) throws IOException {
        if (model == null) {
            model = Files.readAllBytes(TestData.model("llama-gqa.q2_k.gguf"));
            modelFields = FieldMap.of(model);
        }
        check(m.apply(model, modelFields), "model-mut.gguf");
    }

    static void check(byte[] bytes, String name) throws IOException {
        Path p = DIR.resolve(name);
        Files.write(p, bytes);
        GgufFile f;
        try {
            f = GgufFile.open(p);
        } catch (GgufFormatException e) {
            assertTrue(e.getMessage().startsWith(name + ": offset "), e.getMessage());
            assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e.getMessage());
            return;
        }
        try (f) {
            for (GgufTensor t : f.tensors()) {
                long end = f.dataOffset() + t.offset() + t.byteSize();
                assertTrue(end <= bytes.length, t.name() + " ends at " + end);
                assertEquals(t.type().bytes(t.elementCount()), t.data().byteSize());
                assertEquals(bytes[(int) end - 1], t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1));
            }
            exerciseGetters(f.metadata());
        }
    }

    static void exerciseGetters(GgufMetadata md) {
        for (Map.Entry<String, GgufValue> e : md.asMap().entrySet()) {
            String k = e.getKey();
            GgufValue v = e.getValue();
            assertTrue(v.toString() != null && v.typeName() != null);
            switch (v.type()) {
                case STRING -> md.getString(k);
                case BOOL -> md.getBoolean(k);
                case FLOAT32, FLOAT64 -> md.getDouble(k);
                case ARRAY -> {
                    assertEquals(v.length(), java.lang.reflect.Array.getLength(v.value()));
                    switch (v.elementType()) {
                        case STRING -> md.getStringArray(k);
                        case FLOAT32, FLOAT64 -> md.getFloatArray(k);
                        case BOOL -> { }
                        default -> intArrayOrClearError(md, k);
                    }
                }
                default -> {
                    if (v.type() != GgufValueType.UINT64 || (Long) v.raw() >= 0) {
                        md.getLong(k);
                    }
                }
            }
        }
    }

    private static void intArrayOrClearError(GgufMetadata md, String k) {
        try {
            md.getIntArray(k);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains(k) && e.getMessage().contains("32-bit"), e.getMessage());
        }
    }
}
