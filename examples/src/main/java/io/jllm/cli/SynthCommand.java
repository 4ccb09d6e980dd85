package io.jllm.cli;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufMetadata;
import io.jllm.synth.FileType;
import io.jllm.synth.ModelShape;
import io.jllm.synth.Presets;
import io.jllm.synth.SynthMetadata;
import io.jllm.synth.Synthesizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code llm synth}: writes a model with random weights and the exact shapes of a real one
 * (a preset), optionally scaled by dimension overrides, in any file type.
 */
public final class SynthCommand implements CliCommand, Main.ValuedOptions {
    @Override
    public String usage() {
        return "llm synth --preset NAME --type TYPE [--vocab VOCAB.gguf] [--seed S] [--pure] [--layers N] [--dim D]"
                + " [--ffn F] [--heads H] [--kv-heads K] [--head-dim HD] [--experts E] [--experts-used U]"
                + " [--vocab-size V] [--ctx C] [--rope-base B] [--tied|--untied] [-t THREADS] [--json] OUT"
                + "   (presets: " + String.join(", ", Presets.names()) + ")";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("--preset", "--type", "--vocab", "--seed", "--layers", "--dim", "--ffn", "--heads",
                "--kv-heads", "--head-dim", "--experts", "--experts-used", "--vocab-size", "--ctx", "--rope-base",
                "-t", "--threads", "--name");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String presetName = args.requireOption("--preset");
        ModelShape shape = Presets.get(presetName);
        if (shape == null) {
            throw new CliException("unknown preset '" + presetName + "' (known: " + String.join(", ", Presets.names()) + ")");
        }
        String typeName = args.requireOption("--type");
        FileType ft = FileType.fromName(typeName);
        if (ft == null) {
            throw new CliException("unknown file type '" + typeName + "' (llama-quantize names: q4_0, q8_0, q4_k_m, f16, ...)");
        }
        String vocabPath = args.option("--vocab");
        long seed = args.longOption("--seed", 42);
        boolean pure = args.flag("--pure");
        boolean json = args.flag("--json");
        int threads = args.intOption("-t", args.intOption("--threads", Runtime.getRuntime().availableProcessors()));
        String name = args.option("--name", "synthetic " + presetName.toLowerCase(Locale.ROOT));
        try {
            shape = applyOverrides(shape, args);
        } catch (IllegalArgumentException e) {
            throw new CliException("bad model shape: " + e.getMessage());
        }
        Path outPath = Path.of(args.positional(0, "OUT (the .gguf file to write)"));
        args.finish();
        if (args.positionals().size() > 1) {
            throw new CliException("unexpected argument '" + args.positionals().get(1) + "'");
        }
        if (threads < 1) {
            throw new CliException("-t must be at least 1");
        }
        Path parent = outPath.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CliException("output folder " + parent + " does not exist");
        }

        GgufMetadata vocab = null;
        if (vocabPath != null) {
            try (GgufFile vf = GgufFile.open(Path.of(vocabPath))) {
                vocab = vf.metadata();
                int n;
                try {
                    n = SynthMetadata.vocabSize(vocab);
                } catch (IllegalArgumentException e) {
                    throw new CliException(vocabPath + ": " + e.getMessage());
                }
                if (args.option("--vocab-size") != null && n != shape.vocab()) {
                    throw new CliException("--vocab-size " + shape.vocab() + " disagrees with " + vocabPath
                            + " (" + n + " tokens)");
                }
                if (n != shape.vocab()) {
                    err.println("synth: vocab size " + shape.vocab() + " -> " + n + " (the tokens of " + vocabPath + ")");
                    shape = shape.withVocab(n);
                }
            }
        }

