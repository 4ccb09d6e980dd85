package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.jllm.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Variants of the shared tokenizer.json files (edited copies in a temp dir) against Hugging
 * Face: a TemplateProcessing post-processor (BOS/EOS around the text) and an NFKC normalizer.
 */
class HfVariantsTest {
    @TempDir
    Path tmp;

    private void compare(Path json, int chars, long seed) throws Exception {
        Tokenizer t = Tokenizer.fromTokenizerJson(json);
        List<String> docs = TextCorpus.documents(seed, chars);
        for (boolean add : new boolean[] {true, false}) {
            try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(json,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", String.valueOf(add)))) {
                for (String d : docs) {
                    int[] want = Arrays.stream(hf.encode(d).getIds()).mapToInt(x -> (int) x).toArray();
                    int[] got = t.encode(d, add, false);
                    if (!Arrays.equals(want, got)) {
                        assertArrayEquals(want, got, json.getFileName() + " add=" + add + " on " + JsonQuote.q(d));
                    }
                }
            }
        }
    }

    @Test
    void templateProcessing() throws Exception {
        String src = Files.readString(TestData.path("tokenizers", "llama3", "tokenizer.json"), StandardCharsets.UTF_8);
        String old = "\"post_processor\": {\n    \"type\": \"ByteLevel\",\n    \"add_prefix_space\": true,\n"
                + "    \"trim_offsets\": false,\n    \"use_regex\": true\n  },";
        assertTrue(src.contains(old), "llama3 tokenizer.json layout changed");
        String tpl = "\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": ["
                + "{\"SpecialToken\": {\"id\": \"<|begin_of_text|>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
                + "{\"SpecialToken\": {\"id\": \"<|end_of_text|>\", \"type_id\": 0}}],"
                + "\"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
                + "\"special_tokens\": {\"<|begin_of_text|>\": {\"id\": \"<|begin_of_text|>\", \"ids\": [128000], \"tokens\": [\"<|begin_of_text|>\"]},"
                + "\"<|end_of_text|>\": {\"id\": \"<|end_of_text|>\", \"ids\": [128001], \"tokens\": [\"<|end_of_text|>\"]}}},";
        Path json = tmp.resolve("tokenizer.json");
        Files.writeString(json, src.replace(old, tpl), StandardCharsets.UTF_8);
        Tokenizer t = Tokenizer.fromTokenizerJson(json);
        assertArrayEquals(new int[] {128000, 6151, 128001}, t.encode("hi"));
        assertTrue(t.addBos());
        compare(json, 30_000, 11);
    }

    @Test
    void nfkcNormalizer() throws Exception {
        String src = Files.readString(TestData.path("tokenizers", "qwen3", "tokenizer.json"), StandardCharsets.UTF_8);
        String old = "\"normalizer\": {\n    \"type\": \"NFC\"\n  },";
        assertTrue(src.contains(old), "qwen3 tokenizer.json layout changed");
        Path json = tmp.resolve("tokenizer.json");
        Files.writeString(json, src.replace(old, "\"normalizer\": {\"type\": \"NFKC\"},"), StandardCharsets.UTF_8);
        Tokenizer t = Tokenizer.fromTokenizerJson(json);
        Tokenizer nfc = Tokenizer.fromTokenizerJson(TestData.path("tokenizers", "qwen3", "tokenizer.json"));
        assertNotEquals(Arrays.toString(nfc.encode("ﬁ ① ｈｉ")), Arrays.toString(t.encode("ﬁ ① ｈｉ")));
        compare(json, 30_000, 12);
    }
}
