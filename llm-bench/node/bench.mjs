#!/usr/bin/env node
// llama.cpp's speed on one GGUF file, through node-llama-cpp (prebuilt CPU binaries, offline),
// measured with the definitions of `llm bench` (docs/cli-contract.md) so the two can be compared:
//   pp      a P-token prompt evaluated in one call from an empty context, tokens/s
//   tg      N single-token greedy decodes from an empty cache after a 1-token prompt, tokens/s
//   load_s  from the load call to a ready model
// Median over REPS runs (after one unmeasured warm-up: the prompt and 4 decodes); spread = (max - min) / median.
// Prints exactly one JSON line on stdout; progress goes to stderr.
//
// usage: node bench.mjs -m MODEL.gguf [-p 512] [-n 128] [-t THREADS] [-r REPS]
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import os from "node:os";
import process from "node:process";

function parseArgs(argv) {
    const opts = { model: null, p: 512, n: 128, t: 2, r: 3 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) throw new Error(`option ${a} needs a value`);
            return argv[++i];
        };
        const int = () => {
            const v = value();
            if (!/^\d+$/.test(v)) throw new Error(`option ${a} expects a non-negative integer, got '${v}'`);
            return Number(v);
        };
        switch (a) {
            case "-m": case "--model": opts.model = value(); break;
            case "-p": opts.p = int(); break;
            case "-n": opts.n = int(); break;
            case "-t": case "--threads": opts.t = int(); break;
            case "-r": case "--reps": opts.r = int(); break;
            default: throw new Error(`unknown argument ${a}`);
        }
    }
    if (!opts.model) throw new Error("missing -m MODEL.gguf");
    if (opts.t < 1 || opts.r < 1) throw new Error("-t and -r must be at least 1");
    return opts;
}

function summary(tokens, seconds) {
    const rates = seconds.map((s) => tokens / s).sort((a, b) => a - b);
    const mid = rates.length >> 1;
    const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
    const spread = median > 0 ? (rates[rates.length - 1] - rates[0]) / median : 0;
    return { tokens, tokens_per_s: round(median), spread: round(spread, 4), runs: rates.map((r) => round(r)) };
}

function round(x, digits = 3) {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

/** Deterministic pseudo-random token ids in [firstId, nVocab), as llama-bench feeds random tokens. */
function promptTokens(count, nVocab, firstId, first) {
    const out = [];
    let s = 0x2545f491;
    for (let i = 0; i < count; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        out.push(i === 0 && first != null ? first : firstId + (s % (nVocab - firstId)));
    }
    return out;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const log = (msg) => process.stderr.write(`bench.mjs: ${msg}\n`);

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const llama = await getLlama({
        gpu: false,
        build: "never",
        maxThreads: opts.t,
        logLevel: LlamaLogLevel.error,
        progressLogs: false,
    });

    log(`loading ${opts.model} (${opts.t} threads)`);
    const t0 = now();
    const model = await llama.loadModel({ modelPath: opts.model, gpuLayers: 0, useMmap: true });
    const loadS = now() - t0;

    const nVocab = model.tokens.nVocab ?? model.fileInfo?.metadata?.tokenizer?.ggml?.tokens?.length;
    const bos = model.tokens.bos ?? 1;
    const context = await model.createContext({
        contextSize: opts.p + opts.n + 16,
        batchSize: Math.max(opts.p, 1),
        sequences: 1,
        threads: { ideal: opts.t, min: opts.t },
        flashAttention: false,
    });
    const sequence = context.getSequence();
    const prompt = promptTokens(opts.p, nVocab, 3, bos);

    const runPp = async (tokens) => {
        await sequence.clearHistory();
        const start = now();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);
        return now() - start;
    };
    const runTg = async (count) => {
        await sequence.clearHistory();
        const gen = sequence.evaluate([bos], { temperature: 0 });
        let step = await gen.next(); // the 1-token prompt: not timed
        const start = now();
        for (let i = 0; i < count && !step.done; i++) {
            step = await gen.next(step.value);
        }
        const elapsed = now() - start;
        await gen.return();
        return elapsed;
    };

    log("warm-up"); // as llama-bench: the full prompt once, then a few decodes
    if (opts.p > 0) await runPp(prompt);
    await runTg(Math.min(4, opts.n));

    const pp = [];
    const tg = [];
    for (let r = 0; r < opts.r; r++) {
        if (opts.p > 0) {
            pp.push(await runPp(prompt));
            log(`pp${opts.p} run ${r + 1}/${opts.r}: ${(opts.p / pp[r]).toFixed(2)} tokens/s`);
        }
        if (opts.n > 0) {
            tg.push(await runTg(opts.n));
            log(`tg${opts.n} run ${r + 1}/${opts.r}: ${(opts.n / tg[r]).toFixed(2)} tokens/s`);
        }
    }

    const result = {
        engine: "llama.cpp (node-llama-cpp 3.22.1, CPU)",
        model: opts.model,
        threads: opts.t,
        reps: opts.r,
        pp: opts.p > 0 ? summary(opts.p, pp) : null,
        tg: opts.n > 0 ? summary(opts.n, tg) : null,
        load_s: round(loadS),
        rss_bytes: process.memoryUsage().rss,
        cpu: os.cpus()[0]?.model ?? "unknown",
    };
    process.stdout.write(JSON.stringify(result) + "\n");
    await context.dispose();
    await model.dispose();
    await llama.dispose();
}

main().catch((e) => {
    process.stderr.write(`bench.mjs: error: ${e?.message ?? e}\n`);
    process.exit(1);
});
