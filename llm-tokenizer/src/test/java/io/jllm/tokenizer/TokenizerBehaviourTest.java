package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Decode, streaming, special tokens and flags as llama.cpp defines them. */
class TokenizerBehaviourTest {
    static Tokenizer vocab(String name) throws Exception {
        return Tokenizer.fromGguf(TestData.path("vocab", "ggml-vocab-" + name + ".gguf"));
    }

    static boolean contains(int[] a, int v) {
        return Arrays.stream(a).anyMatch(x -> x == v);
    }

    @Test
    void sentencePieceAddsBosAndSpacePrefixAndDecodes() throws Exception {
        Tokenizer t = vocab("llama-spm");
        assertArrayEquals(new int[] {1, 15043, 3186}, t.encode("Hello world"));
        assertEquals("Hello world", t.decode(new int[] {15043, 3186}));
        // llama_detokenize: BOS (not rendered) still uses up the leading-space removal
        assertEquals(" Hello world", t.decode(new int[] {1, 15043, 3186}));
        assertEquals("<s> Hello world", t.decode(new int[] {1, 15043, 3186}, true));
        assertArrayEquals(new int[] {1}, t.encode(""));
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertTrue(t.isEndOfGeneration(2));
        assertFalse(t.isEndOfGeneration(15043));
    }

    @Test
    void streamingDecoderEmitsWholeCharacters() throws Exception {
        String text = "日本語 ok 👨‍👩‍👧 é";
        for (String name : new String[] {"llama-spm", "gpt-2", "llama-bpe"}) {
            Tokenizer t = vocab(name);
            int[] ids = t.encode(text, false, false);
            StreamingDecoder d = t.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String s = d.accept(id);
                assertFalse(s.contains("\uFFFD"), name + ": partial character emitted");
                sb.append(s);
            }
            sb.append(d.flush());
            String want = name.equals("llama-spm") ? " " + text : text;
            assertEquals(want, sb.toString(), name);
            assertEquals(text, t.decode(ids), name);
        }
    }

    @Test
    void streamingFlushReplacesIncompleteBytes() throws Exception {
        Tokenizer t = vocab("gpt-2");
        int[] ids = t.encode("日", false, false);
        assertTrue(ids.length > 1, "needs a character split across tokens");
        StreamingDecoder d = t.streamingDecoder();
        assertEquals("", d.accept(ids[0]));
        assertEquals("\uFFFD", d.flush());
    }

    @Test
    void controlTokensParsedOnlyOnRequest() throws Exception {
        Tokenizer t = vocab("llama-bpe");
        assertArrayEquals(new int[] {128000, 6151}, t.encode("<|begin_of_text|>hi", false, true));
        assertFalse(contains(t.encode("<|begin_of_text|>hi", false, false), 128000));
        assertArrayEquals(new int[] {128000, 128000, 6151}, t.encode("<|begin_of_text|>hi", true, true));
        assertTrue(t.addBos());
        assertEquals("<|begin_of_text|>hi", t.decode(new int[] {128000, 6151}, true));
        assertEquals("hi", t.decode(new int[] {128000, 6151}));
    }

    @Test
    void userDefinedTokensAlwaysMatchedFimForcedToControl() throws Exception {
        Tokenizer t = vocab("qwen2");
        int think = 151667;
        assertEquals("<think>", t.tokenText(think));
        assertTrue(contains(t.encode("a<think>b", false, false), think));
        int fim = 151659;
        assertEquals("<|fim_prefix|>", t.tokenText(fim));
        assertFalse(contains(t.encode("a<|fim_prefix|>b", false, false), fim));
        assertTrue(contains(t.encode("a<|fim_prefix|>b", false, true), fim));
        assertTrue(t.isEndOfGeneration(151645));
        assertTrue(t.isEndOfGeneration(151643));
        assertFalse(t.addBos());
    }

    @Test
    void bertAddsClsAndSep() throws Exception {
        Tokenizer t = vocab("bert-bge");
        int[] ids = t.encode("Hello world");
        assertEquals(101, ids[0]);
        assertEquals(102, ids[ids.length - 1]);
        assertEquals(ids.length - 2, t.encode("Hello world", false, false).length);
    }

    @Test
    void loneSurrogatesAreReplacementCharacters() throws Exception {
        for (String name : new String[] {"llama-spm", "llama-bpe"}) {
            Tokenizer t = vocab(name);
            assertArrayEquals(t.encode("a\uFFFDb\uFFFD"), t.encode("a\uD800b\uDC00"), name);
        }
    }

    @Test
    void tokenBytesAndErrors() throws Exception {
        Tokenizer t = vocab("gpt-2");
        assertArrayEquals(new byte[] {' '}, t.tokenBytes(220));
        assertEquals("\u0120", t.tokenText(220));
        assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(50257));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {-1}));
        assertEquals(50257, t.vocabSize());
    }

    @Test
    void cleanSpacesAsLlamaCpp() throws Exception {
        Tokenizer t = vocab("gpt-2");
        int[] ids = t.encode("Hello , world . I 'm here", false, false);
        assertEquals("Hello, world. I'm here", t.decode(ids));
    }
}
