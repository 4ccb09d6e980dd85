package io.jllm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic varied text for differential tests: English prose, other scripts, code, emoji
 * with ZWJ sequences and skin tones, combining marks, whitespace runs, numbers, contractions,
 * and random valid Unicode. Returned as documents of a few hundred to a few thousand chars.
 */
final class TextCorpus {
    private TextCorpus() {}

    private static final String[] EN = ("the of and to in is was he for it with as his on be at by I that had not are but from "
            + "or have an they which one you were her all she there would their we him been has when who will more no if out "
            + "so said what up its about into than them can only other new some could time these two may then do first any "
            + "my now such like our over man me even most made after also did many before must through back years where much "
            + "your way well down should because each just those people Mr how too little state good very make world still "
            + "own see men work long get here between both life being under never day same another know while last might us "
            + "great old year off come since against go came right used take three Don't I'm you're we've they'll she'd IT'S "
            + "WE'RE O'Neil rock'n'roll naïve café résumé coöperate façade jalapeño").split(" ");
    private static final String[] OTHER = {
        "Привет, как дела? Это тест на русском языке.", "Γειά σου κόσμε· αυτό είναι ελληνικά.",
        "مرحبا بالعالم، هذا نص عربي ١٢٣٤.", "שלום עולם, זה טקסט בעברית.", "नमस्ते दुनिया, यह हिंदी में है। १२३",
        "你好，世界！这是中文测试文本，包含标点符号。", "こんにちは世界、これはテストです。カタカナもあります。",
        "안녕하세요 세계, 이것은 한국어 테스트입니다.", "สวัสดีชาวโลก นี่คือภาษาไทย", "Xin chào thế giới, đây là tiếng Việt.",
        "Ça va? Élève, œuvre, Straße, ß, ǅ ǈ ǋ, ΣΊΣΥΦΟΣ, ﬁ ﬂ ﬀ", "ქართული ენა, Հայերեն լեզու, ᏣᎳᎩ",
        "𝐀𝐁𝐂 𝕏𝕐 𐐀𐐨 𝟙𝟚𝟛 ⅯⅯⅩⅩⅣ ½ ¾ ²³", "e\u0301 a\u0308 n\u0303 o\u0302\u0323 \u0915\u094D\u0937 \u05D1\u05BC Z\u0351\u0353\u0357",
    };
    private static final String[] CODE = {
        "public static void main(String[] args) {\n    System.out.println(\"Hello, world!\");\n}\n",
        "def f(x):\n\treturn [i**2 for i in range(x) if i % 3 == 0]  # comment\n",
        "for (int i = 0; i < n; ++i) { a[i] += b[i] * 2; }\r\n",
        "SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%smith%';\n",
        "<div class=\"x\">&nbsp;<a href='https://example.com/path?q=1&r=2'>link</a></div>\n",
        "{\"key\": [1, 2.5e-3, true, null], \"nested\": {\"a\": \"b\"}}\n", "    \n\n\t\t  \r\n   x   \n",
        "$ ls -la | grep '^d' && echo \"done\" >> /tmp/log 2>&1\n", "let x = a?.b ?? c; x => x ** 2; /* ... */ // ok",
    };
    private static final String[] EMOJI = {"😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇯🇵", "🧑🏿‍💻", "👩‍❤️‍💋‍👨", "✊🏻", "#️⃣", "🫠"};
    private static final String[] WS = {" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00A0", "\u3000", "\u2009",
        "\u200B", "\u2028", "        ", "\n\n\n   "};

    static List<String> documents(long seed, int totalChars) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> docs = new ArrayList<>();
        int total = 0;
        while (total < totalChars) {
            String d = document(r, 200 + r.nextInt(3000));
            docs.add(d);
            total += d.length();
        }
        return docs;
    }

    static String document(SplittableRandom r, int len) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < len) {
            int k = r.nextInt(100);
            if (k < 40) {
                int words = 3 + r.nextInt(15);
                for (int i = 0; i < words; i++) {
                    String w = EN[r.nextInt(EN.length)];
                    if (i == 0 || r.nextInt(12) == 0) {
                        w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                    }
                    sb.append(w).append(r.nextInt(10) == 0 ? ", " : " ");
                }
                sb.append(".!?".charAt(r.nextInt(3))).append(r.nextInt(4) == 0 ? "\n" : " ");
            } else if (k < 55) {
                sb.append(OTHER[r.nextInt(OTHER.length)]).append(' ');
            } else if (k < 67) {
                sb.append(CODE[r.nextInt(CODE.length)]);
            } else if (k < 74) {
                for (int i = r.nextInt(4); i >= 0; i--) {
                    sb.append(EMOJI[r.nextInt(EMOJI.length)]);
                }
                sb.append(r.nextBoolean() ? " " : "");
            } else if (k < 82) {
                sb.append(WS[r.nextInt(WS.length)]);
            } else if (k < 90) {
                switch (r.nextInt(4)) {
                    case 0 -> sb.append(r.nextLong());
                    case 1 -> sb.append(r.nextInt(100000)).append('.').append(r.nextInt(1000));
                    case 2 -> sb.append("1234567890".repeat(1 + r.nextInt(5)));
                    default -> sb.append(" ").append(r.nextInt(2025)).append("-").append(1 + r.nextInt(12));
                }
            } else if (k < 95) {
                String[] c = "'s 'S 'T 'LL 're 'Ve 'ſ 'm 'D ' '' x'y".split(" ");
                sb.append(c[r.nextInt(c.length)]);
            } else {
                for (int i = 1 + r.nextInt(8); i > 0; i--) {
                    int cp = r.nextInt(4) == 0 ? r.nextInt(0x30000) : r.nextInt(0x3000);
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        continue;
                    }
                    sb.appendCodePoint(cp);
                }
            }
        }
        return sb.toString();
    }
}
