package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.jllm.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** tokenizer.json files against Hugging Face tokenizers (Rust, through DJL) on generated varied text. */
class HfDifferentialTest {
    static final int CHARS = 1_200_000; // per tokenizer: with the tiktoken test, over 5 MB compared in all

    static int[] ids(HuggingFaceTokenizer hf, String s) {
        return Arrays.stream(hf.encode(s).getIds()).mapToInt(x -> (int) x).toArray();
    }

    @TestFactory
    Stream<DynamicTest> againstHuggingFace() {
        return Stream.of("llama3", "qwen3").map(name -> DynamicTest.dynamicTest(name, () -> {
            Path json = TestData.path("tokenizers", name, "tokenizer.json");
            Tokenizer t = Tokenizer.fromTokenizerJson(json);
            try (HuggingFaceTokenizer with = HuggingFaceTokenizer.newInstance(json,
                        Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true"));
                 HuggingFaceTokenizer without = HuggingFaceTokenizer.newInstance(json,
                        Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
                List<String> docs = TextCorpus.documents(name.hashCode() * 31L, CHARS);
                // special tokens in the middle of text: HF matches added tokens always
                docs = new java.util.ArrayList<>(docs);
                docs.add("<|begin_of_text|>Hi<|eot_id|> <|im_start|>user\nhello<|im_end|><think> x </think>");
                docs.add("");
                docs.add("don'ſt 'ſſ 'Sa 'Sx 'LLama 'KK 'K'k");
                long bytes = 0;
                for (int i = 0; i < docs.size(); i++) {
                    String d = docs.get(i);
                    boolean add = i % 2 == 0;
                    int[] want = ids(add ? with : without, d);
                    int[] got = t.encode(d, add, false);
                    if (!Arrays.equals(want, got)) {
                        assertArrayEquals(want, got, name + " (addSpecial " + add + ") differs on " + JsonQuote.q(d));
                    }
                    assertEquals(got.length, t.countTokens(d, add, false));
                    bytes += d.getBytes(StandardCharsets.UTF_8).length;
                }
                System.out.printf("tokenizer.json %s: %d documents, %.2f MB identical to Hugging Face tokenizers%n", name,
                        docs.size(), bytes / 1e6);
            }
        }));
    }
}
