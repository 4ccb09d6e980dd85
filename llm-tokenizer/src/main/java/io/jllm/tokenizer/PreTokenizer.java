package io.jllm.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into pieces before BPE. {@link #split} covers {@code [start, end)} of the text
 * completely with consecutive pieces and appends each piece's end (a char index) to
 * {@code ends}. The text has no lone surrogates (the tokenizer replaces them first).
 */
interface PreTokenizer {
    void split(String text, int start, int end, IntList ends);

    /** Applies several splitters one after another, as llama.cpp applies its regex list. */
    static PreTokenizer sequence(List<PreTokenizer> parts) {
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        PreTokenizer[] ps = parts.toArray(PreTokenizer[]::new);
        return (text, start, end, ends) -> {
            IntList cur = new IntList(16);
            cur.add(end);
            for (PreTokenizer p : ps) {
                IntList next = new IntList(cur.size * 2);
                int s = start;
                for (int i = 0; i < cur.size; i++) {
                    p.split(text, s, cur.a[i], next);
                    s = cur.a[i];
                }
                cur = next;
            }
            for (int i = 0; i < cur.size; i++) {
                ends.add(cur.a[i]);
            }
        };
    }

    /**
     * A java.util.regex splitter: matches and the gaps between them become pieces, each piece
     * matched in isolation (look-arounds and {@code \z} see the piece's bounds), as
     * llama.cpp's {@code unicode_regex_split_stl} does. {@code \s} is Unicode White_Space.
     */
    static PreTokenizer regex(String regex) {
        Pattern p = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        return (text, start, end, ends) -> {
            Matcher m = p.matcher(text);
            m.region(start, end);
            int last = start;
            while (m.find()) {
                if (m.end() == m.start()) {
                    continue;
                }
                if (m.start() > last) {
                    ends.add(m.start());
                }
                ends.add(m.end());
                last = m.end();
            }
            if (last < end) {
                ends.add(end);
            }
        };
    }
}
