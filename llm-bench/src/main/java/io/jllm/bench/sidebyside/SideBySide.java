package io.jllm.bench.sidebyside;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Runs jllm ({@code ./llm bench --json}) and llama.cpp ({@code node llm-bench/node/bench.mjs},
 * node-llama-cpp's prebuilt CPU build) on the same GGUF files, one after the other in the same
 * run with the same thread count, and writes a markdown table (pp/tg tokens/s of both, the
 * jllm/llama.cpp ratios, machine, method, date) and an SVG chart into docs/performance.md.
 * JDK-only: {@code scripts/bench-side-by-side.sh} launches it straight from source.
 *
 * <pre>usage: SideBySide [-t 2] [-r 3] [-p 512] [-n 128] [--timeout 1200] [--doc docs/performance.md] [--json out/x.json] MODEL...</pre>
 *
 * <p>{@code --timeout} bounds each engine's run on each model (seconds); a run that takes longer
 * is stopped and reported as n/a.
 */
public final class SideBySide {
    /** The result of one engine on one model (null JSON and a reason when it failed). */
    record Run(Object json, String failure) {
        double pp() {
            return json == null ? Double.NaN : MiniJson.number(json, "pp.tokens_per_s");
        }

        double tg() {
            return json == null ? Double.NaN : MiniJson.number(json, "tg.tokens_per_s");
        }

        double ppSpread() {
            return json == null ? Double.NaN : MiniJson.number(json, "pp.spread");
        }

        double tgSpread() {
            return json == null ? Double.NaN : MiniJson.number(json, "tg.spread");
        }

        double loadS() {
            return json == null ? Double.NaN : MiniJson.number(json, "load_s");
        }

        /** This run with the median of its own load time and those of {@code others} (failed ones skipped). */
        Run withMedianLoad(List<Run> others) {
            if (json == null) {
                return this;
            }
            List<Double> loads = new ArrayList<>(List.of(loadS()));
            for (Run o : others) {
                if (!Double.isNaN(o.loadS())) {
                    loads.add(o.loadS());
                }
            }
            loads.sort(null);
            double median = loads.size() % 2 == 1 ? loads.get(loads.size() / 2)
                    : (loads.get(loads.size() / 2 - 1) + loads.get(loads.size() / 2)) / 2;
            Object j = MiniJson.with(json, "load_s_runs", new ArrayList<Object>(loads));
            return new Run(MiniJson.with(j, "load_s", median), null);
        }
    }

    /** Cold loads (fresh processes) per engine and model: the load column is their median. */
    static final int LOADS = 3;

    /** One model's pair of runs. */
    record Row(Path model, long bytes, Run jllm, Run llama) {}

    private SideBySide() {}

    public static void main(String[] argv) throws Exception {
        int threads = 2;
        int reps = 3;
        int p = 512;
        int n = 128;
        long timeoutS = 1200;
        Path root = Path.of(System.getProperty("jllm.home", ".")).toAbsolutePath().normalize();
        Path doc = root.resolve("docs/performance.md");
        Path json = root.resolve("out/side-by-side.json");
        List<Path> models = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "-t", "--threads" -> threads = Integer.parseInt(argv[++i]);
                case "-r", "--reps" -> reps = Integer.parseInt(argv[++i]);
                case "-p" -> p = Integer.parseInt(argv[++i]);
                case "-n" -> n = Integer.parseInt(argv[++i]);
                case "--timeout" -> timeoutS = Long.parseLong(argv[++i]);
                case "--doc" -> doc = Path.of(argv[++i]);
                case "--json" -> json = Path.of(argv[++i]);
                default -> {
                    if (a.startsWith("-")) {
                        System.err.println("side-by-side: unknown option " + a);
                        System.exit(1);
                    }
                    models.add(Path.of(a));
                }
            }
        }
        if (models.isEmpty()) {
            System.err.println("usage: SideBySide [-t 2] [-r 3] [-p 512] [-n 128] [--timeout S] [--doc FILE] [--json FILE]"
                    + " MODEL...");
            System.exit(1);
        }
        Machine machine = Machine.describe(root);
        List<Row> rows = new ArrayList<>();
        String[] common = {"-p", String.valueOf(p), "-n", String.valueOf(n), "-t", String.valueOf(threads),
                "-r", String.valueOf(reps)};
        for (Path m : models) {
            if (!Files.isRegularFile(m)) {
                System.err.println("side-by-side: no such model file " + m);
                System.exit(1);
            }
            System.err.println("side-by-side: === " + m.getFileName() + " ===");
            List<String> jllmCmd = new ArrayList<>(List.of(root.resolve("llm").toString(), "bench", "-m",
                    m.toString(), "--json"));
            jllmCmd.addAll(List.of(common));
            Run j = run(jllmCmd, root, "jllm", timeoutS);
            List<String> nodeCmd = new ArrayList<>(List.of("node", root.resolve("llm-bench/node/bench.mjs").toString(),
                    "-m", m.toAbsolutePath().toString()));
            nodeCmd.addAll(List.of(common));
            Run l = run(nodeCmd, root.resolve("llm-bench/node"), "llama.cpp", timeoutS);
            // more cold loads, alternating engines: one load per process is one sample of a noisy host
            List<Run> jLoads = new ArrayList<>();
            List<Run> lLoads = new ArrayList<>();
            for (int k = 1; k < LOADS; k++) {
                jLoads.add(run(loadOnly(jllmCmd), root, "jllm load", timeoutS));
                lLoads.add(run(loadOnly(nodeCmd), root.resolve("llm-bench/node"), "llama.cpp load", timeoutS));
            }
            rows.add(new Row(m, Files.size(m), j.withMedianLoad(jLoads), l.withMedianLoad(lLoads)));
        }
        Report report = new Report(machine, threads, reps, p, n, rows);
        Path nativeRef = root.resolve("llm-bench/node/native-reference.json");
        if (Files.isRegularFile(nativeRef)) {
            report.withNativeReference(MiniJson.parse(Files.readString(nativeRef)));
        }
        String section = report.markdown("performance-side-by-side.svg");
        String md = report.insertInto(Files.exists(doc) ? Files.readString(doc) : Report.DEFAULT_DOC, section);
        Files.createDirectories(doc.toAbsolutePath().getParent());
        Files.writeString(doc, md);
        Files.writeString(doc.resolveSibling("performance-side-by-side.svg"), report.svg());
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        Files.writeString(json, report.rawJson());
        System.out.println(section);
        System.err.println("side-by-side: wrote " + doc + ", " + doc.resolveSibling("performance-side-by-side.svg")
                + " and " + json);
    }

    /** Runs one benchmark process: stdout is its JSON line, stderr is echoed (its last line kept as the failure reason). */
    /** {@code cmd} with one 1-token prompt and one generated token, once: a load and little else. */
    static List<String> loadOnly(List<String> cmd) {
        List<String> c = new ArrayList<>(cmd);
        for (String[] opt : new String[][] {{"-p", "1"}, {"-n", "1"}, {"-r", "1"}}) {
            int i = c.indexOf(opt[0]);
            c.set(i + 1, opt[1]);
        }
        return c;
    }

    static Run run(List<String> cmd, Path dir, String label, long timeoutS) throws IOException, InterruptedException {
        System.err.println("side-by-side: [" + label + "] " + String.join(" ", cmd));
        Process proc = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        proc.getOutputStream().close();
        boolean[] timedOut = {false};
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                if (!proc.waitFor(timeoutS, java.util.concurrent.TimeUnit.SECONDS)) {
                    timedOut[0] = true;
                    proc.descendants().forEach(ProcessHandle::destroy);
                    proc.destroy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.err.println("  [" + label + "] " + line);
                if (!line.isBlank()) {
                    last = line;
                }
            }
        }
        int rc = proc.waitFor();
        watchdog.interrupt();
        String stdout = out.join().trim();
        if (timedOut[0]) {
            return new Run(null, "stopped after the " + timeoutS + " s time limit (--timeout)");
        }
        if (rc != 0 || stdout.isEmpty()) {
            return new Run(null, last.isEmpty() ? "exit status " + rc : last);
        }
        String lastLine = stdout.substring(stdout.lastIndexOf('\n') + 1);
        try {
            return new Run(MiniJson.parse(lastLine), null);
        } catch (IllegalArgumentException e) {
            return new Run(null, "unreadable output: " + e.getMessage());
        }
    }

    /** Label of a model file: {@code tinyllama-1.1b.q4_k_m.gguf} → type {@code Q4_K_M}. */
    static String typeOf(Path model) {
        String f = model.getFileName().toString().replaceFirst("\\.gguf$", "");
        int dot = f.lastIndexOf('.');
        return (dot >= 0 ? f.substring(dot + 1) : f).toUpperCase(Locale.ROOT);
    }

    /** Model name without the type: {@code tinyllama-1.1b.q4_k_m.gguf} → {@code tinyllama-1.1b}. */
    static String nameOf(Path model) {
        String f = model.getFileName().toString().replaceFirst("\\.gguf$", "");
        int dot = f.lastIndexOf('.');
        return dot >= 0 ? f.substring(0, dot) : f;
    }
}
