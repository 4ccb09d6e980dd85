package io.jllm.cli;

import io.jllm.core.GenerateOptions;
import io.jllm.core.GenerationResult;
import io.jllm.core.Model;
import io.jllm.core.ModelOptions;
import io.jllm.core.Session;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code llm generate}: streams a continuation of a prompt (CLI contract). */
public final class GenerateCommand implements CliCommand, Main.ValuedOptions {
    @Override
    public String usage() {
        return "llm generate -m MODEL [-p PROMPT] [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p M] "
                + "[--repeat-penalty R] [--seed S] [--ignore-eos] [-t THREADS] [-c CTX] [--numerics fast|reference] [--ubatch N] [--json]";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("-m", "-p", "-n", "--temp", "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--seed",
                "-t", "-c", "--ubatch", "--numerics");
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) throws Exception {
        String file = a.requireOption("-m");
        String prompt = a.option("-p", "");
        int n = a.intOption("-n", 128);
        GenerateOptions.Builder g = GenerateOptions.builder()
                .maxTokens(n < 0 ? Integer.MAX_VALUE : n)
                .temperature((float) a.doubleOption("--temp", 0.8))
                .topK(a.intOption("--top-k", 40))
                .topP((float) a.doubleOption("--top-p", 0.95))
                .minP((float) a.doubleOption("--min-p", 0.05))
                .repeatPenalty((float) a.doubleOption("--repeat-penalty", 1.0))
                .ignoreEos(a.flag("--ignore-eos"))
                .contextShift(1); // as llama-cli: when the context fills, keep BOS and drop half
        long seed = a.longOption("--seed", -1);
        if (seed >= 0) {
            g.seed(seed & 0xffffffffL);
        }
        boolean json = a.flag("--json");
        ModelOptions mo = ModelArgs.options(a);
        a.finish();
        try (Model model = ModelArgs.load(file, mo); Session s = model.session()) {
            int[] promptTokens = s.tokenize(prompt);
            if (promptTokens.length == 0) {
                throw new CliException("the prompt is empty and the vocabulary adds no BOS: give -p PROMPT");
            }
            if (promptTokens.length > s.contextLength()) {
                throw new CliException("the prompt has " + promptTokens.length + " tokens but the context holds "
                        + s.contextLength() + " (raise -c)");
            }
            GenerationResult r = s.generate(promptTokens, g.build(), json ? null : e -> {
                out.print(e.text());
                out.flush();
            });
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("prompt_tokens", r.promptTokens());
                m.put("tokens", r.tokens());
                m.put("text", r.text());
                m.put("pp_tokens_per_s", r.promptTokensPerSecond());
                m.put("tg_tokens_per_s", r.generatedTokensPerSecond());
                m.put("kv_bytes_per_token", s.kvBytesPerToken());
                out.println(Json.write(m));
            } else {
                out.println();
                err.printf(Locale.ROOT, "llm: %d prompt tokens at %.1f tok/s, %d generated at %.1f tok/s (%s)%n",
                        r.promptTokens().length, r.promptTokensPerSecond(), r.tokens().length,
                        r.generatedTokensPerSecond(), r.stopReason().name().toLowerCase(Locale.ROOT));
            }
        }
        return 0;
    }
}
