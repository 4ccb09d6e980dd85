package io.jllm.cli;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.LlamaFileType;
import io.jllm.quant.ModelQuantizer;
import io.jllm.quant.Quantizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code llm quantize IN OUT TYPE [--pure] [--allow-requantize] [-t N] [--json]}: llama-quantize's
 * job (no imatrix) — the same per-tensor types and the same bytes. A progress bar goes to stderr.
 */
public final class QuantizeCommand implements CliCommand, Main.ValuedOptions {
    private static final int BAR = 30;

    @Override
    public String usage() {
        return "llm quantize IN OUT TYPE [--pure] [--allow-requantize] [--leave-output-tensor] "
                + "[--output-tensor-type T] [--token-embedding-type T] [-t THREADS] [--json]   (TYPE: "
                + String.join(", ", Arrays.stream(LlamaFileType.values()).map(t -> t.name().toLowerCase(Locale.ROOT)).toList())
                + ")";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("-t", "--threads", "--output-tensor-type", "--token-embedding-type");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path in = Path.of(args.positional(0, "IN"));
        Path outPath = Path.of(args.positional(1, "OUT"));
        String typeName = args.positional(2, "TYPE");
        boolean pure = args.flag("--pure");
        boolean requant = args.flag("--allow-requantize");
        boolean json = args.flag("--json");
        boolean leaveOutput = args.flag("--leave-output-tensor");
        GgmlType outputType = tensorType(args.option("--output-tensor-type"), "--output-tensor-type");
        GgmlType embeddingType = tensorType(args.option("--token-embedding-type"), "--token-embedding-type");
        String t = args.option(new String[] {"-t", "--threads"});
        int threads = t == null ? Runtime.getRuntime().availableProcessors() : parseThreads(t);
        args.finish();
        if (args.positionals().size() > 3) {
            throw new CliException("unexpected argument '" + args.positionals().get(3) + "'");
        }
        LlamaFileType type = LlamaFileType.fromName(typeName);
        if (type == null) {
            throw new CliException("unknown quantization type '" + typeName + "' (one of: "
                    + String.join(", ", Arrays.stream(LlamaFileType.values()).map(Enum::name).toList()) + ")");
        }
        if (!Files.isRegularFile(in)) {
            throw new CliException(in + ": no such file");
        }
        if (Files.exists(outPath) && Files.isSameFile(in, outPath)) {
            throw new CliException(outPath + ": output would overwrite the input");
        }
        Progress progress = new Progress(err);
        ModelQuantizer.Result r;
        try {
            r = ModelQuantizer.quantize(in, outPath, new ModelQuantizer.Options(type, pure, requant, threads,
                    leaveOutput, outputType, embeddingType), progress);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            progress.finish();
            throw new CliException(e.getMessage(), e);
        }
        progress.finish();
        Map<String, Integer> types = new TreeMap<>();
        int converted = 0;
        for (ModelQuantizer.TensorPlan p : r.tensors()) {
            types.merge(p.type().ggmlName(), 1, Integer::sum);
            converted += p.converted() ? 1 : 0;
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("in", in.toString());
            m.put("out", outPath.toString());
            m.put("type", type.name().toLowerCase(Locale.ROOT));
            m.put("file_type", type.id());
            m.put("tensors", r.tensors().size());
            m.put("converted", converted);
            m.put("tensor_types", types);
            m.put("input_bytes", r.inputBytes());
            m.put("output_bytes", r.outputBytes());
            m.put("seconds", r.seconds());
            out.println(Json.write(m));
        } else {
            out.printf(Locale.ROOT, "%s -> %s (%s): %d tensors, %d converted %s; %.2f MiB -> %.2f MiB in %.2f s%n",
                    in, outPath, type.name(), r.tensors().size(), converted, types,
                    r.inputBytes() / 1048576.0, r.outputBytes() / 1048576.0, r.seconds());
        }
        return 0;
    }

    private static GgmlType tensorType(String name, String option) {
        if (name == null) {
            return null;
        }
        GgmlType t = GgmlType.fromName(name.trim());
        if (t == null || !Quantizer.supports(t)) {
            throw new CliException("option " + option + ": unknown or unsupported tensor type '" + name + "' (one of: "
                    + String.join(", ", Arrays.stream(GgmlType.values()).filter(Quantizer::supports)
                            .map(GgmlType::ggmlName).toList()) + ")");
        }
        return t;
    }

    private static int parseThreads(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new CliException("option -t expects a positive number of threads, got '" + s + "'");
    }

    /** A one-line progress bar on stderr, redrawn when the percentage or the tensor changes. */
    private static final class Progress implements ModelQuantizer.Listener {
        private final PrintStream err;
        private String label = "";
        private int lastPercent = -1;
        private boolean drawn;

        Progress(PrintStream err) {
            this.err = err;
        }

        @Override
        public void tensor(int index, int count, ModelQuantizer.TensorPlan plan) {
            label = String.format(Locale.ROOT, "[%d/%d] %s %s%s", index + 1, count, plan.source().name(),
                    plan.source().type().ggmlName(), plan.converted() ? " -> " + plan.type().ggmlName() : "");
            lastPercent = -1;
        }

        @Override
        public void progress(long done, long total) {
            int percent = total == 0 ? 100 : (int) (100 * done / total);
            if (percent == lastPercent) {
                return;
            }
            lastPercent = percent;
            int filled = percent * BAR / 100;
            err.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] "
                    + String.format(Locale.ROOT, "%3d%% ", percent) + pad(label));
            err.flush();
            drawn = true;
        }

        @Override
        public void warning(String message) {
            finish();
            err.println("llm quantize: warning: " + message);
        }

        private static String pad(String s) {
            return s.length() >= 60 ? s : s + " ".repeat(60 - s.length());
        }

        void finish() {
            if (drawn) {
                err.println();
                drawn = false;
            }
        }
    }
}
