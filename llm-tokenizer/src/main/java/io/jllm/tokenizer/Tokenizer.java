package io.jllm.tokenizer;

import io.jllm.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Text to token ids and back, computing what llama.cpp (for GGUF vocabularies), Hugging Face
 * tokenizers (tokenizer.json) or tiktoken compute. Immutable and thread-safe.
 *
 * <p>Models: byte-level BPE ({@code gpt2} in GGUF, tokenizer.json BPE, tiktoken rank files),
 * SentencePiece BPE ({@code llama}) and WordPiece ({@code bert}).
 *
 * <p>Input text that is not well-formed UTF-16 (a lone surrogate) is encoded as if each lone
 * surrogate were U+FFFD, as tiktoken does; llama.cpp never sees such text (it takes UTF-8).
 */
public final class Tokenizer {
    private final Vocab v;

    Tokenizer(Vocab v) {
        v.specialIndex = SpecialSplitter.index(v);
        this.v = v;
    }

    /** The tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata. */
    public static Tokenizer fromGguf(GgufFile file) {
        return GgufVocab.load(file);
    }

    /** Opens a GGUF file (metadata only is used) and reads its tokenizer. */
    public static Tokenizer fromGguf(Path path) throws IOException {
        try (GgufFile f = GgufFile.open(path)) {
            return fromGguf(f);
        }
    }

    /** A Hugging Face {@code tokenizer.json} (BPE model). */
    public static Tokenizer fromTokenizerJson(Path path) throws IOException {
        return HfTokenizerJson.load(path);
    }

    /**
     * A tiktoken rank file; {@code encoding} (cl100k_base, o200k_base, r50k_base, p50k_base)
     * gives the split pattern and special tokens.
     */
    public static Tokenizer fromTiktoken(Path rankFile, String encoding) throws IOException {
        return Tiktoken.load(rankFile, encoding);
    }

    /** A named tiktoken encoding whose rank file ships with the library (cl100k_base, ...). */
    public static Tokenizer tiktoken(String encoding) throws IOException {
        return Tiktoken.named(encoding);
    }

    /** Encodes with the vocabulary's added tokens (BOS etc.) and without parsing special tokens. */
    public int[] encode(String text) {
        return encode(text, true, false);
    }

    /**
     * @param addSpecial add BOS/EOS (CLS/SEP, template tokens) as the vocabulary says
     * @param parseSpecial also match CONTROL/special tokens written in the text
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        TokenSink out = new TokenSink(false);
        encodeInto(text, addSpecial, parseSpecial, out);
        return out.toArray();
    }

    /** The number of ids {@link #encode(String)} returns, without building the list. */
    public int countTokens(String text) {
        TokenSink out = new TokenSink(true);
        encodeInto(text, true, false, out);
        return out.size();
    }

    /** Like {@link #encode(String, boolean, boolean)}, counting only. */
    public int countTokens(String text, boolean addSpecial, boolean parseSpecial) {
        TokenSink out = new TokenSink(true);
        encodeInto(text, addSpecial, parseSpecial, out);
        return out.size();
    }

