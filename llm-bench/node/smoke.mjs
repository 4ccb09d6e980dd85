#!/usr/bin/env node
// Checks that llama.cpp (node-llama-cpp, CPU, offline) loads a GGUF file and generates:
// tokenizes a prompt, evaluates it, and decodes N tokens greedily. Prints one JSON line.
// usage: node smoke.mjs MODEL.gguf [N] [PROMPT]
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import process from "node:process";

const [modelPath, nArg, promptArg] = process.argv.slice(2);
if (!modelPath) {
    process.stderr.write("usage: node smoke.mjs MODEL.gguf [N] [PROMPT]\n");
    process.exit(1);
}
const n = Number(nArg ?? 8);
const prompt = promptArg ?? "Once upon a time";
try {
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 2, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
    const context = await model.createContext({ contextSize: 256, threads: 2 });
    const sequence = context.getSequence();
    const promptTokens = model.tokenize(prompt, true);
    const generated = [];
    for await (const token of sequence.evaluate(promptTokens, { temperature: 0 })) {
        generated.push(token);
        if (generated.length >= n) break;
    }
    process.stdout.write(JSON.stringify({
        model: modelPath,
        n_vocab: model.tokens.nVocab ?? null,
        prompt_tokens: promptTokens,
        generated,
        text: model.detokenize(generated),
    }) + "\n");
    await context.dispose();
    await model.dispose();
} catch (e) {
    process.stderr.write(`smoke.mjs: error: ${e?.message ?? e}\n`);
    process.exit(1);
}
