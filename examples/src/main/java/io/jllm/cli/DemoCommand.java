package io.jllm.cli;

import io.jllm.core.GenerateOptions;
import io.jllm.core.GenerationResult;
import io.jllm.core.Model;
import io.jllm.core.ModelOptions;
import io.jllm.core.Session;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code llm} with no arguments: loads the demo model bundled in the repository
 * ({@code models/kjv-5m.q8_0.gguf}, a 5M-parameter Llama trained on the King James Bible) and
 * streams a sampled continuation of a verse.
 */
public final class DemoCommand implements CliCommand {
    static final String MODEL = "models/kjv-5m.q8_0.gguf";
    static final String PROMPT = "Genesis 1:1 In the beginning God created the heaven and the earth.";

    @Override
    public String usage() {
        return "llm   (no arguments: stream a continuation from the bundled demo model)";
    }

    /** The demo model: under {@code jllm.home} (set by the ./llm launcher), else the working directory. */
    static Path modelPath() {
        String home = System.getProperty("jllm.home");
        if (home != null) {
            Path p = Path.of(home).resolve(MODEL);
            if (Files.exists(p)) {
                return p;
            }
        }
        Path p = Path.of(MODEL).toAbsolutePath();
        if (!Files.exists(p)) {
            throw new CliException("demo model not found: " + p + (home == null ? "" : " (nor under jllm.home " + home + ")"));
        }
        return p;
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) throws Exception {
        a.finish();
        Path path = modelPath();
        GenerateOptions opts = GenerateOptions.builder().temperature(0.7f).topP(0.9f).repeatPenalty(1.1f)
                .maxTokens(120).contextShift(1).build();
        err.println("llm: demo — " + path.getFileName() + " (5M-parameter Llama trained on the King James Bible), "
                + "temp 0.7, top-p 0.9, repeat penalty 1.1; try `llm --help` for the commands");
        try (Model model = ModelArgs.load(path.toString(), ModelOptions.defaults()); Session s = model.session()) {
            out.print(PROMPT);
            out.flush();
            GenerationResult r = s.generate(PROMPT, opts, e -> {
                out.print(e.text());
                out.flush();
            });
            out.println();
            err.printf(Locale.ROOT, "llm: %d tokens at %.1f tok/s%n", r.tokens().length, r.generatedTokensPerSecond());
        }
        return 0;
    }
}
