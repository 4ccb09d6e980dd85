package io.jllm.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufMetadata;
import io.jllm.gguf.GgufTensor;
import io.jllm.testing.TestData;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthesizerTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** A small llama-3.2-shaped model (tied, rope_freqs): 2 layers, dim 128, 300 tokens. */
    static ModelShape small() {
        return Presets.get("llama-3.2-1b").withDim(128).withHeads(4, 2).withLayers(2).withFfn(256).withVocab(300);
    }

    private Path write(ModelShape s, FileType ft, long seed, GgufMetadata vocab, String name) throws Exception {
        Path out = dir.resolve(name);
        long[] last = {-1, -1};
        Synthesizer.write(new Synthesizer.Options(s, ft, false, seed, "test", vocab, 2), out,
                (done, total, tensor) -> {
                    assertTrue(done >= last[0], "progress goes forward");
                    last[0] = done;
                    last[1] = total;
                });
        assertEquals(last[0], last[1], "progress ends at the total");
        return out;
    }

    @Test
    void writesWhatLlamaCppReads() throws Exception {
        ModelShape s = small();
        Path p = write(s, FileType.F32, 7, null, "m.f32.gguf");
        try (GgufFile f = GgufFile.open(p)) {
            GgufMetadata m = f.metadata();
            assertEquals("llama", f.architecture());
            assertEquals(128, m.getInt("llama.embedding_length"));
            assertEquals(2, m.getInt("llama.block_count"));
            assertEquals(256, m.getInt("llama.feed_forward_length"));
            assertEquals(4, m.getInt("llama.attention.head_count"));
            assertEquals(2, m.getInt("llama.attention.head_count_kv"));
            assertEquals(32, m.getInt("llama.rope.dimension_count"));
            assertEquals(500000f, m.getFloat("llama.rope.freq_base"));
            assertEquals(1e-5f, m.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(131072, m.getInt("llama.context_length"));
            assertEquals(0, m.getInt("general.file_type"));
            assertEquals("llama", m.getString("tokenizer.ggml.model"));
            assertEquals(300, m.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(TensorPlan.tensors(s).size(), f.tensors().size());
            assertEquals(null, f.findTensor("output.weight"));
            for (TensorSpec t : TensorPlan.tensors(s)) {
                assertArrayEquals(t.shape(), f.tensor(t.name()).shape(), t.name());
            }
            // rope_freqs: 16 factors for head dim 32, 1 for high frequencies up to 32 for the lowest
            GgufTensor rf = f.tensor("rope_freqs.weight");
            assertEquals(1f, rf.data().get(F32, 0));
            assertEquals(32f, rf.data().get(F32, 4 * 15));
            // statistics of the generated values
            assertStats(f.tensor("blk.1.ffn_up.weight"), 0, 0.02);
            assertStats(f.tensor("blk.0.attn_norm.weight"), 1, 0.02);
            assertStats(f.tensor("token_embd.weight"), 0, 0.02);
        }
    }

    private static void assertStats(GgufTensor t, double mean, double std) {
        long n = t.elementCount();
        double sum = 0;
        double sq = 0;
        for (long i = 0; i < n; i++) {
            double v = t.data().get(F32, 4 * i);
            sum += v;
            sq += v * v;
        }
        double m = sum / n;
        double sd = Math.sqrt(sq / n - m * m);
        assertEquals(mean, m, 4 * std / Math.sqrt(n) + 1e-6, t.name() + " mean");
        assertEquals(std, sd, 0.05 * std, t.name() + " std");
    }

    @Test
    void f16IsTheF32ValuesRounded() throws Exception {
        ModelShape s = small();
        Path a = write(s, FileType.F32, 7, null, "a.gguf");
        Path b = write(s, FileType.F16, 7, null, "b.gguf");
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b)) {
            GgufTensor ta = fa.tensor("blk.0.attn_q.weight");
            GgufTensor tb = fb.tensor("blk.0.attn_q.weight");
            assertEquals(GgmlType.F16, tb.type());
            assertEquals(GgmlType.F32, fb.tensor("blk.0.ffn_norm.weight").type());
            assertEquals(1, fb.metadata().getInt("general.file_type"));
            for (long i = 0; i < ta.elementCount(); i++) {
                float x = ta.data().get(F32, 4 * i);
                assertEquals(Float.floatToFloat16(x), tb.data().get(I16, 2 * i));
            }
        }
    }

    /** A quantized file holds exactly the reference quantization of the F32 file's values (as llama-quantize --pure would write). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = FileType.class, names = {"Q4_0", "Q8_0", "Q4_K_M", "BF16"})
    void quantizedFileIsTheReferenceQuantizationOfTheF32One(FileType ft) throws Exception {
        ModelShape s = small().withDim(256).withHeads(4, 2).withTied(false);
        Path a = write(s, FileType.F32, 5, null, "a.gguf");
        Path b = write(s, ft, 5, null, "b.gguf");
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b)) {
            assertEquals(ft.id(), fb.metadata().getInt("general.file_type"));
            for (GgufTensor tb : fb.tensors()) {
                GgufTensor ta = fa.tensor(tb.name());
                int n = Math.toIntExact(ta.elementCount());
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = ta.data().get(F32, 4L * i);
                }
                byte[] want = new byte[Math.toIntExact(tb.byteSize())];
                var seg = java.lang.foreign.MemorySegment.ofArray(want);
                if (tb.type() == GgmlType.F32) {
                    java.lang.foreign.MemorySegment.copy(ta.data(), 0, seg, 0, want.length);
                } else {
                    io.jllm.quant.Quantizer.quantize(tb.type(), values, 0, n, seg, 0);
                }
                byte[] got = tb.data().asSlice(0, tb.byteSize()).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(want, got, tb.name() + " as " + tb.type());
            }
            if (ft == FileType.Q4_K_M) {
                assertEquals(GgmlType.Q6_K, fb.tensor("output.weight").type());
                assertEquals(GgmlType.Q4_K, fb.tensor("blk.0.attn_q.weight").type());
            }
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        ModelShape s = small().withTied(false);
        byte[] a = Files.readAllBytes(write(s, FileType.F16, 1, null, "a.gguf"));
        byte[] b = Files.readAllBytes(write(s, FileType.F16, 1, null, "b.gguf"));
        byte[] c = Files.readAllBytes(write(s, FileType.F16, 2, null, "c.gguf"));
        assertArrayEquals(a, b);
        assertEquals(a.length, c.length);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void copiesTheVocabularyOfAVocabFile() throws Exception {
        try (GgufFile v = GgufFile.open(TestData.path("vocab", "ggml-vocab-llama-spm.gguf"))) {
            int n = SynthMetadata.vocabSize(v.metadata());
            ModelShape s = small().withVocab(n).withLayers(1);
            Path p = write(s, FileType.F16, 3, v.metadata(), "v.gguf");
            try (GgufFile f = GgufFile.open(p)) {
                for (String k : v.metadata().keys()) {
                    if (k.startsWith("tokenizer.")) {
                        assertEquals(v.metadata().get(k), f.metadata().get(k), k);
                    }
                }
                assertEquals(n, f.tensor("token_embd.weight").dim(1));
            }
            ModelShape wrong = s.withVocab(n + 1);
            assertThrows(IllegalArgumentException.class,
                    () -> write(wrong, FileType.F16, 3, v.metadata(), "w.gguf"));
        }
    }

    @Test
    void syntheticVocabularyIsValid() {
        var m = SyntheticVocab.metadata(1000);
        String[] tokens = (String[]) m.get("tokenizer.ggml.tokens").value();
        assertEquals(1000, tokens.length);
        assertEquals(1000, Set.of(tokens).size(), "pieces are unique");
        assertEquals("<0x0A>", tokens[3 + 10]);
        assertEquals("<s>", tokens[1]);
        assertThrows(IllegalArgumentException.class, () -> SyntheticVocab.metadata(100));
    }

    @Test
    void typesWithoutAQuantizerAreRejected() {
        ModelShape s = small();
        var o = new Synthesizer.Options(s, FileType.IQ1_S, false, 1, "x", null, 1);
        assertThrows(UnsupportedOperationException.class, () -> Synthesizer.plan(o));
    }
}
