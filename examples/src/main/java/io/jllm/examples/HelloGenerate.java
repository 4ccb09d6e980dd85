package io.jllm.examples;

import io.jllm.core.GenerateOptions;
import io.jllm.core.GenerationResult;
import io.jllm.core.Model;
import io.jllm.core.Session;
import io.jllm.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * The README's library example as a program: generate text from a GGUF model, then count the
 * tokens of the result with the standalone tokenizer.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp ... io.jllm.examples.HelloGenerate models/kjv-5m.q8_0.gguf "Genesis 1:1"</pre>
 */
public final class HelloGenerate {
    private HelloGenerate() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args.length > 0 ? args[0] : "models/kjv-5m.q8_0.gguf");
        String prompt = args.length > 1 ? args[1] : "Genesis 1:1";
        try (Model model = Model.load(path);
             Session session = model.session()) {
            GenerationResult r = session.generate(prompt,
                    GenerateOptions.builder().temperature(0.7f).topP(0.9f).maxTokens(100).seed(42).build());
            System.out.println(r.text());
            System.out.println("(" + Tokenizer.fromGguf(path).countTokens(r.text()) + " tokens)");
        }
    }
}
