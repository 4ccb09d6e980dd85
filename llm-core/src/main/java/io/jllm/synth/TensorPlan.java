package io.jllm.synth;

import io.jllm.synth.TensorSpec.Kind;
import java.util.ArrayList;
import java.util.List;

/** The tensors of a model shape, named and shaped as llama.cpp's loader expects them. */
public final class TensorPlan {
    private TensorPlan() {}

    /** Every tensor of the model, in file order (embeddings, blocks, output). */
    public static List<TensorSpec> tensors(ModelShape s) {
        List<TensorSpec> out = new ArrayList<>();
        long d = s.dim();
        long q = (long) s.heads() * s.headDim();
        long kv = (long) s.kvHeads() * s.headDim();
        out.add(new TensorSpec("token_embd.weight", new long[] {d, s.vocab()}, Kind.MATRIX));
        if (s.llama3Rope() != null) {
            out.add(new TensorSpec("rope_freqs.weight", new long[] {s.headDim() / 2}, Kind.FIXED));
        }
        for (int i = 0; i < s.layers(); i++) {
            String p = "blk." + i + ".";
            out.add(new TensorSpec(p + "attn_norm.weight", new long[] {d}, Kind.NORM));
            out.add(new TensorSpec(p + "attn_q.weight", new long[] {d, q}, Kind.MATRIX));
            out.add(new TensorSpec(p + "attn_k.weight", new long[] {d, kv}, Kind.MATRIX));
            out.add(new TensorSpec(p + "attn_v.weight", new long[] {d, kv}, Kind.MATRIX));
            if (s.qkvBias()) {
                out.add(new TensorSpec(p + "attn_q.bias", new long[] {q}, Kind.BIAS));
                out.add(new TensorSpec(p + "attn_k.bias", new long[] {kv}, Kind.BIAS));
                out.add(new TensorSpec(p + "attn_v.bias", new long[] {kv}, Kind.BIAS));
            }
            out.add(new TensorSpec(p + "attn_output.weight", new long[] {q, d}, Kind.MATRIX));
            out.add(new TensorSpec(p + "ffn_norm.weight", new long[] {d}, Kind.NORM));
            long f = s.ffn();
            if (s.experts() == 0) {
                out.add(new TensorSpec(p + "ffn_gate.weight", new long[] {d, f}, Kind.MATRIX));
                out.add(new TensorSpec(p + "ffn_up.weight", new long[] {d, f}, Kind.MATRIX));
                out.add(new TensorSpec(p + "ffn_down.weight", new long[] {f, d}, Kind.MATRIX));
            } else {
                long e = s.experts();
                out.add(new TensorSpec(p + "ffn_gate_inp.weight", new long[] {d, e}, Kind.ROUTER));
                out.add(new TensorSpec(p + "ffn_gate_exps.weight", new long[] {d, f, e}, Kind.MATRIX));
                out.add(new TensorSpec(p + "ffn_up_exps.weight", new long[] {d, f, e}, Kind.MATRIX));
                out.add(new TensorSpec(p + "ffn_down_exps.weight", new long[] {f, d, e}, Kind.MATRIX));
                if (s.arch().equals("qwen2moe")) {
                    out.add(new TensorSpec(p + "ffn_gate_inp_shexp.weight", new long[] {d}, Kind.ROUTER));
                    out.add(new TensorSpec(p + "ffn_gate_shexp.weight", new long[] {d, f}, Kind.MATRIX));
                    out.add(new TensorSpec(p + "ffn_up_shexp.weight", new long[] {d, f}, Kind.MATRIX));
                    out.add(new TensorSpec(p + "ffn_down_shexp.weight", new long[] {f, d}, Kind.MATRIX));
                }
            }
        }
        out.add(new TensorSpec("output_norm.weight", new long[] {d}, Kind.NORM));
        if (!s.tied()) {
            out.add(new TensorSpec("output.weight", new long[] {d, s.vocab()}, Kind.MATRIX));
        }
        return out;
    }

    /**
     * Llama 3's per-frequency RoPE divisors ({@code rope_freqs.weight}), as the Hugging Face
     * conversion computes them: 1 for short wavelengths, {@code factor} for long ones, a smooth
     * blend between.
     */
    public static float[] llama3RopeFactors(ModelShape s) {
        ModelShape.Llama3Rope r = s.llama3Rope();
        if (r == null) {
            throw new IllegalStateException("shape has no Llama 3 RoPE scaling");
        }
        int n = s.headDim() / 2;
        float[] out = new float[n];
        double lowWavelen = r.originalContext() / r.lowFreqFactor();
        double highWavelen = r.originalContext() / r.highFreqFactor();
        for (int i = 0; i < n; i++) {
            double freq = 1.0 / Math.pow(s.ropeBase(), (2.0 * i) / s.headDim());
            double wavelen = 2 * Math.PI / freq;
            double f;
            if (wavelen < highWavelen) {
                f = 1;
            } else if (wavelen > lowWavelen) {
                f = r.factor();
            } else {
                double smooth = (r.originalContext() / wavelen - r.lowFreqFactor())
                        / (r.highFreqFactor() - r.lowFreqFactor());
                f = 1 / ((1 - smooth) / r.factor() + smooth);
            }
            out[i] = (float) f;
        }
        return out;
    }
}
