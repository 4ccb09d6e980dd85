package io.jllm.bench.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput, jllm side by side with the references in the same run: jtokkit for
 * cl100k_base/o200k_base, Hugging Face tokenizers (DJL) for Llama 3's tokenizer.json, and a
 * SentencePiece GGUF vocabulary (jllm only). One op encodes (or counts) the whole input; MB/s =
 * ops/s x input MB (printed at setup). Test data: {@code -Djllm.testdata=../shared/testdata}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class TokenizerBench {
    @Param({"cl100k_base", "o200k_base", "llama3", "spm"})
    public String vocab;

    @Param({"mixed"})
    public String input;

    @Param({"2000000"})
    public int bytes;

    /** 0: the whole input in one call; otherwise documents of about this many chars, one call each. */
    @Param({"0", "1000"})
    public int chunk;

    private String text;
    private String[] docs;
    private Tokenizer jllm;
    private Encoding jtokkit;
    private HuggingFaceTokenizer djl;

    static Path testdata() {
        return Path.of(System.getProperty("jllm.testdata", "../shared/testdata"));
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        text = BenchText.input(input, bytes);
        docs = split(text, chunk);
        switch (vocab) {
            case "cl100k_base", "o200k_base" -> {
                jllm = Tokenizer.tiktoken(vocab);
                jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.fromName(vocab).orElseThrow());
            }
            case "llama3" -> {
                Path json = testdata().resolve("tokenizers/llama3/tokenizer.json");
                jllm = Tokenizer.fromTokenizerJson(json);
                djl = HuggingFaceTokenizer.newInstance(json,
                        Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
            }
            case "spm" -> jllm = Tokenizer.fromGguf(testdata().resolve("vocab/ggml-vocab-llama-spm.gguf"));
            default -> throw new IllegalArgumentException(vocab);
        }
        System.out.printf("%n[tokenizer bench] vocab=%s input=%s: %.3f MB UTF-8, %d tokens%n", vocab, input,
                text.getBytes(StandardCharsets.UTF_8).length / 1e6, jllm.countTokens(text, false, false));
    }

    static String[] split(String text, int chunk) {
        if (chunk <= 0) {
            return new String[] {text};
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        int s = 0;
        while (s < text.length()) {
            int e = Math.min(text.length(), s + chunk);
            while (e < text.length() && e < s + 2 * chunk && text.charAt(e) != ' ') {
                e++;
            }
            if (e < text.length() && Character.isLowSurrogate(text.charAt(e))) {
                e++;
            }
            out.add(text.substring(s, e));
            s = e;
        }
        return out.toArray(String[]::new);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (djl != null) {
            djl.close();
        }
    }

    @Benchmark
    public int jllmEncode() {
        int n = 0;
        for (String d : docs) {
            n += jllm.encode(d, false, false).length;
        }
        return n;
    }

    @Benchmark
    public int jllmCount() {
        int n = 0;
        for (String d : docs) {
            n += jllm.countTokens(d, false, false);
        }
        return n;
    }

    /** The reference: jtokkit encodeOrdinary (tiktoken) or DJL encode (llama3); 0 where none. */
    @Benchmark
    public int refEncode() {
        int n = 0;
        for (String d : docs) {
            if (jtokkit != null) {
                n += jtokkit.encodeOrdinary(d).size();
            } else if (djl != null) {
                n += djl.encode(d, false, false).getIds().length;
            }
        }
        return n;
    }

    /** jtokkit countTokensOrdinary; DJL has no count, so it encodes. */
    @Benchmark
    public int refCount() {
        int n = 0;
        for (String d : docs) {
            if (jtokkit != null) {
                n += jtokkit.countTokensOrdinary(d);
            } else if (djl != null) {
                n += djl.encode(d, false, false).getIds().length;
            }
        }
        return n;
    }
}
