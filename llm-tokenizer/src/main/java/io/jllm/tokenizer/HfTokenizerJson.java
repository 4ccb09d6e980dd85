package io.jllm.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Hugging Face {@code tokenizer.json} with a byte-level BPE model: Sequence/Split/ByteLevel/
 * Digits pre-tokenizers (known Split patterns run on the hand-written scanners, others on
 * java.util.regex), NFC/NFKC/NFD/NFKD/Lowercase normalizers, both merge formats, ignore_merges,
 * byte_fallback, added tokens (always matched, longest first at the leftmost position, with
 * lstrip/rstrip/single_word) and TemplateProcessing/Bert/Roberta post-processors.
 */
final class HfTokenizerJson {
    private HfTokenizerJson() {}

    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = LLAMA3.replace("\\p{N}{1,3}", "\\p{N}");
    static final String GPT2_HF = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o, String what, String src) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(src + ": field '" + what + "' must be an object");
    }

    private static boolean bool(Map<String, Object> m, String k, boolean def) {
        Object o = m.get(k);
        return o instanceof Boolean b ? b : def;
    }

    static Tokenizer load(Path path) throws IOException {
        String src = path.toString();
        Map<String, Object> root = obj(MiniJson.parse(Files.readString(path, StandardCharsets.UTF_8), src), "(root)", src);
        Map<String, Object> model = obj(root.get("model"), "model", src);
        Object type = model.get("type");
        if (type != null && !"BPE".equals(type)) {
            throw new IllegalArgumentException(src + ": field 'model.type' = '" + type + "' is not supported (only BPE)");
        }
        for (String k : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            Object o = model.get(k);
            if (o instanceof String s && !s.isEmpty()) {
                throw new IllegalArgumentException(src + ": field 'model." + k + "' is not supported");
            }
        }
        Vocab v = new Vocab();
        v.kind = Vocab.Kind.BPE;
        v.specialMode = Vocab.SpecialMode.HF;

        List<PreTokenizer> pres = new ArrayList<>();
        boolean[] byteLevel = {false};
        parsePre(root.get("pre_tokenizer"), pres, byteLevel, v, src, true);
        if (!byteLevel[0]) {
            throw new IllegalArgumentException(src + ": only byte-level BPE (a ByteLevel pre-tokenizer) is supported");
        }
        v.pre = pres.isEmpty() ? (t, s, e, ends) -> ends.add(e) : PreTokenizer.sequence(pres);
        v.normalizer = normalizer(root.get("normalizer"), src);

        Map<String, Object> vocab = obj(model.get("vocab"), "model.vocab", src);
        List<?> added = root.get("added_tokens") instanceof List<?> l ? l : List.of();
        int n = 0;
        for (Object id : vocab.values()) {
            n = Math.max(n, ((Number) id).intValue() + 1);
        }
        for (Object a : added) {
            n = Math.max(n, ((Number) obj(a, "added_tokens[]", src).get("id")).intValue() + 1);
        }
        v.texts = new String[n];
        v.attrs = new int[n];
        v.pieces = new byte[n][];
        java.util.Arrays.fill(v.texts, "");
        java.util.Arrays.fill(v.attrs, Vocab.UNUSED);
        java.util.Arrays.fill(v.pieces, new byte[0]);
        BpeModel.Builder b = new BpeModel.Builder();
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            int id = ((Number) e.getValue()).intValue();
            v.texts[id] = e.getKey();
            v.attrs[id] = Vocab.NORMAL;
            v.pieces[id] = ByteLevel.decodeLenient(e.getKey());
            byte[] raw = ByteLevel.decodeOrNull(e.getKey());
            if (raw != null) {
                b.token(raw, id);
            }
        }
        List<?> merges = model.get("merges") instanceof List<?> l ? l : List.of();
        for (int r = 0; r < merges.size(); r++) {
            Object m = merges.get(r);
            String left;
            String right;
            if (m instanceof String s) {
                int sp = s.indexOf(' ');
                if (sp < 0) {
                    throw new IllegalArgumentException(src + ": field 'model.merges[" + r + "]' ('" + s + "') has no space");
                }
                left = s.substring(0, sp);
                right = s.substring(sp + 1);
            } else if (m instanceof List<?> p && p.size() == 2) {
                left = (String) p.get(0);
                right = (String) p.get(1);
            } else {
                throw new IllegalArgumentException(src + ": field 'model.merges[" + r + "]' must be \"a b\" or [\"a\", \"b\"]");
            }
            byte[] lb = ByteLevel.decodeOrNull(left);
            byte[] rb = ByteLevel.decodeOrNull(right);
            if (lb != null && rb != null) {
                b.merge(lb, rb, r);
            }
        }
        boolean byteFallback = bool(model, "byte_fallback", false);
        int unk = model.get("unk_token") instanceof String u && vocab.get(u) instanceof Number un ? un.intValue() : -1;
        int[] byteTok = new int[256];
        for (int i = 0; i < 256; i++) {
            Object id = vocab.get(String.format("<0x%02X>", i));
            byteTok[i] = id instanceof Number num ? num.intValue() : -1;
        }
        v.bpe = b.build(raw -> {
            if (byteFallback) {
                int[] out = new int[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    out[i] = byteTok[raw[i] & 0xFF] >= 0 ? byteTok[raw[i] & 0xFF] : unk;
                }
                return java.util.Arrays.stream(out).filter(x -> x >= 0).toArray();
            }
            return unk >= 0 ? new int[] {unk} : new int[0];
        }, bool(model, "ignore_merges", false));

        List<Integer> specials = new ArrayList<>();
        for (Object a : added) {
            Map<String, Object> t = obj(a, "added_tokens[]", src);
            int id = ((Number) t.get("id")).intValue();
            String content = (String) t.get("content");
            v.texts[id] = content;
            int attr = bool(t, "special", false) ? Vocab.CONTROL : Vocab.USER_DEFINED;
            if (bool(t, "lstrip", false)) {
                attr |= Vocab.LSTRIP;
            }
            if (bool(t, "rstrip", false)) {
                attr |= Vocab.RSTRIP;
            }
            if (bool(t, "single_word", false)) {
                attr |= Vocab.SINGLE_WORD;
            }
            v.attrs[id] = attr;
            v.pieces[id] = content.getBytes(StandardCharsets.UTF_8);
            specials.add(id);
        }
        v.specialIds = specials.stream().mapToInt(Integer::intValue).toArray();
        postProcessor(root.get("post_processor"), v, vocab, src);
        for (int id : v.specialIds) {
            String t = v.texts[id];
            if (t.equals("<|end_of_text|>") || t.equals("<|endoftext|>") || t.equals("</s>")) {
                if (v.eos < 0) {
                    v.eos = id;
                }
            }
            if (t.equals("<|eot_id|>") || t.equals("<|im_end|>") || t.equals("<|eom_id|>") || t.equals("<|end|>")
                    || t.equals("<|endoftext|>") || t.equals("<|end_of_text|>") || t.equals("</s>")) {
                v.eog.set(id);
            }
        }
        return new Tokenizer(v);
    }

    private static void parsePre(Object o, List<PreTokenizer> out, boolean[] byteLevel, Vocab v, String src, boolean first) {
        if (o == null) {
            return;
        }
        Map<String, Object> m = obj(o, "pre_tokenizer", src);
        String type = String.valueOf(m.get("type"));
        switch (type) {
            case "Sequence" -> {
                boolean f = first;
                for (Object p : (List<?>) m.get("pretokenizers")) {
                    parsePre(p, out, byteLevel, v, src, f);
                    f = false;
                }
            }
            case "ByteLevel" -> {
                byteLevel[0] = true;
                if (bool(m, "add_prefix_space", false)) {
                    if (!first) {
                        throw new IllegalArgumentException(src + ": ByteLevel add_prefix_space after another pre-tokenizer is not supported");
                    }
                    v.prefixSpace = true;
                }
                if (bool(m, "use_regex", true)) {
                    out.add(Gpt2Scanner.INSTANCE);
                }
            }
            case "Split" -> {
                Object behavior = m.get("behavior");
                if (!"Isolated".equals(behavior) || bool(m, "invert", false)) {
                    throw new IllegalArgumentException(src + ": Split behavior '" + behavior + "' (invert "
                            + m.get("invert") + ") is not supported (only Isolated)");
                }
                Map<String, Object> p = obj(m.get("pattern"), "pre_tokenizer.pattern", src);
                if (p.get("Regex") instanceof String r) {
                    out.add(splitter(r));
                } else if (p.get("String") instanceof String s) {
                    out.add(PreTokenizer.regex(java.util.regex.Pattern.quote(s)));
                } else {
                    throw new IllegalArgumentException(src + ": Split pattern must be Regex or String");
                }
            }
            case "Digits" -> out.add(PreTokenizer.regex(bool(m, "individual_digits", false) ? "\\p{N}" : "\\p{N}+"));
            default -> throw new IllegalArgumentException(src + ": pre-tokenizer type '" + type + "' is not supported");
        }
    }

    static PreTokenizer splitter(String regex) {
        if (regex.equals(LLAMA3)) {
            return Llama3Scanner.LLAMA3_FOLD;
        }
        if (regex.equals(QWEN2)) {
            return Llama3Scanner.QWEN2_FOLD;
        }
        if (regex.equals(GPT2_HF) || regex.equals(PreTokenizers.GPT2)) {
            return Gpt2Scanner.INSTANCE;
        }
        return PreTokenizer.regex(regex);
    }

    private static UnaryOperator<String> normalizer(Object o, String src) {
        if (o == null) {
            return null;
        }
        Map<String, Object> m = obj(o, "normalizer", src);
        String type = String.valueOf(m.get("type"));
        return switch (type) {
            case "NFC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFC);
            case "NFKC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
            case "NFD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFD);
            case "NFKD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
            case "Lowercase" -> s -> s.toLowerCase(Locale.ROOT);
            case "Sequence" -> {
                List<UnaryOperator<String>> parts = new ArrayList<>();
                for (Object p : (List<?>) m.get("normalizers")) {
                    UnaryOperator<String> u = normalizer(p, src);
                    if (u != null) {
                        parts.add(u);
                    }
                }
                yield s -> {
                    for (UnaryOperator<String> u : parts) {
                        s = u.apply(s);
                    }
                    return s;
                };
            }
            default -> throw new IllegalArgumentException(src + ": normalizer type '" + type + "' is not supported");
        };
    }

    private static int idOf(Object spec, Map<String, Object> vocab, Vocab v, String src) {
        if (spec instanceof List<?> l && l.size() == 2) {
            return ((Number) l.get(1)).intValue();
        }
        throw new IllegalArgumentException(src + ": post_processor token must be [\"text\", id]");
    }

    private static void postProcessor(Object o, Vocab v, Map<String, Object> vocab, String src) {
        if (o == null) {
            return;
        }
        Map<String, Object> m = obj(o, "post_processor", src);
        String type = String.valueOf(m.get("type"));
        switch (type) {
            case "ByteLevel" -> { }
            case "Sequence" -> {
                for (Object p : (List<?>) m.get("processors")) {
                    postProcessor(p, v, vocab, src);
                }
            }
            case "BertProcessing", "RobertaProcessing" -> {
                v.prefixIds = new int[] {idOf(m.get("cls"), vocab, v, src)};
                v.suffixIds = new int[] {idOf(m.get("sep"), vocab, v, src)};
                v.bos = v.prefixIds[0];
            }
            case "TemplateProcessing" -> {
                Map<String, Object> sp = m.get("special_tokens") instanceof Map<?, ?> x ? obj(x, "special_tokens", src) : Map.of();
                List<Integer> pre = new ArrayList<>();
                List<Integer> post = new ArrayList<>();
                boolean seen = false;
                for (Object piece : (List<?>) m.get("single")) {
                    Map<String, Object> p = obj(piece, "post_processor.single[]", src);
                    if (p.containsKey("Sequence")) {
                        seen = true;
                        continue;
                    }
                    Map<String, Object> st = obj(p.get("SpecialToken"), "SpecialToken", src);
                    Map<String, Object> def = obj(sp.get(String.valueOf(st.get("id"))), "special_tokens." + st.get("id"), src);
                    for (Object id : (List<?>) def.get("ids")) {
                        (seen ? post : pre).add(((Number) id).intValue());
                    }
                }
                v.prefixIds = pre.stream().mapToInt(Integer::intValue).toArray();
                v.suffixIds = post.stream().mapToInt(Integer::intValue).toArray();
                if (!pre.isEmpty()) {
                    v.bos = pre.getFirst();
                }
            }
            default -> throw new IllegalArgumentException(src + ": post_processor type '" + type + "' is not supported");
        }
    }
}
