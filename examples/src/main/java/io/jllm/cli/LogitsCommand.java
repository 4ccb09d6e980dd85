package io.jllm.cli;

import io.jllm.core.Model;
import io.jllm.core.ModelOptions;
import io.jllm.core.Session;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code llm logits}: top-K logits at every position of a token sequence (CLI contract). */
public final class LogitsCommand implements CliCommand, Main.ValuedOptions {
    @Override
    public String usage() {
        return "llm logits -m MODEL (--tokens 1,2,3 | -p PROMPT) [--top K] [--ubatch N] [-t THREADS] [-c CTX] [--numerics fast|reference] [--json]";
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("-m", "-p", "--tokens", "--top", "--ubatch", "-t", "-c", "--numerics");
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) throws Exception {
        String file = a.requireOption("-m");
        String tokenList = a.option("--tokens");
        String prompt = a.option("-p");
        if ((tokenList == null) == (prompt == null)) {
            throw new CliException("give exactly one of --tokens 1,2,3 or -p PROMPT");
        }
        int top = a.intOption("--top", 10);
        if (top < 1) {
            throw new CliException("option --top expects a positive count, got " + top);
        }
        boolean json = a.flag("--json");
        ModelOptions mo = ModelArgs.options(a);
        a.finish();
        int[] parsed = tokenList == null ? null : parseTokens(tokenList);
        try (Model model = ModelArgs.load(file, mo); Session s = model.session()) {
            int[] tokens = parsed != null ? parsed : s.tokenize(prompt);
            int vocab = model.config().vocabSize();
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || tokens[i] >= vocab) {
                    throw new CliException("--tokens: token " + tokens[i] + " at index " + i
                            + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
            if (tokens.length == 0) {
                throw new CliException("no tokens to evaluate");
            }
            if (tokens.length > s.contextLength()) {
                throw new CliException(tokens.length + " tokens do not fit in the context of " + s.contextLength()
                        + " (raise -c)");
            }
            float[][] logits = s.evaluateAll(tokens);
            List<Object> rows = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < tokens.length; i++) {
                int[] best = topIds(logits[i], Math.min(top, vocab));
                List<Object> row = new ArrayList<>();
                text.append(String.format(Locale.ROOT, "%4d %6d:", i, tokens[i]));
                for (int id : best) {
                    row.add(List.of(id, logits[i][id]));
                    text.append(String.format(Locale.ROOT, " %d=%.5f", id, logits[i][id]));
                }
                text.append('\n');
                rows.add(row);
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("tokens", tokens);
                m.put("top", rows);
                out.println(Json.write(m));
            } else {
                out.print(text);
            }
        }
        return 0;
    }

    static int[] parseTokens(String s) {
        String[] parts = s.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new CliException("--tokens: '" + parts[i].trim() + "' at index " + i + " is not a token id");
            }
        }
        return ids;
    }

    /** The ids of the k largest logits, descending, ties to the lower id. */
    static int[] topIds(float[] l, int k) {
        int[] best = new int[k];
        int n = 0;
        for (int id = 0; id < l.length; id++) {
            if (n < k || l[id] > l[best[n - 1]]) {
                int pos = Math.min(n, k - 1);
                while (pos > 0 && l[best[pos - 1]] < l[id]) {
                    best[pos] = best[pos - 1];
                    pos--;
                }
                best[pos] = id;
                if (n < k) {
                    n++;
                }
            }
        }
        return best;
    }
}
