package io.jllm.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** llama.cpp's {@code tokenizer.ggml.pre} values and the regex lists they select (build 4748). */
final class PreTokenizers {
    private PreTokenizers() {}

    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static final String DEEPSEEK_LLM_LETTERS = "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\\x{1F7D}ᾀ-ᾴᾶ-ᾼ\\x{1FBE}ῂ-ῄῆ-ῌῐ-\\x{1FD3}ῖ-\\x{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\\x{2126}ℨ\\x{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+";
    static final String CJK = "[一-龥ࠀ-一가-퟿]+";
    static final String BLOOM = " ?[^(\\s|.,!?…。，、।۔،)]+";

    /** What a pre value selects. */
    record Spec(PreTokenizer pre, boolean ignoreMerges, boolean addBos, boolean cleanSpaces, boolean noBos) {}

    private static PreTokenizer gpt2() {
        return Gpt2Scanner.INSTANCE;
    }

    private static PreTokenizer seq(PreTokenizer... ps) {
        return PreTokenizer.sequence(List.of(ps));
    }

    private static PreTokenizer rx(String r) {
        return PreTokenizer.regex(r);
    }

    static Spec forGguf(String pre, String src) {
        String p = pre == null ? "default" : pre;
        return switch (p) {
            case "default" -> new Spec(defaultPre(), false, false, true, false);
            case "llama3", "llama-v3", "llama-bpe", "falcon3" -> new Spec(Llama3Scanner.LLAMA3, true, true, true, false);
            case "dbrx", "smaug-bpe" -> new Spec(Llama3Scanner.LLAMA3, false, false, true, false);
            case "deepseek-llm" -> new Spec(deepseekLlm(), false, false, false, false);
            case "deepseek-coder" -> new Spec(deepseekCoder(), false, false, false, false);
            case "deepseek-v3" -> new Spec(seq(rx("\\p{N}{1,3}"), rx("[一-龥\u3040-ゟ゠-ヿ]+"),
                    rx("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")),
                    false, false, false, false);
            case "falcon" -> new Spec(seq(rx("[\\p{P}\\$\\+<=>\\^~\\|`]+"), gpt2(), rx("[0-9][0-9][0-9]")),
                    false, false, true, false);
            case "mpt", "olmo", "jais", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
                 "jina-v2-de", "jina-v2-code", "roberta-bpe" -> new Spec(gpt2(), false, false, true, false);
            case "starcoder", "refact", "codeshell", "exaone", "minerva-7b" ->
                    new Spec(seq(rx("\\p{N}"), gpt2()), false, false, true, false);
            case "command-r", "smollm" -> new Spec(seq(rx("\\p{N}"), gpt2()), false, false, false, false);
            case "qwen2", "deepseek-r1-qwen" -> new Spec(Llama3Scanner.QWEN2, false, false, false, false);
            case "stablelm2", "megrez" -> new Spec(Llama3Scanner.QWEN2, false, false, true, false);
            case "poro-chat" -> new Spec(rx(BLOOM), false, false, false, false);
            case "bloom", "gpt3-finnish" -> new Spec(rx(BLOOM), false, false, true, false);
            case "viking" -> new Spec(seq(rx(BLOOM), rx("\\p{N}")), false, false, false, false);
            case "chatglm-bpe" -> new Spec(Llama3Scanner.LLAMA3, false, false, true, true);
            case "tekken" -> new Spec(rx("[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
                    + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), true, true, false, false);
            case "chameleon" -> new Spec(seq(rx("<sentinel:[0-9]+>"), rx("(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z"),
                    rx("([\\t\\n]|    |  )"), rx("\\p{N}"), rx("[\\p{P}!-/:-@\\[-`{-~]"), gpt2()),
                    false, true, false, false);
            default -> throw new IllegalArgumentException(src + ": unknown pre-tokenizer type 'tokenizer.ggml.pre' = '"
                    + pre + "'");
        };
    }

    static final String DEEPSEEK_PUNCT = "\\s?[!-/:-~！-／：-～‘-‟　-。]+";
    private static final java.util.function.IntPredicate NEWLINE = c -> c == '\r' || c == '\n';

    private static String body(String regex) {
        return regex.substring(regex.indexOf('[') + 1, regex.lastIndexOf(']'));
    }

    /** deepseek-llm's five regexes as scanners (equivalent to {@link #deepseekLlmRegex()}). */
    static PreTokenizer deepseekLlm() {
        return seq(new ClassRunScanner(NEWLINE, ClassRunScanner.Mode.SINGLE),
                new ClassRunScanner(ClassRunScanner.parseClass(body(DEEPSEEK_LLM_LETTERS)), ClassRunScanner.Mode.SPACE_RUN),
                new ClassRunScanner(ClassRunScanner.parseClass(body(DEEPSEEK_PUNCT)), ClassRunScanner.Mode.SPACE_RUN),
                new ClassRunScanner(c -> false, ClassRunScanner.Mode.TRAILING_WS),
                new ClassRunScanner(ClassRunScanner.parseClass(body(CJK)), ClassRunScanner.Mode.RUN),
                new ClassRunScanner(Unicode::isNumber, ClassRunScanner.Mode.RUN));
    }

    static PreTokenizer deepseekLlmRegex() {
        return seq(rx("[\\r\\n]"), rx(DEEPSEEK_LLM_LETTERS), rx(DEEPSEEK_PUNCT), rx("\\s+\\z"), rx(CJK), rx("\\p{N}+"));
    }

    static PreTokenizer deepseekCoder() {
        return seq(new ClassRunScanner(NEWLINE, ClassRunScanner.Mode.SINGLE),
                new ClassRunScanner(Unicode::isLetter, ClassRunScanner.Mode.SPACE_RUN),
                new ClassRunScanner(c -> (Unicode.flags(c) & Unicode.PUNCT) != 0, ClassRunScanner.Mode.SPACE_RUN),
                new ClassRunScanner(ClassRunScanner.parseClass(body(CJK)), ClassRunScanner.Mode.RUN),
                new ClassRunScanner(Unicode::isNumber, ClassRunScanner.Mode.SINGLE));
    }

    static PreTokenizer deepseekCoderRegex() {
        return seq(rx("[\\r\\n]"), rx("\\s?\\p{L}+"), rx("\\s?\\p{P}+"), rx(CJK), rx("\\p{N}"));
    }

    private static PreTokenizer defaultPre() {
        List<PreTokenizer> l = new ArrayList<>();
        l.add(rx("[\\p{P}\\$\\+<=>\\^~\\|]+"));
        l.add(gpt2());
        l.add(rx("\\p{N}+"));
        l.add(rx("[0-9][0-9][0-9]"));
        return PreTokenizer.sequence(l);
    }
}
