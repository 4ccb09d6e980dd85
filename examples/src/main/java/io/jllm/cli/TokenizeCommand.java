package io.jllm.cli;

import io.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code llm tokenize VOCAB (--text S | --file F | --cases F) [--no-bos] [--special]
 * [--encoding NAME] [--json]}: token ids of a text. VOCAB is a GGUF file, a tokenizer.json, a
 * .tiktoken rank file or a tiktoken encoding name. {@code --cases} reads llama.cpp's
 * {@code .inp} format and prints one {@code .out}-format line per case (each id preceded by a
 * space), tokenized as llama.cpp's test does: no added tokens.
 */
public final class TokenizeCommand implements CliCommand, Main.ValuedOptions {
    static final Set<String> ENCODINGS = Set.of("cl100k_base", "o200k_base", "r50k_base", "p50k_base");
    static final String CASE_SEP = "\n__ggml_vocab_test__\n";

    @Override
    public String usage() {
        return "llm tokenize VOCAB (--text S | --file F | --cases F) [--no-bos] [--special] [--encoding NAME] [--json]";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("--text", "--file", "--cases", "--encoding");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String vocab = args.positional(0, "VOCAB (a .gguf, tokenizer.json, .tiktoken file or encoding name)");
        String text = args.option("--text");
        String file = args.option("--file");
        String cases = args.option("--cases");
        String encoding = args.option("--encoding");
        boolean noBos = args.flag("--no-bos");
        boolean special = args.flag("--special");
        boolean json = args.flag("--json");
        args.finish();
        if (args.positionals().size() > 1) {
            throw new CliException("unexpected argument '" + args.positionals().get(1) + "'");
        }
        int given = (text != null ? 1 : 0) + (file != null ? 1 : 0) + (cases != null ? 1 : 0);
        if (given != 1) {
            throw new CliException("give exactly one of --text, --file, --cases");
        }
        Tokenizer tok = load(vocab, encoding);
        if (cases != null) {
            List<String> inputs = splitCases(readText(cases), cases);
            List<int[]> all = new ArrayList<>();
            for (String c : inputs) {
                all.add(tok.encode(c, false, special));
            }
            if (json) {
                out.println(Json.write(Map.of("cases", all)));
            } else {
                StringBuilder sb = new StringBuilder();
                for (int[] ids : all) {
                    for (int id : ids) {
                        sb.append(' ').append(id);
                    }
                    sb.append('\n');
                }
                out.print(sb);
            }
            return 0;
        }
        String input = text != null ? text : readText(file);
        int[] ids = tok.encode(input, !noBos, special);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ids", ids);
            m.put("count", ids.length);
            out.println(Json.write(m));
        } else {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                sb.append(i > 0 ? " " : "").append(ids[i]);
            }
            out.println(sb);
        }
        return 0;
    }

    static List<String> splitCases(String all, String file) {
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (pos < all.length()) {
            int i = all.indexOf(CASE_SEP, pos);
            if (i < 0) {
                throw new CliException(file + ": byte offset " + all.substring(0, pos).getBytes(StandardCharsets.UTF_8).length
                        + ": case not terminated by '\\n__ggml_vocab_test__\\n'");
            }
            out.add(all.substring(pos, i));
            pos = i + CASE_SEP.length();
        }
        return out;
    }

    private static String readText(String file) throws IOException {
        try {
            byte[] b = Files.readAllBytes(Path.of(file));
            var dec = StandardCharsets.UTF_8.newDecoder();
            try {
                return dec.decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new CliException(file + ": not valid UTF-8");
            }
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file");
        }
    }

    static Tokenizer load(String vocab, String encoding) throws IOException {
        if (encoding != null && !ENCODINGS.contains(encoding)) {
            throw new CliException("unknown --encoding '" + encoding + "' (known: cl100k_base, o200k_base, r50k_base, p50k_base)");
        }
        Path p = Path.of(vocab);
        String name = p.getFileName() == null ? vocab : p.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (!Files.exists(p)) {
            if (ENCODINGS.contains(vocab)) {
                return Tokenizer.tiktoken(vocab);
            }
            throw new CliException(vocab + ": no such file (and not an encoding name: cl100k_base, o200k_base, r50k_base, p50k_base)");
        }
        if (lower.endsWith(".tiktoken")) {
            String enc = encoding != null ? encoding : name.substring(0, name.length() - ".tiktoken".length());
            if (!ENCODINGS.contains(enc)) {
                throw new CliException(vocab + ": cannot tell the encoding from the file name; pass --encoding NAME");
            }
            return Tokenizer.fromTiktoken(p, enc);
        }
        if (lower.endsWith(".json")) {
            return Tokenizer.fromTokenizerJson(p);
        }
        return Tokenizer.fromGguf(p);
    }
}
