package io.jllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written scanners against java.util.regex running the same patterns (Unicode
 * classes: {@code \s} = White_Space, {@code \p{L}}/{@code \p{N}} = general categories) on
 * random Unicode text biased towards the interesting cases.
 */
class ScannerDifferentialTest {
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = LLAMA3.replace("\\p{N}{1,3}", "\\p{N}");
    static final String CL100K = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+"
            + "| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++\\z|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";
    static final String R50K = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++\\z|\\s+(?!\\S)|\\s";
    static final String O200K = String.join("|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}", " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*", "\\s*[\\r\\n]+", "\\s+(?!\\S)", "\\s+");

    private static final int[] SPECIAL = {' ', ' ', ' ', '\n', '\r', '\t', '\'', '\'', 's', 'S', 't', 'l', 'L', 'e', 'E',
        'v', 'r', 'd', 'm', 0x17F, 0x212A, 0xA0, 0x3000, 0x2028, 0x85, 0x0B, 0x1C, '/', '.', '!', '1', '7', 0x665, 0xBD,
        0x2163, 0x301, 0x20DD, 0x200D, 0x1F600, 0x1F3FD, 0x4E2D, 'A', 'z', 0x1C5, 0x2B0, 0xC5, 0xE9, 0x10400, 0x1D400,
        0xE000, 0xFFFF, 0x378, 0xFEFF, 0x3001, 0x3002, 0x2018, 0x201F, 0xFF01, 0xFF21, 0x1F7D, 0x212A, 0x2126,
        0x4E00, 0x9FA5, 0xAC00, 0xD7FF, 0x800, 0xB5, 0x1E900, 0x10400};

    static String randomText(SplittableRandom r, int len) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < len) {
            int k = r.nextInt(10);
            int cp;
            if (k < 5) {
                cp = SPECIAL[r.nextInt(SPECIAL.length)];
            } else if (k < 7) {
                cp = 0x20 + r.nextInt(0x5F);
            } else if (k < 9) {
                cp = r.nextInt(0x3000);
            } else {
                cp = r.nextInt(0x10FFFF);
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    static List<String> pieces(PreTokenizer p, String t) {
        IntList ends = new IntList(16);
        p.split(t, 0, t.length(), ends);
        List<String> out = new ArrayList<>();
        int s = 0;
        for (int i = 0; i < ends.size; i++) {
            out.add(t.substring(s, ends.a[i]));
            s = ends.a[i];
        }
        assertEquals(t.length(), s, "pieces must cover the text");
        return out;
    }

    private static void compare(PreTokenizer scanner, String regex, long seed) {
        compare(scanner, PreTokenizer.regex(regex), seed);
    }

    private static void compare(PreTokenizer scanner, PreTokenizer ref, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int chars = 0;
        for (int i = 0; i < 4000; i++) {
            String t = randomText(r, 1 + r.nextInt(40));
            chars += t.length();
            List<String> want = pieces(ref, t);
            List<String> got = pieces(scanner, t);
            if (!want.equals(got)) {
                List<String> w = want.stream().map(JsonQuote::q).toList();
                List<String> g = got.stream().map(JsonQuote::q).toList();
                assertEquals(w, g, "text " + JsonQuote.q(t));
            }
        }
        assertEquals(true, chars > 50_000);
    }

    @Test
    void gpt2() {
        compare(Gpt2Scanner.INSTANCE, PreTokenizers.GPT2, 1);
    }

    @Test
    void r50k() {
        compare(Gpt2Scanner.INSTANCE, R50K, 2);
    }

    @Test
    void llama3() {
        compare(Llama3Scanner.LLAMA3, LLAMA3, 3);
    }

    @Test
    void qwen2() {
        compare(Llama3Scanner.QWEN2, QWEN2, 4);
    }

    @Test
    void o200k() {
        compare(O200kScanner.INSTANCE, O200K, 6);
    }

    @Test
    void deepseekLlm() {
        compare(PreTokenizers.deepseekLlm(), PreTokenizers.deepseekLlmRegex(), 7);
    }

    @Test
    void deepseekCoder() {
        compare(PreTokenizers.deepseekCoder(), PreTokenizers.deepseekCoderRegex(), 8);
    }

    @Test
    void cl100k() {
        compare(Llama3Scanner.CL100K, CL100K, 5);
    }
}
