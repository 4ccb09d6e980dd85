package io.jllm.cli;

import io.jllm.core.Model;
import io.jllm.core.ModelOptions;
import io.jllm.core.Session;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code llm bench}: llama-bench's figures for jllm. pp: a P-token prompt evaluated in one call
 * from an empty cache; tg: N single-token greedy decodes from an empty cache after a 1-token
 * prompt. Median over REPS runs after one warm-up (the full prompt and a few decodes, as
 * llama-bench warms up; it also lets the JIT compile the hot loops); spread = (max − min) /
 * median. The prompt is the same pseudo-random token sequence {@code llm-bench/node/bench.mjs}
 * feeds llama.cpp, so both sides do identical work.
 */
public final class BenchCommand implements CliCommand, Main.ValuedOptions {
    @Override
    public String usage() {
        return "llm bench -m MODEL [-p 512] [-n 128] [-t THREADS] [-r REPS] [--no-mmap] [--json]";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("-m", "--model", "-p", "-n", "-t", "--threads", "-r", "--reps");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String model = args.requireOption("-m", "--model");
        int p = args.intOption("-p", 512);
        int n = args.intOption("-n", 128);
        int threads = args.intOption("-t", args.intOption("--threads", Runtime.getRuntime().availableProcessors()));
        int reps = args.intOption("-r", args.intOption("--reps", 5));
        boolean json = args.flag("--json");
        boolean mmap = !args.flag("--no-mmap");
        args.finish();
        if (p < 0 || n < 0 || (p == 0 && n == 0)) {
            throw new CliException("-p and -n must be ≥ 0 and not both 0");
        }
        if (threads < 1 || reps < 1) {
            throw new CliException("-t and -r must be at least 1");
        }
        Path path = Path.of(model);
        if (!Files.isRegularFile(path)) {
            throw new CliException("model file not found: " + model);
        }

        err.printf(Locale.ROOT, "bench: loading %s (%d threads)%n", model, threads);
        long t0 = System.nanoTime();
        try (Engine e = Engine.load(path, threads, p + n + 16, Math.max(p, 1), mmap)) {
            double loadS = (System.nanoTime() - t0) / 1e9;
            int[] prompt = promptTokens(p, e.vocabSize(), 3, e.bos());

            err.println("bench: warm-up");
            if (p > 0) {
                e.reset();
                e.evaluate(prompt);
            }
            runTg(e, Math.min(n, 4));

            double[] pp = new double[p > 0 ? reps : 0];
            double[] tg = new double[n > 0 ? reps : 0];
            for (int r = 0; r < reps; r++) {
                if (p > 0) {
                    e.reset();
                    long s = System.nanoTime();
                    e.evaluate(prompt);
                    pp[r] = (System.nanoTime() - s) / 1e9;
                    err.printf(Locale.ROOT, "bench: pp%d run %d/%d: %.2f tokens/s%n", p, r + 1, reps, p / pp[r]);
                }
                if (n > 0) {
                    tg[r] = runTg(e, n);
                    err.printf(Locale.ROOT, "bench: tg%d run %d/%d: %.2f tokens/s%n", n, r + 1, reps, n / tg[r]);
                }
            }
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("engine", "jllm");
            j.put("model", model);
            j.put("threads", threads);
            j.put("reps", reps);
            j.put("pp", p > 0 ? summary(p, pp) : null);
            j.put("tg", n > 0 ? summary(n, tg) : null);
            j.put("load_s", round(loadS, 3));
            j.put("rss_bytes", rssBytes());
            j.put("kv_bytes_per_token", e.kvBytesPerToken());
            j.put("repack_bytes", e.repackedBytes());
            if (json) {
                out.println(Json.write(j));
            } else {
                out.printf(Locale.ROOT, "%s, %d threads: pp%d %.2f tokens/s (±%.1f%%), tg%d %.2f tokens/s (±%.1f%%),"
                                + " load %.2f s, rss %.0f MiB (repack %.0f MiB), kv %d bytes/token%n", model, threads,
                        p, p > 0 ? median(rates(p, pp)) : 0, p > 0 ? 100 * spread(rates(p, pp)) : 0,
                        n, n > 0 ? median(rates(n, tg)) : 0, n > 0 ? 100 * spread(rates(n, tg)) : 0,
                        loadS, rssBytes() / 1048576.0, e.repackedBytes() / 1048576.0, e.kvBytesPerToken());
            }
        }
        return 0;
    }