        Synthesizer.Options opts = new Synthesizer.Options(shape, ft, pure, seed, name, vocab, threads);
        Map<String, GgmlType> types;
        try {
            types = Synthesizer.plan(opts);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new CliException(e.getMessage());
        }
        err.printf(Locale.ROOT, "synth: %s %s, %.3fB parameters, %s (%s) -> %s%n", presetName, shape.arch(),
                shape.parameterCount() / 1e9, ft.cliName(), typeSummary(types), outPath);
        long t0 = System.nanoTime();
        ProgressBar bar = new ProgressBar(err);
        Synthesizer.Result r = Synthesizer.write(opts, outPath, bar);
        bar.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long fileBytes = Files.size(outPath);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("path", outPath.toString());
            j.put("bytes", fileBytes);
            j.put("parameters", r.parameters());
            j.put("file_type", ft.cliName());
            j.put("tensor_types", typeCounts(types));
            j.put("seconds", seconds);
            out.println(Json.write(j));
        } else {
            out.printf(Locale.ROOT, "wrote %s: %d tensors, %d parameters, %.1f MiB in %.1f s%n", outPath, types.size(),
                    r.parameters(), fileBytes / 1048576.0, seconds);
        }
        return 0;
    }

    private static ModelShape applyOverrides(ModelShape s, Args a) {
        int dim = a.intOption("--dim", 0);
        if (dim > 0) {
            s = s.withDim(dim);
        }
        int heads = a.intOption("--heads", 0);
        int kv = a.intOption("--kv-heads", 0);
        if (heads > 0 || kv > 0) {
            s = s.withHeads(heads > 0 ? heads : s.heads(), kv > 0 ? kv : s.kvHeads());
        } else if (dim > 0) {
            s = s.withHeads(s.heads(), s.kvHeads());
        }
        int headDim = a.intOption("--head-dim", 0);
        if (headDim > 0) {
            s = s.withHeadDim(headDim);
        }
        int layers = a.intOption("--layers", 0);
        if (layers > 0) {
            s = s.withLayers(layers);
        }
        int ffn = a.intOption("--ffn", 0);
        if (ffn > 0) {
            s = s.withFfn(ffn);
        }
        int vocab = a.intOption("--vocab-size", 0);
        if (vocab > 0) {
            s = s.withVocab(vocab);
        }
        int ctx = a.intOption("--ctx", 0);
        if (ctx > 0) {
            s = s.withContext(ctx);
        }
        double base = a.doubleOption("--rope-base", 0);
        if (base > 0) {
            s = s.withRopeBase(base);
        }
        int experts = a.intOption("--experts", -1);
        int used = a.intOption("--experts-used", -1);
        if (experts >= 0 || used >= 0) {
            int e = experts >= 0 ? experts : s.experts();
            s = s.withExperts(e, used >= 0 ? used : Math.min(2, e));
        }
        if (a.flag("--tied")) {
            s = s.withTied(true);
        }
        if (a.flag("--untied")) {
            s = s.withTied(false);
        }
        for (String o : new String[] {"--dim", "--heads", "--kv-heads", "--head-dim", "--layers", "--ffn",
                "--vocab-size", "--ctx"}) {
            String v = a.option(o);
            if (v != null && Integer.parseInt(v.trim()) <= 0) {
                throw new IllegalArgumentException(o + " must be positive, got " + v);
            }
        }
        if (s.dim() % s.heads() != 0 && a.option("--head-dim") == null) {
            throw new IllegalArgumentException("dim " + s.dim() + " is not a multiple of heads " + s.heads()
                    + " (give --head-dim)");
        }
        return s;
    }

    private static Map<String, Integer> typeCounts(Map<String, GgmlType> types) {
        Map<String, Integer> c = new TreeMap<>();
        for (GgmlType t : types.values()) {
            c.merge(t.ggmlName(), 1, Integer::sum);
        }
        return c;
    }

    private static String typeSummary(Map<String, GgmlType> types) {
        StringBuilder sb = new StringBuilder();
        typeCounts(types).forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
        return sb.toString();
    }

    /** A one-line progress bar on stderr, redrawn at most every 200 ms. */
    private static final class ProgressBar implements Synthesizer.Progress {
        private final PrintStream err;
        private final long start = System.nanoTime();
        private long last;
        private boolean drawn;

        ProgressBar(PrintStream err) {
            this.err = err;
        }

        @Override
        public void update(long done, long total, String tensor) {
            long now = System.nanoTime();
            if (total <= 0 || (now - last < 200_000_000L && done < total)) {
                return;
            }
            last = now;
            int width = 30;
            int filled = (int) (width * done / total);
            double s = (now - start) / 1e9;
            err.printf(Locale.ROOT, "\rsynth: [%s%s] %3d%% %,d/%,d MiB %5.1fs %-28s", "#".repeat(filled),
                    ".".repeat(width - filled), 100 * done / total, done >> 20, total >> 20, s,
                    tensor.length() > 28 ? tensor.substring(0, 28) : tensor);
            err.flush();
            drawn = true;
        }

        void finish() {
            if (drawn) {
                err.println();
            }
        }
    }
}
