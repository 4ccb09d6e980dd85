package io.jllm.cli;

import io.jllm.core.Model;
import io.jllm.core.ModelLoadException;
import io.jllm.core.ModelOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Shared handling of the model options of {@code generate} and {@code logits}: -m, -t, -c, --ubatch. */
final class ModelArgs {
    private ModelArgs() {}

    static ModelOptions options(Args a) {
        ModelOptions.Builder b = ModelOptions.builder();
        int threads = a.intOption("-t", 0);
        if (threads < 0) {
            throw new CliException("option -t expects a positive thread count, got " + threads);
        }
        if (threads > 0) {
            b.threads(threads);
        }
        int ctx = a.intOption("-c", 0);
        if (ctx < 0) {
            throw new CliException("option -c expects a positive context length, got " + ctx);
        }
        b.contextLength(ctx);
        int ub = a.intOption("--ubatch", 512);
        if (ub < 1) {
            throw new CliException("option --ubatch expects a positive batch size, got " + ub);
        }
        return b.ubatch(ub).build();
    }

    static Model load(String file, ModelOptions o) {
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            throw new CliException(file + ": no such file");
        }
        try {
            return Model.load(p, o);
        } catch (ModelLoadException e) {
            throw new CliException(e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new CliException(e.getFile() + ": no such file", e);
        } catch (IOException e) {
            throw new CliException(file + ": " + e.getMessage(), e);
        }
    }
}
