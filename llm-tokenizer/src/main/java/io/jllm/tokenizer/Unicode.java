package io.jllm.tokenizer;

/**
 * Character classes used by the pre-tokenizers, as llama.cpp's {@code unicode-data} defines
 * them: {@code \s} is the Unicode White_Space property (not Java's {@link Character#isWhitespace}),
 * {@code \p{L}}, {@code \p{N}}, {@code \p{P}}, {@code \p{M}}, {@code \p{S}} are general categories
 * from the JDK's Unicode tables (Unicode 16 on JDK 25; llama.cpp's tables may be an older
 * version, so code points assigned since then can differ). BMP lookups use a 64 KiB table.
 */
final class Unicode {
    static final int WS = 1;
    static final int LETTER = 2;
    static final int NUMBER = 4;
    static final int PUNCT = 8;
    static final int MARK = 16;
    static final int SYMBOL = 32;
    static final int CONTROL = 64;
    /** Lu, Lt, Lm, Lo (o200k's "upper" letter class, together with marks). */
    static final int UPPERISH = 128;
    /** Ll, Lm, Lo (o200k's "lower" letter class, together with marks). */
    static final int LOWERISH = 256;

    private static final short[] BMP = new short[0x10000];

    static {
        for (int c = 0; c < 0x10000; c++) {
            BMP[c] = (short) compute(c);
        }
    }

    private Unicode() {}

    static int flags(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    static boolean isLetter(int cp) {
        return (flags(cp) & LETTER) != 0;
    }

    static boolean isNumber(int cp) {
        return (flags(cp) & NUMBER) != 0;
    }

    private static int compute(int cp) {
        if (isWhitespace(cp)) {
            return WS;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.TITLECASE_LETTER -> LETTER | UPPERISH;
            case Character.LOWERCASE_LETTER -> LETTER | LOWERISH;
            case Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER | UPPERISH | LOWERISH;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCT;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
                    MARK | UPPERISH | LOWERISH;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL ->
                    SYMBOL;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            default -> 0;
        };
    }
}
