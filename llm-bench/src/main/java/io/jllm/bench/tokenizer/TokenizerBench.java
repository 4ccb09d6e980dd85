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

    private String text;
    private Tokenizer jllm;
    private Encoding jtokkit;
    private HuggingFaceTokenizer djl;

    static Path testdata() {
        return Path.of(System.getProperty("jllm.testdata", "../shared/testdata"));
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        text = BenchText.input(input, bytes);
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

    @TearDown(Level.Trial)
    public void tearDown() {
        if (djl != null) {
            djl.close();
        }
    }

    @Benchmark
    public int jllmEncode() {
        return jllm.encode(text, false, false).length;
    }

    @Benchmark
    public int jllmCount() {
        return jllm.countTokens(text, false, false);
    }

    /** The reference: jtokkit encodeOrdinary (tiktoken) or DJL encode (llama3); 0 where none. */
    @Benchmark
    public int refEncode() {
        if (jtokkit != null) {
            return jtokkit.encodeOrdinary(text).size();
        }
        if (djl != null) {
            return djl.encode(text, false, false).getIds().length;
        }
        return 0;
    }

    @Benchmark
    public int refCount() {
        if (jtokkit != null) {
            return jtokkit.countTokensOrdinary(text);
        }
        if (djl != null) {
            return djl.encode(text, false, false).getIds().length;
        }
        return 0;
    }
}
