package io.jllm.core;

import io.jllm.core.sample.Sampler;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The generation loop of a session as a step machine: {@link #start} evaluates the new part of
 * the prompt, each {@link #next()} samples one token, decodes it, checks the stop conditions and
 * evaluates it. Callback, iterator and stream APIs of {@link Session} all drive this.
 */
final class Generator {
    private final Session session;
    private final TextCodec codec;

    private GenerateOptions opts = GenerateOptions.greedy(0);
    private @Nullable Sampler sampler;
    private TextCodec.@Nullable Decoder decoder;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private int[] promptTokens = new int[0];
    private int[] generated = new int[16];
    private float[] logprobs = new float[16];
    private int count;
    private float[] logits = new float[0];
    private @Nullable StopReason stop;
    private int textEnd = -1;
    private long promptNanos;
    private long genStart;
    private int promptEvaluated;
    private long genEnd;

    Generator(Session session, TextCodec codec) {
        this.session = session;
        this.codec = codec;
    }

    /** Starts a generation after {@code prompt}, reusing the cached prefix it shares with the session. */
    void start(int[] prompt, GenerateOptions options) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        opts = options;
        session.takeCancelled();
        promptTokens = prompt.clone();
        int[] cached = session.historyArray();
        int common = 0;
        int have = session.position();
        while (common < have && common < prompt.length && cached[common] == prompt[common]) {
            common++;
        }
        if (common == prompt.length) {
            common--; // re-evaluate the last token to get its logits
        }
        if (prompt.length > session.contextLength()) {
            throw new IllegalStateException("context full: the prompt has " + prompt.length
                    + " tokens but the context holds " + session.contextLength());
        }
        session.truncate(common);
        long t0 = System.nanoTime();
        logits = session.evaluate(prompt, common, prompt.length - common);
        promptNanos = System.nanoTime() - t0;
        promptEvaluated = prompt.length - common;
        sampler = new Sampler(options.samplerParams(), logits.length);
        for (int t : prompt) {
            sampler.accept(t);
        }
        decoder = codec.decoder();
        text.setLength(0);
        emitted = 0;
        count = 0;
        stop = null;
        textEnd = -1;
        genStart = System.nanoTime();
        if (options.maxTokens() == 0) {
            finish(StopReason.MAX_TOKENS);
        }
    }

    boolean done() {
        return stop != null;
    }

    /** Generates one token; null when generation has ended. */
    @Nullable TokenEvent next() {
        if (stop != null) {
            return null;
        }
        if (session.takeCancelled()) {
            finish(StopReason.CANCELLED);
            return null;
        }
        int token = sampler.sample(logits);
        float lp = opts.logprobs() ? Sampler.logProb(logits, token) : Float.NaN;
        sampler.accept(token);
        if (count == generated.length) {
            generated = Arrays.copyOf(generated, count * 2);
            logprobs = Arrays.copyOf(logprobs, count * 2);
        }
        generated[count] = token;
        logprobs[count] = lp;
        int index = count++;
        if (!opts.ignoreEos() && codec.isEndOfGeneration(token)) {
            finish(StopReason.EOS);
            return new TokenEvent(index, token, drain(), lp);
        }
        text.append(decoder.accept(token));
        if (findStop()) {
            finish(StopReason.STOP_STRING);
            return new TokenEvent(index, token, drain(), lp);
        }
        if (count >= opts.maxTokens()) {
            finish(StopReason.MAX_TOKENS);
            return new TokenEvent(index, token, drain(), lp);
        }
        if (session.position() + 1 > session.contextLength()) {
            int keep = Math.min(opts.contextShiftKeep(), session.position() - 1);
            int discard = (session.position() - keep) / 2;
            if (!opts.contextShift() || discard <= 0) {
                finish(StopReason.CONTEXT_FULL);
                return new TokenEvent(index, token, drain(), lp);
            }
            session.shift(keep, discard);
        }
        logits = session.evaluate(generated, index, 1);
        return new TokenEvent(index, token, drainSafe(), lp);
    }

    private void finish(StopReason why) {
        stop = why;
        genEnd = System.nanoTime();
        if (why != StopReason.STOP_STRING) {
            text.append(decoder.flush());
            if (findStop()) {
                stop = StopReason.STOP_STRING;
            }
        }
    }

    /** True when a stop string occurs; the text end is then set before it. */
    private boolean findStop() {
        int best = -1;
        for (String s : opts.stopStrings()) {
            int from = Math.max(0, emitted - s.length());
            int at = text.indexOf(s, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        if (best >= 0) {
            textEnd = best;
            return true;
        }
        return false;
    }

    private int end() {
        return textEnd >= 0 ? textEnd : text.length();
    }

    /** All text not yet emitted (at the end of generation). */
    private String drain() {
        int e = Math.max(emitted, end());
        String s = text.substring(emitted, e);
        emitted = e;
        return s;
    }

    /** Text not yet emitted that cannot be the beginning of a stop string. */
    private String drainSafe() {
        int safe = text.length();
        for (String s : opts.stopStrings()) {
            for (int k = Math.min(s.length() - 1, text.length() - emitted); k > 0; k--) {
                if (endsWithPrefix(s, k)) {
                    safe = Math.min(safe, text.length() - k);
                    break;
                }
            }
        }
        if (safe <= emitted) {
            return "";
        }
        String s = text.substring(emitted, safe);
        emitted = safe;
        return s;
    }

    private boolean endsWithPrefix(String s, int k) {
        int off = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(off + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    GenerationResult result() {
        if (stop == null) {
            throw new IllegalStateException("generation has not ended");
        }
        double pp = promptNanos > 0 ? promptEvaluated / (promptNanos / 1e9) : 0;
        long g = genEnd - genStart;
        double tg = g > 0 ? count / (g / 1e9) : 0;
        return new GenerationResult(text.substring(0, end()), promptTokens, Arrays.copyOf(generated, count),
                opts.logprobs() ? Arrays.copyOf(logprobs, count) : new float[0], stop, pp, tg);
    }
}
