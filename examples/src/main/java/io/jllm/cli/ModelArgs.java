package io.jllm.cli;

import io.jllm.core.Model;
import io.jllm.core.ModelLoadException;
import io.jllm.core.ModelOptions;
import io.jllm.quant.kernel.Numerics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Shared handling of the model options of {@code generate} and {@code logits}: -m, -t, -c,
 * --ubatch, --numerics.
 */
final class ModelArgs {
    private ModelArgs() {}

    static ModelOptions options(Args a) {
        numerics(a.option("--numerics"));
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

    /**
     * {@code --numerics fast|reference}: sets {@link Numerics#PROPERTY} before the kernels read it
     * (once per JVM); an error if this JVM already runs in the other mode.
     */
    static void numerics(@Nullable String value) {
        if (value == null) {
            return;
        }
        // validated by name here: touching Numerics would fix the mode before the property is set
        String mode = value.toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("fast") && !mode.equals("reference")) {
            throw new CliException("option --numerics expects 'fast' or 'reference', got '" + value + "'");
        }
        System.setProperty(Numerics.PROPERTY, mode);
        String current = Numerics.current().name().toLowerCase(java.util.Locale.ROOT);
        if (!current.equals(mode)) {
            throw new CliException("option --numerics " + value + ": this JVM already computes in " + current
                    + " numerics");
        }
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