    static String sanitize(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!pair) {
                    return replaceLoneSurrogates(s);
                }
                i++;
            }
        }
        return s;
    }

    private static String replaceLoneSurrogates(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void encodeInto(String text, boolean addSpecial, boolean parseSpecial, TokenSink out) {
        text = sanitize(Objects.requireNonNull(text, "text"));
        if (addSpecial && v.addBos && v.bos >= 0) {
            out.add(v.bos);
        }
        if (addSpecial && v.prefixIds != null) {
            for (int id : v.prefixIds) {
                out.add(id);
            }
        }
        IntList frags = text.isEmpty() ? new IntList(0) : SpecialSplitter.split(v, text, parseSpecial);
        Encoder enc = new Encoder(v, text, out);
        boolean prevSpecial = true;
        for (int i = 0; i < frags.size; i += 3) {
            int id = frags.a[i + 2];
            if (id >= 0) {
                out.add(id);
                prevSpecial = true;
            } else {
                enc.raw(frags.a[i], frags.a[i + 1], prevSpecial);
                prevSpecial = false;
            }
        }
        if (addSpecial && v.suffixIds != null) {
            for (int id : v.suffixIds) {
                out.add(id);
            }
        }
        if (addSpecial && v.addEos && v.eos >= 0) {
            out.add(v.eos);
        }
        if (addSpecial && v.addSep && v.sep >= 0) {
            out.add(v.sep);
        }
    }

    /** Per-call encoding state (scratch arrays reused across pieces). */
    private static final class Encoder {
        private final Vocab v;
        private final String text;
        private final TokenSink out;
        private final IntList ends = new IntList(64);
        private byte[] buf = new byte[256];
        private BpeModel.Scratch bpeScratch;
        private SpmModel.Scratch spmScratch;

        Encoder(Vocab v, String text, TokenSink out) {
            this.v = v;
            this.text = text;
            this.out = out;
        }

        void raw(int s, int e, boolean prevSpecial) {
            String t = text;
            if (v.normalizer != null || v.prefixSpace) {
                t = text.substring(s, e);
                if (v.normalizer != null) {
                    t = v.normalizer.apply(t);
                }
                if (v.prefixSpace && !t.startsWith(" ")) {
                    t = " " + t;
                }
                s = 0;
                e = t.length();
            }
            switch (v.kind) {
                case BPE -> bpe(t, s, e);
                case SPM -> spm(t, s, e, prevSpecial);
                case WPM -> v.wpm.encode(t, s, e, out);
            }
        }

        private void bpe(String t, int s, int e) {
            if (bpeScratch == null) {
                bpeScratch = new BpeModel.Scratch();
            }
            ends.clear();
            v.pre.split(t, s, e, ends);
            int ps = s;
            for (int i = 0; i < ends.size; i++) {
                int pe = ends.a[i];
                int n = utf8(t, ps, pe);
                v.bpe.encode(buf, 0, n, out, bpeScratch);
                ps = pe;
            }
        }

        private void spm(String t, int s, int e, boolean prevSpecial) {
            if (spmScratch == null) {
                spmScratch = new SpmModel.Scratch();
            }
            boolean prefix = v.addSpacePrefix && prevSpecial;
            int need = (e - s) * 3 + 3;
            if (buf.length < need) {
                buf = new byte[need];
            }
            int n = 0;
            if (prefix) {
                n = putEscapedSpace(n);
            }
            for (int i = s; i < e; i++) {
                char c = t.charAt(i);
                if (c == ' ') {
                    n = putEscapedSpace(n);
                } else if (c < 0x80) {
                    buf[n++] = (byte) c;
                } else if (c < 0x800) {
                    buf[n++] = (byte) (0xC0 | (c >> 6));
                    buf[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c)) {
                    int cp = Character.toCodePoint(c, t.charAt(++i));
                    n = put4(cp, n);
                } else {
                    n = put3(c, n);
                }
            }
            v.spm.encode(buf, n, out, spmScratch);
        }

        private int putEscapedSpace(int n) {
            buf[n] = (byte) 0xE2;
            buf[n + 1] = (byte) 0x96;
            buf[n + 2] = (byte) 0x81;
            return n + 3;
        }

        private int put3(int c, int n) {
            buf[n] = (byte) (0xE0 | (c >> 12));
            buf[n + 1] = (byte) (0x80 | ((c >> 6) & 0x3F));
            buf[n + 2] = (byte) (0x80 | (c & 0x3F));
            return n + 3;
        }

        private int put4(int cp, int n) {
            buf[n] = (byte) (0xF0 | (cp >> 18));
            buf[n + 1] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            buf[n + 2] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            buf[n + 3] = (byte) (0x80 | (cp & 0x3F));
            return n + 4;
        }

        /** UTF-8 of t[s, e) into buf; returns the byte count. */
        private int utf8(String t, int s, int e) {
            int need = (e - s) * 3;
            if (buf.length < need) {
                buf = new byte[Math.max(need, buf.length * 2)];
            }
            int n = 0;
            for (int i = s; i < e; i++) {
                char c = t.charAt(i);
                if (c < 0x80) {
                    buf[n++] = (byte) c;
                } else if (c < 0x800) {
                    buf[n++] = (byte) (0xC0 | (c >> 6));
                    buf[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c)) {
                    n = put4(Character.toCodePoint(c, t.charAt(++i)), n);
                } else {
                    n = put3(c, n);
                }
            }
            return n;
        }
    }

    /** llama.cpp's detokenize without special tokens: {@code decode(ids, false)}. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * llama.cpp's {@code llama_detokenize(remove_special=false, unparse_special=special)}:
     * pieces concatenated, the first piece's leading space dropped when the vocabulary adds a
     * space prefix, CONTROL/UNKNOWN tokens rendered only when {@code special}, and llama.cpp's
     * {@code clean_spaces} rules applied where the vocabulary sets them. Invalid UTF-8 becomes
     * U+FFFD.
     */
    public String decode(int[] ids, boolean special) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream(ids.length * 4);
        boolean removeSpace = v.addSpacePrefix;
        for (int id : ids) {
            byte[] p = piece(id, special);
            int off = 0;
            if (removeSpace && p.length > 0 && p[0] == ' ') {
                off = 1;
            }
            removeSpace = false;
            bo.write(p, off, p.length - off);
        }
        byte[] b = bo.toByteArray();
        if (v.cleanSpaces) {
            b = Detokenizer.cleanSpaces(b);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    byte[] piece(int id, boolean special) {
        checkId(id);
        if (!special && (v.attrs[id] & (Vocab.CONTROL | Vocab.UNKNOWN)) != 0) {
            return new byte[0];
        }
        return v.pieces[id];
    }

    private void checkId(int id) {
        if (id < 0 || id >= v.texts.length) {
            throw new IllegalArgumentException("token id " + id + " out of range [0, " + v.texts.length + ")");
        }
    }

    /** The raw bytes one token stands for (control tokens: their text). */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return v.pieces[id].clone();
    }

    /** A decoder for generated ids that yields only complete UTF-8 characters; no special tokens. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this, false);
    }

    /** As {@link #streamingDecoder()}, rendering CONTROL tokens as their text when {@code special}. */
    public StreamingDecoder streamingDecoder(boolean special) {
        return new StreamingDecoder(this, special);
    }

    public int vocabSize() {
        return v.texts.length;
    }

    /** BOS id, or -1 if none. */
    public int bosId() {
        return v.bos;
    }

    /** EOS id, or -1 if none. */
    public int eosId() {
        return v.eos;
    }

    /** Whether generation should stop at this id (EOS, EOT, EOM and the end-of-turn tokens found by text). */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && v.eog.get(id);
    }

    /** Whether {@link #encode(String)} prepends BOS. */
    public boolean addBos() {
        return (v.addBos && v.bos >= 0)
                || (v.prefixIds != null && v.prefixIds.length > 0 && v.prefixIds[0] == v.bos && v.bos >= 0);
    }

    /** The token's text as stored in the vocabulary. */
    public String tokenText(int id) {
        checkId(id);
        return v.texts[id];
    }

    /** Whether the token is a CONTROL token (rendered by decode only when asked). */
    public boolean isControl(int id) {
        checkId(id);
        return (v.attrs[id] & Vocab.CONTROL) != 0;
    }

    @Override
    public String toString() {
        return "Tokenizer[" + v.kind + ", " + v.texts.length + " tokens]";
    }
}
