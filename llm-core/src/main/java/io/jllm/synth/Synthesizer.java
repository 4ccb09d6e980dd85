package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufMetadata;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Writes a GGUF model with random weights and the exact layout of a real one: metadata for
 * llama.cpp, tensors named and shaped per architecture, each matrix in the type llama-quantize
 * would give it. Weights are generated a chunk of rows at a time, encoded (quantized) on
 * {@code threads} threads and streamed to disk: memory use stays a few chunks whatever the
 * model's size. The same options always give the same bytes.
 */
public final class Synthesizer {
    /** Bytes of tensor data generated per step. */
    static final int CHUNK_BYTES = 8 << 20;

    /**
     * What to synthesize.
     *
     * @param shape    hyperparameters
     * @param fileType llama.cpp file type (q4_0, q4_k_m, f16, ...)
     * @param pure     every matrix in the file type's base type even for a mix
     * @param seed     random seed
     * @param name     {@code general.name}
     * @param vocab    metadata of a vocabulary GGUF whose {@code tokenizer.*} keys are copied, or
     *                 null for a synthetic SentencePiece vocabulary
     * @param threads  encoding threads (≥ 1)
     */
    public record Options(ModelShape shape, FileType fileType, boolean pure, long seed, String name,
                          @Nullable GgufMetadata vocab, int threads) {}

    /** Progress callback, called after every chunk (from the writing thread). */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesDone, long bytesTotal, String tensor);
    }

    /** What was written. */
    public record Result(Path path, long tensorBytes, long parameters, Map<String, GgmlType> types) {}

    private Synthesizer() {}

    /** Checks the options and returns each tensor's type, without writing anything. */
    public static Map<String, GgmlType> plan(Options o) {
        List<TensorSpec> specs = TensorPlan.tensors(o.shape());
        Map<String, GgmlType> types = TypePlan.assign(o.shape(), specs, o.fileType(), o.pure());
        for (Map.Entry<String, GgmlType> e : types.entrySet()) {
            if (!RowEncoder.supports(e.getValue())) {
                throw new UnsupportedOperationException("tensor " + e.getKey() + ": no quantizer for type "
                        + e.getValue() + " in this build");
            }
        }
        return types;
    }

    public static Result write(Options o, Path out, Progress progress) throws IOException {
        if (o.vocab() != null && SynthMetadata.vocabSize(o.vocab()) != o.shape().vocab()) {
            throw new IllegalArgumentException("vocabulary has " + SynthMetadata.vocabSize(o.vocab())
                    + " tokens but the model's vocab size is " + o.shape().vocab());
        }
        Map<String, GgmlType> types = plan(o);
        List<TensorSpec> specs = TensorPlan.tensors(o.shape());
        Map<String, GgufValue> md = SynthMetadata.build(o.shape(), o.fileType(), o.name(), o.vocab());
        GgufWriter w = new GgufWriter().chunkBytes(CHUNK_BYTES);
        md.forEach(w::put);
        WeightGenerator gen = new WeightGenerator(o.seed());
        AtomicLong done = new AtomicLong();
        AtomicLong grandTotal = new AtomicLong(1);
        long params = 0;
        long total = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, o.threads()), r -> {
            Thread t = new Thread(r, "synth");
            t.setDaemon(true);
            return t;
        });
        // the writer's chunk belongs to its thread: workers encode into this staging buffer
        try (Arena arena = Arena.ofShared()) {
            MemorySegment staging = arena.allocate(CHUNK_BYTES, 64);
            for (int i = 0; i < specs.size(); i++) {
                TensorSpec t = specs.get(i);
                GgmlType type = types.get(t.name());
                params += t.elements();
                total += type.bytes(t.elements());
                int index = i;
                w.addTensor(t.name(), type, t.shape(), (chunk, byteOffset) -> {
                    MemorySegment part = staging.asSlice(0, chunk.byteSize());
                    fill(gen, pool, o.threads(), o.shape(), index, t, type, part, byteOffset);
                    MemorySegment.copy(part, 0, chunk, 0, chunk.byteSize());
                    progress.update(done.addAndGet(chunk.byteSize()), grandTotal.get(), t.name());
                });
            }
            long grand = total;
            grandTotal.set(Math.max(1, grand));
            w.write(out);
            readable(out);
            progress.update(grand, grand, "");
            return new Result(out, grand, params, types);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void readable(Path p) throws IOException {
        if (Files.getFileStore(p).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void fill(WeightGenerator gen, ExecutorService pool, int threads, ModelShape shape, int index,
                             TensorSpec t, GgmlType type, MemorySegment chunk, long byteOffset) throws IOException {
        int rowLen = Math.toIntExact(t.rowLength());
        long rowBytes = type.bytes(rowLen);
        long firstRow = byteOffset / rowBytes;
        int rows = Math.toIntExact(chunk.byteSize() / rowBytes);
        if (t.kind() == TensorSpec.Kind.FIXED) {
            float[] v = TensorPlan.llama3RopeFactors(shape);
            RowEncoder.encode(type, v, 0, rowLen, chunk, 0);
            return;
        }
        int parts = Math.min(Math.max(1, threads), rows);
        List<Future<?>> jobs = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) rows * p / parts);
            int to = (int) ((long) rows * (p + 1) / parts);
            jobs.add(pool.submit(() -> {
                int batch = Math.max(1, Math.min(to - from, (1 << 16) / rowLen));
                float[] buf = new float[batch * rowLen];
                for (int r = from; r < to; r += batch) {
                    int nr = Math.min(batch, to - r);
                    for (int k = 0; k < nr; k++) {
                        gen.fillRow(index, firstRow + r + k, t.kind(), buf, k * rowLen, rowLen);
                    }
                    RowEncoder.encode(type, buf, 0, nr * rowLen, chunk, (long) r * rowBytes);
                }
            }));
        }
        for (Future<?> f : jobs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while generating " + t.name(), e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException("generating " + t.name() + ": " + c, c);
            }
        }
    }
}
