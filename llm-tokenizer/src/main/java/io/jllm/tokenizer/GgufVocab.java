package io.jllm.tokenizer;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads {@code tokenizer.ggml.*} metadata as llama.cpp's {@code llama_vocab::load} (build 4748). */
final class GgufVocab {
    private GgufVocab() {}

    private static final Set<String> EOT_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<EOT>", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>");
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>");
    private static final List<Set<String>> FIM_TEXTS = List.of(
            Set.of("<|fim_prefix|>", "<fim-prefix>", "<\uFF5Cfim\u2581begin\uFF5C>", "<PRE>"),
            Set.of("<|fim_suffix|>", "<fim-suffix>", "<\uFF5Cfim\u2581hole\uFF5C>", "<SUF>"),
            Set.of("<|fim_middle|>", "<fim-middle>", "<\uFF5Cfim\u2581end\uFF5C>", "<MID>"),
            Set.of("<|fim_pad|>", "<fim-pad>", "<PAD>"),
            Set.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>"),
            Set.of("<|file_sep|>"));

    static Tokenizer load(GgufFile file) {
        GgufMetadata md = file.metadata();
        String src = file.path().getFileName().toString();
        String model = md.getString("tokenizer.ggml.model", null);
        if (model == null) {
            throw new IllegalArgumentException(src + ": metadata key 'tokenizer.ggml.model' is missing (no vocabulary)");
        }
        Vocab v = new Vocab();
        String[] texts = md.getStringArray("tokenizer.ggml.tokens");
        int n = texts.length;
        v.texts = texts;
        int[] types = md.contains("tokenizer.ggml.token_type") ? md.getIntArray("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != n) {
            throw new IllegalArgumentException(src + ": 'tokenizer.ggml.token_type' has " + types.length
                    + " entries but 'tokenizer.ggml.tokens' has " + n);
        }
        float[] scores = md.contains("tokenizer.ggml.scores") ? md.getFloatArray("tokenizer.ggml.scores") : null;
        if (scores != null && scores.length != n) {
            throw new IllegalArgumentException(src + ": 'tokenizer.ggml.scores' has " + scores.length
                    + " entries but 'tokenizer.ggml.tokens' has " + n);
        }
        v.attrs = new int[n];
        for (int i = 0; i < n; i++) {
            int t = types == null ? 1 : types[i];
            v.attrs[i] = switch (t) {
                case 2 -> Vocab.UNKNOWN;
                case 5 -> Vocab.UNUSED;
                case 1 -> Vocab.NORMAL;
                case 3 -> Vocab.CONTROL;
                case 4 -> Vocab.USER_DEFINED;
                case 6 -> Vocab.BYTE;
                default -> 0;
            };
        }
        int unk;
        int pad = -1;
        switch (model) {
            case "llama" -> {
                v.kind = Vocab.Kind.SPM;
                v.bos = 1;
                v.eos = 2;
                unk = 0;
            }
            case "gpt2" -> {
                v.kind = Vocab.Kind.BPE;
                v.bos = 11;
                v.eos = 11;
                unk = -1;
            }
            case "bert" -> {
                v.kind = Vocab.Kind.WPM;
                v.bos = 101;
                v.eos = -1;
                unk = 100;
                v.sep = 102;
                pad = 0;
            }
            default -> throw new IllegalArgumentException(src + ": metadata 'tokenizer.ggml.model' = '" + model
                    + "' is not supported (supported: llama, gpt2, bert)");
        }
        String pre = md.getString("tokenizer.ggml.pre", null);
        boolean ignoreMerges = false;
        switch (v.kind) {
            case BPE -> {
                v.addSpacePrefix = false;
                v.cleanSpaces = true;
                PreTokenizers.Spec spec = PreTokenizers.forGguf(pre, src);
                v.pre = spec.pre();
                ignoreMerges = spec.ignoreMerges();
                if (spec.addBos()) {
                    v.addBos = true;
                }
                if (!spec.cleanSpaces()) {
                    v.cleanSpaces = false;
                }
                if (spec.noBos()) {
                    v.bos = -1;
                }
            }
            case SPM -> {
                v.addSpacePrefix = true;
                v.cleanSpaces = false;
                v.addBos = true;
                v.addEos = false;
            }
            case WPM -> {
                v.addSpacePrefix = false;
                v.cleanSpaces = true;
                v.addBos = true;
                v.addEos = false;
                v.addSep = true;
            }
        }
        v.addSpacePrefix = md.getBoolean("tokenizer.ggml.add_space_prefix", v.addSpacePrefix);

        // special ids from metadata (out-of-range values keep the default, as llama.cpp)
        v.bos = specialId(md, "tokenizer.ggml.bos_token_id", v.bos, n);
        v.eos = specialId(md, "tokenizer.ggml.eos_token_id", v.eos, n);
        int eot = specialId(md, "tokenizer.ggml.eot_token_id", -1, n);
        int eom = specialId(md, "tokenizer.ggml.eom_token_id", -1, n);
        unk = specialId(md, "tokenizer.ggml.unknown_token_id", unk, n);
        v.sep = specialId(md, "tokenizer.ggml.seperator_token_id", v.sep, n);
        specialId(md, "tokenizer.ggml.padding_token_id", pad, n);
        if (v.kind == Vocab.Kind.WPM && !md.contains("tokenizer.ggml.bos_token_id")) {
            v.bos = specialId(md, "tokenizer.ggml.cls_token_id", v.bos, n);
        }
        int[] fim = new int[6];
        String[] fimKeys = {"fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep"};
        for (int i = 0; i < 6; i++) {
            fim[i] = specialId(md, "tokenizer.ggml." + fimKeys[i] + "_token_id", -1, n);
        }
        fim[0] = specialId(md, "tokenizer.ggml.prefix_token_id", fim[0], n);
        fim[1] = specialId(md, "tokenizer.ggml.suffix_token_id", fim[1], n);
        fim[2] = specialId(md, "tokenizer.ggml.middle_token_id", fim[2], n);
        if (md.contains("tokenizer.ggml.add_bos_token")) {
            v.addBos = md.getBoolean("tokenizer.ggml.add_bos_token");
        }
        if (md.contains("tokenizer.ggml.add_eos_token")) {
            v.addEos = md.getBoolean("tokenizer.ggml.add_eos_token");
        }

        // auto-detect special tokens by text (token_to_id: the last id with a text wins)
        Map<String, Integer> byText = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            byText.put(texts[i], i);
        }
        for (Map.Entry<String, Integer> e : byText.entrySet()) {
            String t = e.getKey();
            int id = e.getValue();
            if (eot < 0 && EOT_TEXTS.contains(t)) {
                eot = id;
                v.attrs[id] = forceControl(v.attrs[id]);
            }
            if (eom < 0 && t.equals("<|eom_id|>")) {
                eom = id;
                v.attrs[id] = forceControl(v.attrs[id]);
            }
            for (int k = 0; k < 6; k++) {
                if (fim[k] < 0 && FIM_TEXTS.get(k).contains(t)) {
                    fim[k] = id;
                    v.attrs[id] = forceControl(v.attrs[id]);
                }
            }
        }
        for (int k = 3; k < 6; k++) {
            if (fim[k] >= 0) {
                v.eog.set(fim[k]);
            }
        }
        for (Map.Entry<String, Integer> e : byText.entrySet()) {
            if (EOG_TEXTS.contains(e.getKey())) {
                v.eog.set(e.getValue());
                v.attrs[e.getValue()] = forceControl(v.attrs[e.getValue()]);
            }
        }
        for (int id : new int[] {v.eos, eot, eom}) {
            if (id >= 0) {
                v.eog.set(id);
            }
        }

        // special-token cache: CONTROL | USER_DEFINED | UNKNOWN, longest text first
        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((v.attrs[i] & (Vocab.CONTROL | Vocab.USER_DEFINED | Vocab.UNKNOWN)) != 0) {
                specials.add(i);
            }
        }
        specials.sort(Comparator.comparingInt((Integer i) -> -utf8Len(texts[i])).thenComparingInt(i -> i));
        v.specialIds = specials.stream().mapToInt(Integer::intValue).toArray();

        // per-token attributes by model / tokenizer name
        String name = md.getString("general.name", "");
        name = name == null ? "" : name.toLowerCase(Locale.ROOT);
        String preName = pre == null ? "" : pre;
        if (preName.contains("jina-v2-de") || preName.contains("jina-v2-es") || preName.contains("jina-v2-code")) {
            Integer mask = byText.get("<mask>");
            if (mask != null) {
                v.attrs[mask] |= Vocab.LSTRIP;
            }
        } else if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : v.specialIds) {
                v.attrs[id] |= Vocab.RSTRIP;
            }
            setAttr(v, byText, "</s>", Vocab.RSTRIP, true);
            for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) {
                setAttr(v, byText, t, Vocab.RSTRIP, false);
            }
        }

        // model-specific tables
        switch (v.kind) {
            case BPE -> v.bpe = buildBpe(md, texts, src, ignoreMerges);
            case SPM -> v.spm = buildSpm(texts, scores, v.attrs);
            case WPM -> v.wpm = new WpmModel(tokenMap(texts), unk);
        }
        v.pieces = new byte[n][];
        for (int i = 0; i < n; i++) {
            v.pieces[i] = piece(v, i);
        }
        return new Tokenizer(v);
    }

    private static int utf8Len(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void setAttr(Vocab v, Map<String, Integer> byText, String t, int attr, boolean on) {
        Integer id = byText.get(t);
        if (id == null) {
            return;
        }
        v.attrs[id] = on ? v.attrs[id] | attr : v.attrs[id] & ~attr;
    }

    private static int forceControl(int attr) {
        return (attr & Vocab.CONTROL) == 0 ? Vocab.CONTROL : attr;
    }

    private static int specialId(GgufMetadata md, String key, int def, int n) {
        if (!md.contains(key)) {
            return def;
        }
        long id;
        try {
            id = md.getLong(key);
        } catch (IllegalArgumentException e) {
            return def;
        }
        return id >= 0 && id < n ? (int) id : def;
    }

    static BytesMap tokenMap(String[] texts) {
        BytesMap m = new BytesMap();
        for (int i = 0; i < texts.length; i++) {
            m.put(texts[i].getBytes(StandardCharsets.UTF_8), i);
        }
        return m;
    }

    private static BpeModel buildBpe(GgufMetadata md, String[] texts, String src, boolean ignoreMerges) {
        BpeModel.Builder b = new BpeModel.Builder();
        Map<String, Integer> singleChar = new HashMap<>();
        for (int i = 0; i < texts.length; i++) {
            byte[] raw = ByteLevel.decodeOrNull(texts[i]);
            if (raw != null) {
                b.token(raw, i);
            }
            if (texts[i].length() == 1 && texts[i].charAt(0) < 0x80) {
                singleChar.put(texts[i], i);
            }
        }
        String[] merges = md.contains("tokenizer.ggml.merges") ? md.getStringArray("tokenizer.ggml.merges") : new String[0];
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            int sp = m.indexOf(' ', 1);
            if (sp < 0) {
                throw new IllegalArgumentException(src + ": 'tokenizer.ggml.merges' entry " + r + " ('" + m
                        + "') has no space separator");
            }
            byte[] l = ByteLevel.decodeOrNull(m.substring(0, sp));
            byte[] rr = ByteLevel.decodeOrNull(m.substring(sp + 1));
            if (l != null && rr != null) {
                b.merge(l, rr, r);
            }
        }
        // a final symbol that is no token: each byte of its byte-level text as a 1-char token, if any
        return b.build(raw -> {
            String enc = ByteLevel.encode(raw);
            IntList ids = new IntList(4);
            for (int i = 0; i < enc.length(); i++) {
                Integer id = singleChar.get(String.valueOf(enc.charAt(i)));
                if (id != null) {
                    ids.add(id);
                }
            }
            return java.util.Arrays.copyOf(ids.a, ids.size);
        }, ignoreMerges);
    }

    private static SpmModel buildSpm(String[] texts, float[] scores, int[] attrs) {
        BytesMap m = tokenMap(texts);
        int[] byteToken = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = m.get(String.format("<0x%02X>", b).getBytes(StandardCharsets.UTF_8));
            if (id < 0) {
                id = m.get(new byte[] {(byte) b});
            }
            byteToken[b] = id;
        }
        float[] s = scores != null ? scores : new float[texts.length];
        return new SpmModel(m, s, byteToken, texts);
    }

    /** token_to_piece(special=true) bytes. */
    private static byte[] piece(Vocab v, int id) {
        String text = v.texts[id];
        int attr = v.attrs[id];
        if ((attr & (Vocab.CONTROL | Vocab.UNKNOWN | Vocab.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (v.kind == Vocab.Kind.BPE) {
            return (attr & Vocab.NORMAL) != 0 ? ByteLevel.decodeLenient(text) : new byte[0];
        }
        if ((attr & Vocab.NORMAL) != 0) {
            return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & Vocab.BYTE) != 0) {
            return new byte[] {(byte) byteOf(text)};
        }
        return new byte[0];
    }

    private static int byteOf(String text) {
        // "<0xXX>"
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return Integer.parseInt(text.substring(3, 5), 16);
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return b.length > 0 ? b[0] & 0xFF : 0;
    }
}
