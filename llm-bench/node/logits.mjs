#!/usr/bin/env node
// llama.cpp (node-llama-cpp, CPU, offline) as a second correctness reference: the top-K logits at
// every position of a token sequence evaluated in one batch, as a golden file of shared/testdata/
// golden/ records them. Flash attention is off (the baseline's default) unless --fa is given.
//   node logits.mjs MODEL.gguf --golden GOLDEN.json   compare with a golden: max/median |d| per position
//   node logits.mjs MODEL.gguf --tokens 1,2,3 [--top K] print {"top": [[[id, logit], ...] per position]}
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import fs from "node:fs";
import process from "node:process";

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const modelPath = args[0];
if (!modelPath || (!opt("--golden") && !opt("--tokens"))) {
    process.stderr.write("usage: node logits.mjs MODEL.gguf (--golden GOLDEN.json | --tokens 1,2,3 [--top K]) [--fa]\n");
    process.exit(1);
}
const golden = opt("--golden") ? JSON.parse(fs.readFileSync(opt("--golden"), "utf8")) : null;
const tokens = golden ? golden.tokens : opt("--tokens").split(",").map(Number);
const top = Number(opt("--top") ?? 10);
const llama = await getLlama({ gpu: false, build: "never", maxThreads: 2, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize: 256, threads: 2, flashAttention: args.includes("--fa"),
    batchSize: Math.max(512, tokens.length) });
const input = tokens.map((t, i) => [t, { generateNext: { logits: { filter: {
    tokens: golden ? golden.top[i].map((p) => p[0]) : [], includeTop: top } } } }]);
const res = await context.getSequence().controlledEvaluate(input);
if (golden) {
    const devs = tokens.map((_, i) => Math.max(...golden.top[i].map(([id, ref]) => Math.abs(res[i].next.logits.get(id) - ref))));
    const s = [...devs].sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({ model: modelPath, flash_attention: args.includes("--fa"), max: s[s.length - 1],
        median: s[s.length >> 1], per_position: devs.map((d) => +d.toFixed(5)) }) + "\n");
} else {
    const rows = res.map((r) => [...r.next.logits.entries()].slice(0, top));
    process.stdout.write(JSON.stringify({ model: modelPath, tokens, top: rows }) + "\n");
}
await context.dispose();
await model.dispose();
