package io.jllm.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * tiktoken encodings: a rank file ({@code base64(bytes) rank} per line; the rank is the id)
 * plus the encoding's split pattern and special tokens. BPE merges the adjacent pair whose
 * concatenated bytes have the lowest rank, leftmost on ties; a piece that is itself a token is
 * emitted directly. Special tokens are plain text unless parse_special (encode_ordinary).
 */
final class Tiktoken {
    private Tiktoken() {}

    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    static Map<String, Integer> specials(String encoding) {
        Map<String, Integer> m = new LinkedHashMap<>();
        switch (encoding) {
            case "r50k_base", "p50k_base" -> m.put("<|endoftext|>", 50256);
            case "cl100k_base" -> {
                m.put("<|endoftext|>", 100257);
                m.put("<|fim_prefix|>", 100258);
                m.put("<|fim_middle|>", 100259);
                m.put("<|fim_suffix|>", 100260);
                m.put("<|endofprompt|>", 100276);
            }
            case "o200k_base" -> {
                m.put("<|endoftext|>", 199999);
                m.put("<|endofprompt|>", 200018);
            }
            default -> throw new IllegalArgumentException("unknown tiktoken encoding '" + encoding
                    + "' (known: cl100k_base, o200k_base, r50k_base, p50k_base)");
        }
        return m;
    }

    static PreTokenizer pattern(String encoding) {
        return switch (encoding) {
            case "r50k_base", "p50k_base" -> Gpt2Scanner.INSTANCE;
            case "cl100k_base" -> Llama3Scanner.CL100K;
            case "o200k_base" -> O200kScanner.INSTANCE;
            default -> throw new IllegalArgumentException("unknown tiktoken encoding '" + encoding + "'");
        };
    }

    static Tokenizer named(String encoding) throws IOException {
        specials(encoding);
        Tokenizer t = CACHE.get(encoding);
        if (t != null) {
            return t;
        }
        String res = "tiktoken/" + encoding + ".tiktoken";
        try (InputStream in = Tiktoken.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IOException("rank file for " + encoding + " is not bundled (resource io/jllm/tokenizer/" + res
                        + "); pass a .tiktoken file instead");
            }
            t = build(in, encoding, encoding);
        }
        CACHE.putIfAbsent(encoding, t);
        return t;
    }

    static Tokenizer load(Path rankFile, String encoding) throws IOException {
        specials(encoding);
        try (InputStream in = Files.newInputStream(rankFile)) {
            return build(in, encoding, rankFile.toString());
        }
    }

    private static Tokenizer build(InputStream in, String encoding, String src) throws IOException {
        List<byte[]> toks = new ArrayList<>();
        List<Integer> ranks = new ArrayList<>();
        int maxRank = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16)) {
            String line;
            int lineNo = 0;
            Base64.Decoder dec = Base64.getDecoder();
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                int sp = line.indexOf(' ');
                try {
                    if (sp <= 0) {
                        throw new IllegalArgumentException("no space");
                    }
                    byte[] b = dec.decode(line.substring(0, sp));
                    int rank = Integer.parseInt(line.substring(sp + 1).trim());
                    if (rank < 0) {
                        throw new IllegalArgumentException("negative rank");
                    }
                    toks.add(b);
                    ranks.add(rank);
                    maxRank = Math.max(maxRank, rank);
                } catch (IllegalArgumentException e) {
                    throw new IOException(src + ": line " + lineNo + ": not 'base64 rank' (" + e.getMessage() + ")");
                }
            }
        }
        Map<String, Integer> sp = specials(encoding);
        int n = maxRank + 1;
        for (int id : sp.values()) {
            n = Math.max(n, id + 1);
        }
        Vocab v = new Vocab();
        v.kind = Vocab.Kind.BPE;
        v.texts = new String[n];
        v.attrs = new int[n];
        v.pieces = new byte[n][];
        java.util.Arrays.fill(v.texts, "");
        java.util.Arrays.fill(v.pieces, new byte[0]);
        java.util.Arrays.fill(v.attrs, Vocab.UNUSED);
        BpeModel.Builder b = new BpeModel.Builder();
        for (int i = 0; i < toks.size(); i++) {
            int id = ranks.get(i);
            byte[] raw = toks.get(i);
            b.token(raw, id);
            v.texts[id] = new String(raw, StandardCharsets.UTF_8);
            v.pieces[id] = raw;
            v.attrs[id] = Vocab.NORMAL;
        }
        for (int i = 0; i < toks.size(); i++) {
            byte[] raw = toks.get(i);
            for (int k = 1; k < raw.length; k++) {
                b.splitMerge(raw, k, ranks.get(i));
            }
        }
        // every single byte has a rank in the four encodings; a file without one drops that byte
        v.bpe = b.build(raw -> new int[0], true);
        v.pre = pattern(encoding);
        v.specialMode = Vocab.SpecialMode.TIKTOKEN;
        int[] ids = new int[sp.size()];
        int k = 0;
        for (Map.Entry<String, Integer> e : sp.entrySet()) {
            int id = e.getValue();
            v.texts[id] = e.getKey();
            v.pieces[id] = e.getKey().getBytes(StandardCharsets.UTF_8);
            v.attrs[id] = Vocab.CONTROL;
            ids[k++] = id;
        }
        v.specialIds = ids;
        v.eos = sp.get("<|endoftext|>");
        v.eog.set(v.eos);
        return new Tokenizer(v);
    }
}
