package io.jllm.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** llama.cpp's tokenizer test vectors: {@code .inp} cases and {@code .out} ids. */
record VocabCases(List<String> inputs, List<int[]> expected) {
    static final String SEP = "\n__ggml_vocab_test__\n";

    static List<String> readInputs(String all) {
        List<String> cases = new ArrayList<>();
        int pos = 0;
        while (pos < all.length()) {
            int i = all.indexOf(SEP, pos);
            if (i < 0) {
                break;
            }
            cases.add(all.substring(pos, i));
            pos = i + SEP.length();
        }
        return cases;
    }

    static VocabCases read(Path inp, Path out) throws IOException {
        List<String> in = readInputs(Files.readString(inp, StandardCharsets.UTF_8));
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        List<int[]> ids = new ArrayList<>();
        for (String l : lines) {
            String t = l.trim();
            ids.add(t.isEmpty() ? new int[0] : Arrays.stream(t.split("\\s+")).mapToInt(Integer::parseInt).toArray());
        }
        while (ids.size() > in.size() && lines.get(ids.size() - 1).isEmpty()) {
            ids.removeLast();
        }
        return new VocabCases(in, ids);
    }
}
