package io.jllm.core;

import io.jllm.core.engine.Forward;
import io.jllm.core.engine.Workers;
import io.jllm.core.ops.F32;
import io.jllm.quant.kernel.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * One conversation with a {@link Model}: a KV cache, activations and scratch in an off-heap
 * arena owned by the session, and a worker pool. Use from one thread at a time ({@link #cancel()}
 * may be called from any thread); close it to free its memory.
 *
 * <p>The cache holds the tokens evaluated so far ({@link #tokens()}); {@link #evaluate} appends.
 * Prompts are processed in batches of up to {@link ModelOptions#ubatch()} tokens, each as one
 * matrix × matrix product per weight. After warm-up, evaluating allocates nothing on the heap.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final ModelConfig cfg;
    private final Arena arena;
    private final Parallel par;
    private final Forward forward;
    private final int[] history;
    private final float[] lastLogits;
    private int position;
    private volatile boolean cancelled;
    private final Generator generator;

    Session(Model model) {
        this.model = model;
        this.cfg = model.config();
        ModelOptions o = model.options();
        int ctx = model.contextLength();
        int ub = Math.min(o.ubatch(), ctx);
        this.arena = Arena.ofShared();
        try {
            this.par = Workers.create(o.threads());
            this.forward = new Forward(cfg, model.weights(), arena, o.kvCacheType(), ctx, ub, Math.min(ub, 32), par);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        this.history = new int[ctx];
        this.lastLogits = new float[cfg.vocabSize()];
        this.generator = new Generator(this, model.codec());
    }

    public Model model() {
        return model;
    }

    /** Tokens in the cache (the next token's position). */
    public int position() {
        return position;
    }

    /** A copy of the tokens in the cache. */
    public int[] tokens() {
        return Arrays.copyOf(history, position);
    }

    /** The most tokens this session can hold. */
    public int contextLength() {
        return history.length;
    }

    /** KV-cache bytes per token over all layers, for the cache type in use (measured from the arena). */
    public long kvBytesPerToken() {
        return forward.kvCache().byteSize() / forward.kvCache().context();
    }

    /** Empties the cache. */
    public void reset() {
        position = 0;
    }

    /** Keeps the first {@code n} tokens of the cache and drops the rest. */
    public void truncate(int n) {
        if (n < 0 || n > position) {
            throw new IllegalArgumentException("cannot truncate to " + n + " tokens (cache holds " + position + ")");
        }
        position = n;
    }

    /**
     * Context shift, as llama.cpp does when the context is full: keeps the first {@code keep}
     * tokens, drops the {@code discard} after them and moves the rest down (their keys are
     * re-rotated for the new positions). The logits of later evaluations then differ slightly
     * from a fresh evaluation of the same tokens.
     */
    public void shift(int keep, int discard) {
        if (keep < 0 || discard <= 0 || keep + discard > position) {
            throw new IllegalArgumentException("cannot drop " + discard + " tokens after the first " + keep
                    + " of " + position);
        }
        forward.shift(keep, discard, position);
        System.arraycopy(history, keep + discard, history, keep, position - keep - discard);
        position -= discard;
    }

    /**
     * Appends {@code tokens} to the cache and returns the logits after the last one. The
     * returned array belongs to the session and is overwritten by the next call (copy it to keep
     * it); no allocation happens here after warm-up.
     *
     * @throws IllegalStateException if the tokens do not fit in the context
     */
    public float[] evaluate(int... tokens) {
        return evaluate(tokens, 0, tokens.length);
    }

    /** As {@link #evaluate(int...)} for {@code tokens[off .. off+len)}. */
    public float[] evaluate(int[] tokens, int off, int len) {
        if (len <= 0) {
            throw new IllegalArgumentException("nothing to evaluate");
        }
        checkTokens(tokens, off, len);
        checkRoom(len);
        int ub = forward.ubatch();
        for (int done = 0; done < len; done += ub) {
            int n = Math.min(ub, len - done);
            boolean last = done + n == len;
            step(tokens, off + done, n, last ? n - 1 : n);
            if (last) {
                forward.logits(0, 1);
                MemorySegment.copy(forward.logitsBuffer(), F32.LE, 0, lastLogits, 0, lastLogits.length);
            }
        }
        return lastLogits;
    }

    /**
     * Appends {@code tokens} and returns the logits at every one of their positions (fresh
     * arrays, {@code [tokens.length][vocab]}).
     */
    public float[][] evaluateAll(int... tokens) {
        int len = tokens.length;
        if (len == 0) {
            throw new IllegalArgumentException("nothing to evaluate");
        }
        checkTokens(tokens, 0, len);
        checkRoom(len);
        float[][] out = new float[len][];
        int ub = forward.ubatch();
        int vocab = cfg.vocabSize();
        for (int done = 0; done < len; done += ub) {
            int n = Math.min(ub, len - done);
            step(tokens, done, n, 0);
            for (int r = 0; r < n; r += forward.outRows()) {
                int c = Math.min(forward.outRows(), n - r);
                forward.logits(r, c);
                for (int i = 0; i < c; i++) {
                    float[] row = new float[vocab];
                    MemorySegment.copy(forward.logitsBuffer(), F32.LE, 4L * i * vocab, row, 0, vocab);
                    out[done + r + i] = row;
                }
            }
        }
        return out;
    }

    private void checkTokens(int[] tokens, int off, int len) {
        int vocab = cfg.vocabSize();
        for (int i = off; i < off + len; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    private void checkRoom(int len) {
        if (position + len > history.length) {
            throw new IllegalStateException("context full: the cache holds " + position + " of " + history.length
                    + " tokens and " + len + " more do not fit (raise ModelOptions.contextLength, or reset/truncate)");
        }
    }

    /** Evaluates n tokens; only rows from {@code keepFrom} get final hidden states. */
    private void step(int[] tokens, int off, int n, int keepFrom) {
        forward.layers(tokens, off, n, position, keepFrom);
        System.arraycopy(tokens, off, history, position, n);
        position += n;
    }

    /** Asks a running {@link #generate} to stop after the current token (callable from any thread). */
    public void cancel() {
        cancelled = true;
    }

    boolean takeCancelled() {
        boolean c = cancelled;
        cancelled = false;
        return c;
    }

    boolean cancelRequested() {
        return cancelled;
    }

    int[] historyArray() {
        return history;
    }

    /** Tokens of {@code prompt} as generation feeds them (BOS etc. as the vocabulary says). */
    public int[] tokenize(String prompt) {
        return model.codec().encode(prompt, true);
    }

    /**
     * Generates a continuation of {@code prompt}. The prompt is the whole text so far: the part
     * of it already in the cache (the longest common token prefix) is reused, only the rest is
     * evaluated — so a multi-turn chat passes the growing conversation each time.
     */
    public GenerationResult generate(String prompt, GenerateOptions options) {
        return generate(tokenize(prompt), options, null);
    }

    /** As {@link #generate(String, GenerateOptions)}, calling {@code onToken} for each token as it is generated. */
    public GenerationResult generate(String prompt, GenerateOptions options, @Nullable Consumer<TokenEvent> onToken) {
        return generate(tokenize(prompt), options, onToken);
    }

    /** Generation from prompt tokens (used verbatim: no BOS is added). */
    public GenerationResult generate(int[] promptTokens, GenerateOptions options, @Nullable Consumer<TokenEvent> onToken) {
        generator.start(promptTokens, options);
        for (TokenEvent e; (e = generator.next()) != null; ) {
            if (onToken != null) {
                onToken.accept(e);
            }
        }
        return generator.result();
    }

    /**
     * Generation as a lazy iterator: each {@code next()} generates one token. After it is
     * exhausted, {@link #lastResult()} gives the summary.
     */
    public Iterator<TokenEvent> iterate(String prompt, GenerateOptions options) {
        return iterate(tokenize(prompt), options);
    }

    /** As {@link #iterate(String, GenerateOptions)} from prompt tokens (used verbatim). */
    public Iterator<TokenEvent> iterate(int[] promptTokens, GenerateOptions options) {
        generator.start(promptTokens, options);
        return new Iterator<>() {
            private @Nullable TokenEvent pending;

            @Override
            public boolean hasNext() {
                if (pending == null) {
                    pending = generator.next();
                }
                return pending != null;
            }

            @Override
            public TokenEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                TokenEvent e = pending;
                pending = null;
                return e;
            }
        };
    }

    /** Generation as a sequential lazy stream of token events. */
    public Stream<TokenEvent> stream(String prompt, GenerateOptions options) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterate(prompt, options),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** The summary of the last generation that ran to its end. */
    public GenerationResult lastResult() {
        return generator.result();
    }

    @Override
    public void close() {
        Workers.close(par);
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
