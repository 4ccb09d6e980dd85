package io.jllm.core;

import io.jllm.core.engine.Forward;
import io.jllm.core.weights.ModelWeights;
import io.jllm.core.weights.WeightLoader;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.quant.kernel.Numerics;
import io.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;

/**
 * A loaded model: hyperparameters, weights (mapped from the file, or read into off-heap memory
 * when {@link ModelOptions#mmap()} is false; Q4_0, Q4_K and Q6_K matrices are repacked at load
 * into a kernel layout whose copy replaces their mapped pages, {@link #repackedBytes}) and, when the file has
 * one, its tokenizer. Immutable and thread-safe: any number of {@link Session}s, each used by one thread at a time, can run on it
 * concurrently. Close it when done (unmaps the file; sessions must be closed first).
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"));
 *      Session s = model.session()) {
 *     System.out.println(s.generate("Once upon a time", GenerateOptions.greedy(64)).text());
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final ModelOptions options;
    private final int context;
    private final @Nullable Tokenizer tokenizer;
    private final TextCodec codec;

    private Model(GgufFile file, ModelConfig config, ModelWeights weights, ModelOptions options,
                  @Nullable Tokenizer tokenizer) {
        this.file = file;
        this.config = config;
        this.weights = weights;
        this.options = options;
        this.context = options.contextLength() == 0 ? config.trainContext() : options.contextLength();
        this.tokenizer = tokenizer;
        this.codec = Codecs.of(tokenizer, file);
    }

    /** Loads with {@link ModelOptions#defaults()}. */
    public static Model load(Path path) throws IOException {
        return load(path, ModelOptions.defaults());
    }

    /**
     * Opens and validates {@code path}: hyperparameters, every tensor the architecture needs
     * (shape and type), and that the weights plus one session's KV cache fit in memory.
     *
     * @throws ModelLoadException naming the file and the key or tensor at fault
     * @throws IOException if the file cannot be read
     */
    public static Model load(Path path, ModelOptions options) throws IOException {
        GgufFile file = options.mmap() ? GgufFile.open(path) : GgufFile.read(path);
        try {
            ModelConfig cfg = ModelConfig.from(file);
            int ctx = options.contextLength() == 0 ? cfg.trainContext() : options.contextLength();
            if (cfg.architecture().learnedPositions() && ctx > cfg.trainContext()) {
                throw new ModelLoadException(path.getFileName() + ": context length " + ctx + " exceeds the "
                        + cfg.trainContext() + " learned positions of tensor 'position_embd.weight'");
            }
            long weightBytes = 0;
            for (GgufTensor t : file.tensors()) {
                weightBytes += t.byteSize();
            }
            checkMemory(path, cfg, options, ctx, weightBytes);
            // the vocabulary (tens of thousands of pieces) is built while the weights are bound
            // and repacked: both are a good part of a cold load
            FutureTask<@Nullable Tokenizer> tok = new FutureTask<>(() -> Codecs.tokenizer(file));
            Thread.ofPlatform().daemon().name("jllm-load-tokenizer").start(tok);
            ModelWeights w;
            try {
                w = WeightLoader.load(file, cfg);
            } finally {
                awaitQuietly(tok);
            }
            return new Model(file, cfg, w, options, tokenizer(tok));
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    private static void awaitQuietly(FutureTask<?> task) {
        boolean interrupted = false;
        while (true) {
            try {
                task.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // reported by tokenizer()
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static @Nullable Tokenizer tokenizer(FutureTask<@Nullable Tokenizer> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e); // not reached: awaitQuietly waited
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void checkMemory(Path path, ModelConfig cfg, ModelOptions o, int ctx, long weightBytes) {
        long kv = Forward.kvBytesPerToken(cfg, o.kvCacheType(), Numerics.current()) * ctx;
        int ub = Math.min(o.ubatch(), ctx);
        long ws = Forward.workspaceBytes(cfg, o.kvCacheType(), ub, Math.min(ub, 32), o.threads(), ctx);
        long total = totalMemory();
        long need = weightBytes + kv + ws;
        if (total > 0 && need > total) {
            throw new ModelLoadException(String.format(Locale.ROOT,
                    "%s: does not fit in memory: weights %,d bytes + KV cache %,d bytes (%d tokens, %s) + "
                            + "activations %,d bytes = %,d bytes, but the machine has %,d bytes",
                    path.getFileName(), weightBytes, kv, ctx, o.kvCacheType(), ws, need, total));
        }
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    /** A new session with its own KV cache and workspace (close it when done). */
    public Session session() {
        return new Session(this);
    }

    public ModelConfig config() {
        return config;
    }

    public ModelOptions options() {
        return options;
    }

    /**
     * Bytes of memory the load-time repacks took (Q4_0, Q4_K and Q6_K matrices the kernels
     * multiply are copied into a kernel-friendly layout unless {@code -Djllm.repack=false}; F16
     * matrices get one flag byte per 4 rows). The file pages behind a repacked matrix are
     * released, so the copy replaces them in resident memory rather than adding to it.
     */
    public long repackedBytes() {
        return weights.packedBytes();
    }

    /** Tokens a session holds (the option, or the model's training context). */
    public int contextLength() {
        return context;
    }

    /** The underlying GGUF file (metadata, tensors). */
    public GgufFile file() {
        return file;
    }

    /** The model's tokenizer (from its GGUF vocabulary), or null if the file has none. */
    public @Nullable Tokenizer tokenizer() {
        return tokenizer;
    }

    TextCodec codec() {
        return codec;
    }

    ModelWeights weights() {
        return weights;
    }

    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "Model[" + file.path().getFileName() + ", " + config.architecture().name() + ", "
                + config.layers() + " layers, n_embd " + config.embedding() + "]";
    }
}
