package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * llama-quantize's job (llama.cpp build 4748, no imatrix): reads a GGUF model, picks each
 * tensor's type with llama-quantize's rules ({@link LlamaFileType} mixes, {@code --pure}),
 * converts the tensors with the byte-exact reference {@link Quantizer}s and writes a GGUF file
 * laid out as llama-quantize writes it — tensors sorted by layer then name, the input's
 * metadata with {@code general.quantization_version} and {@code general.file_type} appended,
 * {@code split.*} keys dropped. Tensors are streamed one chunk of rows at a time, the rows of a
 * chunk quantized in parallel.
 */
public final class ModelQuantizer {
    /** {@code GGML_QNT_VERSION}. */
    public static final int QUANTIZATION_VERSION = 2;
    private static final Pattern LAYER = Pattern.compile("^blk\\.([+-]?\\d{1,9})");
    private static final Comparator<GgufTensor> FILE_ORDER =
            Comparator.comparingInt((GgufTensor t) -> layerOf(t.name()))
                    .thenComparing((a, b) -> Arrays.compareUnsigned(utf8(a.name()), utf8(b.name())));

    private ModelQuantizer() {}

    /**
     * What to produce.
     *
     * @param fileType           the llama.cpp file type (e.g. {@link LlamaFileType#Q4_K_M})
     * @param pure               every quantizable tensor gets the default type (llama-quantize {@code --pure})
     * @param allowRequantize    allow converting tensors that are already quantized ({@code --allow-requantize})
     * @param threads            worker threads for the row-parallel conversion (≥ 1)
     * @param leaveOutputTensor  copy {@code output.weight} unchanged ({@code --leave-output-tensor})
     * @param outputTensorType   type for {@code output.weight} (and a tied {@code token_embd.weight}),
     *                           or null ({@code --output-tensor-type})
     * @param tokenEmbeddingType type for {@code token_embd.weight}, or null ({@code --token-embedding-type})
     */
    public record Options(LlamaFileType fileType, boolean pure, boolean allowRequantize, int threads,
                          boolean leaveOutputTensor, @Nullable GgmlType outputTensorType,
                          @Nullable GgmlType tokenEmbeddingType) {
        public Options {
            Objects.requireNonNull(fileType, "fileType");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }

        /** Options without tensor-type overrides. */
        public Options(LlamaFileType fileType, boolean pure, boolean allowRequantize, int threads) {
            this(fileType, pure, allowRequantize, threads, false, null, null);
        }

        public static Options of(LlamaFileType fileType) {
            return new Options(fileType, false, false, Runtime.getRuntime().availableProcessors());
        }
    }

    /** One output tensor: its source and the type it is written with. */
    public record TensorPlan(GgufTensor source, GgmlType type) {
        /** Whether the data is converted (otherwise copied as is). */
        public boolean converted() {
            return type != source.type();
        }

        /** Bytes of the output tensor. */
        public long bytes() {
            return type.bytes(source.elementCount());
        }
    }

    /** Progress callbacks, all on the calling thread. */
    public interface Listener {
        /** A tensor's conversion or copy starts ({@code index} from 0). */
        default void tensor(int index, int count, TensorPlan plan) {}

        /** Output bytes produced so far, of {@code total}. */
        default void progress(long done, long total) {}

        /** A note such as a type fallback. */
        default void warning(String message) {}
    }

    /** What {@link #quantize} did. */
    public record Result(List<TensorPlan> tensors, long inputBytes, long outputBytes, double seconds) {}

    /** The layer number in a {@code blk.N.} name (as llama.cpp's sscanf reads it), or -1. */
    static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** llama.cpp's tensor order ({@code weight_name_comparer}): by layer (others first), then by name. */
    public static List<GgufTensor> fileOrder(List<GgufTensor> tensors) {
        List<GgufTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(FILE_ORDER);
        return sorted;
    }

    /**
     * The output tensors in file order with their types, as llama-quantize would choose them.
     *
     * @throws IllegalArgumentException naming the tensor when a row length fits no type
     */
    public static List<TensorPlan> plan(GgufFile in, LlamaFileType fileType, boolean pure, Consumer<String> warn) {
        return plan(in, new Options(fileType, pure, false, 1), warn);
    }

    /** As {@link #plan(GgufFile, LlamaFileType, boolean, Consumer)}, with the overrides of {@code options}. */
    public static List<TensorPlan> plan(GgufFile in, Options options, Consumer<String> warn) {
        List<GgufTensor> ordered = fileOrder(in.tensors());
        TensorTypeRules rules = new TensorTypeRules(in.metadata(), ordered, options, warn);
        List<TensorPlan> plans = new ArrayList<>(ordered.size());
        for (GgufTensor t : ordered) {
            plans.add(new TensorPlan(t, rules.choose(t)));
        }
        return plans;
    }

    /** Quantizes {@code in} into {@code out} (replaced only once complete). */
    public static Result quantize(Path in, Path out, Options options, Listener listener) throws IOException {
        long start = System.nanoTime();
        try (GgufFile file = GgufFile.open(in)) {
            List<TensorPlan> plans = plan(file, options, listener::warning);
            check(file, plans, options);
            GgufWriter w = new GgufWriter();
            w.putAll(file.metadata());
            for (String k : List.of("split.no", "split.count", "split.tensors.count",
                    "general.quantization_version", "general.file_type")) {
                w.remove(k);
            }
            w.put("general.quantization_version", GgufValue.uint32(QUANTIZATION_VERSION));
            w.put("general.file_type", GgufValue.uint32(options.fileType().id()));
            long outputBytes = 0;
            long inputBytes = 0;
            for (TensorPlan p : plans) {
                outputBytes += p.bytes();
                inputBytes += p.source().byteSize();
            }
            final long total = outputBytes;
            try (RowConverter conv = new RowConverter(options.threads())) {
                long[] done = {0};
                int[] index = {-1};
                for (TensorPlan p : plans) {
                    GgufTensor t = p.source();
                    w.addTensor(t.name(), p.type(), t.shape(), (chunk, offset) -> {
                        if (offset == 0) {
                            listener.tensor(++index[0], plans.size(), p);
                        }
                        if (p.converted()) {
                            conv.convert(t, p.type(), chunk, offset);
                        } else {
                            MemorySegment.copy(t.data(), offset, chunk, 0, chunk.byteSize());
                        }
                        done[0] += chunk.byteSize();
                        listener.progress(done[0], total);
                    });
                }
                w.write(out);
            }
            return new Result(plans, inputBytes, total, (System.nanoTime() - start) / 1e9);
        }
    }

    private static void check(GgufFile file, List<TensorPlan> plans, Options options) {
        for (TensorPlan p : plans) {
            if (!p.converted()) {
                continue;
            }
            GgmlType from = p.source().type();
            String what = file.path().getFileName() + ": tensor '" + p.source().name() + "'";
            if (from.isQuantized() && !options.allowRequantize()) {
                throw new IllegalArgumentException(what + " is already " + from
                        + "; requantizing is disabled (allow it explicitly to convert to " + p.type() + ")");
            }
            if (!Dequantizer.supports(from)) {
                throw new UnsupportedOperationException(what + " has type " + from + ", which cannot be read yet");
            }
            if (!Quantizer.supports(p.type())) {
                throw new UnsupportedOperationException(what + ": quantization to " + p.type() + " is not supported");
            }
        }
    }
}
