package io.jllm.bench.tokenizer;

import java.util.SplittableRandom;

/** Deterministic benchmark inputs: mixed text and the worst cases. */
public final class BenchText {
    private BenchText() {}

    private static final String[] WORDS = ("the of and to in is was he for it with as his on be at by that had not are but "
            + "from or have an they which one you were her all she there would their we him been has when who will more "
            + "no if out so said what up its about into than them can only other new some could time these two may then "
            + "do first any my now such like our over man me even most made after also did many before must through back "
            + "years where much your way well down should because each just those people how too little state good very "
            + "make world still own see men work long get here between both life being under never day same another know "
            + "Don't I'm you're we've they'll naïve café résumé").split(" ");
    private static final String[] OTHER = {"Привет, как дела? Это тест.", "Γειά σου κόσμε.", "مرحبا بالعالم ١٢٣.",
        "नमस्ते दुनिया।", "你好，世界！这是中文测试文本。", "こんにちは世界、テストです。", "안녕하세요 세계.", "Xin chào thế giới."};
    private static final String[] CODE = {"public static void main(String[] args) {\n    System.out.println(\"hi\");\n}\n",
        "def f(x):\n    return [i**2 for i in range(x) if i % 3 == 0]\n", "for (int i = 0; i < n; ++i) { a[i] += b[i]; }\n",
        "{\"key\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}\n"};
    private static final String[] EMOJI = {"😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇯🇵"};

    /** About {@code bytes} UTF-8 bytes of mixed text: mostly English prose, code, other scripts, emoji, numbers. */
    public static String mixed(int bytes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        int approx = 0;
        while (approx < bytes) {
            int k = r.nextInt(100);
            int before = sb.length();
            if (k < 60) {
                for (int i = 3 + r.nextInt(12); i > 0; i--) {
                    sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
                }
                sb.append(r.nextInt(5) == 0 ? ".\n" : ". ");
            } else if (k < 75) {
                sb.append(CODE[r.nextInt(CODE.length)]);
            } else if (k < 88) {
                sb.append(OTHER[r.nextInt(OTHER.length)]).append(' ');
                approx += 2 * (sb.length() - before);
            } else if (k < 93) {
                sb.append(EMOJI[r.nextInt(EMOJI.length)]).append(' ');
                approx += 3 * (sb.length() - before);
            } else {
                sb.append(r.nextInt(1_000_000)).append(r.nextBoolean() ? ", " : " ");
            }
            approx += sb.length() - before;
        }
        return sb.toString();
    }

    public static String input(String kind, int bytes) {
        return switch (kind) {
            case "mixed" -> mixed(bytes, 42);
            case "one-letter" -> "a".repeat(bytes);
            case "no-spaces" -> "abcdefghij".repeat(bytes / 10);
            case "digits" -> "1234567890".repeat(bytes / 10);
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