    /** Seconds for {@code n} greedy single-token decodes after an untimed 1-token prompt (BOS). */
    private static double runTg(Engine e, int n) {
        e.reset();
        float[] logits = e.evaluate(new int[] {e.bos()});
        int[] one = new int[1];
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) {
            one[0] = argmax(logits);
            logits = e.evaluate(one);
        }
        return (System.nanoTime() - s) / 1e9;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The prompt bench.mjs uses: {@code first}, then ids in [firstId, nVocab) from a 32-bit LCG. */
    static int[] promptTokens(int count, int nVocab, int firstId, int first) {
        int[] out = new int[count];
        long s = 0x2545f491L;
        for (int i = 0; i < count; i++) {
            s = (s * 1103515245L + 12345L) & 0xFFFFFFFFL;
            out[i] = i == 0 ? first : (int) (firstId + s % (nVocab - firstId));
        }
        return out;
    }

    static double[] rates(int tokens, double[] seconds) {
        double[] r = new double[seconds.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = tokens / seconds[i];
        }
        return r;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    static double spread(double[] v) {
        double med = median(v);
        return med > 0 ? (Arrays.stream(v).max().orElse(0) - Arrays.stream(v).min().orElse(0)) / med : 0;
    }

    private static Map<String, Object> summary(int tokens, double[] seconds) {
        double[] r = rates(tokens, seconds);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens", tokens);
        m.put("tokens_per_s", round(median(r), 3));
        m.put("spread", round(spread(r), 4));
        m.put("runs", Arrays.stream(r).map(x -> round(x, 3)).boxed().toList());
        return m;
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }

    /** Resident set size from /proc/self/status (Linux), else the JVM heap in use. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The inference engine seen by the benchmark: one {@link Model} and one {@link Session}. */
    static final class Engine implements AutoCloseable {
        private final Model model;
        private final Session session;
        private final int bos;

        private Engine(Model model, Session session, int bos) {
            this.model = model;
            this.session = session;
            this.bos = bos;
        }

        /** Loads with {@code threads} workers, a {@code context}-token cache and prompt batches of {@code ubatch}. */
        static Engine load(Path path, int threads, int context, int ubatch) throws IOException {
            return load(path, threads, context, ubatch, true);
        }

        /** As {@link #load(Path, int, int, int)}; {@code mmap} false reads the weights into memory. */
        static Engine load(Path path, int threads, int context, int ubatch, boolean mmap) throws IOException {
            ModelOptions options = ModelOptions.builder().threads(threads).contextLength(context).ubatch(ubatch)
                    .mmap(mmap).build();
            Model model = Model.load(path, options);
            try {
                Session session = model.session();
                int bos = (int) model.file().metadata().getLong("tokenizer.ggml.bos_token_id", 1);
                return new Engine(model, session, bos);
            } catch (RuntimeException | Error e) {
                model.close();
                throw e;
            }
        }

        float[] evaluate(int[] tokens) {
            return session.evaluate(tokens);
        }

        void reset() {
            session.reset();
        }

        int vocabSize() {
            return model.config().vocabSize();
        }

        int bos() {
            return bos;
        }

        long repackedBytes() {
            return model.repackedBytes();
        }

        long kvBytesPerToken() {
            return session.kvBytesPerToken();
        }

        @Override
        public void close() {
            try {
                session.close();
            } finally {
                model.close();
            }
        }
    }
}
