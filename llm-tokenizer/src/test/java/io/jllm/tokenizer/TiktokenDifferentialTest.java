package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The four tiktoken encodings against jtokkit's encodeOrdinary on generated varied text. */
class TiktokenDifferentialTest {
    static final EncodingRegistry REG = Encodings.newDefaultEncodingRegistry();
    static final int CHARS = 650_000; // per encoding

    static EncodingType type(String name) {
        return switch (name) {
            case "cl100k_base" -> EncodingType.CL100K_BASE;
            case "o200k_base" -> EncodingType.O200K_BASE;
            case "r50k_base" -> EncodingType.R50K_BASE;
            default -> EncodingType.P50K_BASE;
        };
    }

    @TestFactory
    Stream<DynamicTest> againstJtokkit() {
        return Stream.of("cl100k_base", "o200k_base", "r50k_base", "p50k_base").map(name ->
                DynamicTest.dynamicTest(name, () -> {
                    Tokenizer t = Tokenizer.tiktoken(name);
                    Encoding ref = REG.getEncoding(type(name));
                    List<String> docs = TextCorpus.documents(name.hashCode(), CHARS);
                    long bytes = 0;
                    for (String d : docs) {
                        int[] want = ref.encodeOrdinary(d).toArray();
                        int[] got = t.encode(d, false, false);
                        if (!java.util.Arrays.equals(want, got)) {
                            assertArrayEquals(want, got, name + " differs on " + JsonQuote.q(d));
                        }
                        assertEquals(got.length, t.countTokens(d));
                        assertEquals(d, t.decode(got), name + " round trip");
                        bytes += d.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                    }
                    System.out.printf("tiktoken %s: %d documents, %.2f MB identical to jtokkit%n", name, docs.size(),
                            bytes / 1e6);
                }));
    }

    @Test
    void specialTokens() throws Exception {
        Tokenizer t = Tokenizer.tiktoken("cl100k_base");
        Encoding ref = REG.getEncoding(EncodingType.CL100K_BASE);
        String s = "hi<|endoftext|> there<|fim_prefix|>";
        assertArrayEquals(ref.encodeOrdinary(s).toArray(), t.encode(s, false, false));
        int[] a = ref.encodeOrdinary("hi").toArray();
        int[] b = ref.encodeOrdinary(" there").toArray();
        int[] want = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(java.util.Arrays.stream(a),
                java.util.stream.IntStream.of(100257)), java.util.stream.IntStream.concat(java.util.Arrays.stream(b),
                java.util.stream.IntStream.of(100258))).toArray();
        assertArrayEquals(want, t.encode(s, false, true));
        assertEquals(100277, t.vocabSize());
        assertEquals(100257, t.eosId());
        assertEquals(-1, t.bosId());
        // tiktoken replaces a lone surrogate by U+FFFD (jtokkit rejects it)
        assertArrayEquals(ref.encodeOrdinary("a\uFFFDb").toArray(), t.encode("a\uD800b", false, false));
    }
}
