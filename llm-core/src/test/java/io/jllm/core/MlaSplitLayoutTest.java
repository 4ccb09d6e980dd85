package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufWriter;
import io.jllm.testing.TestData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newer MLA layout (reference section 10): deepseek3.f16 rewritten the way newer
 * convert_hf_to_gguf.py writes DeepSeek files — {@code attn_kv_b} split into {@code attn_k_b}
 * {nope, rank, n_head} (transposed) and {@code attn_v_b} {rank, v, n_head}, the per-head dims
 * moved to {@code key_length_mla} / {@code value_length_mla}, {@code key_length} = rank + rope,
 * {@code value_length} = rank, {@code head_count_kv} = 1 — loads with the same dimensions and
 * still matches llama.cpp's golden of the original file (transposing fp16 values is exact).
 */
class MlaSplitLayoutTest {
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void splitKeyValueTensorsMatchTheGolden(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("deepseek3-mla.f16.gguf");
        try (GgufFile f = GgufFile.open(TestData.model("deepseek3.f16.gguf")); Arena arena = Arena.ofConfined()) {
            String p = "deepseek2.";
            int heads = f.metadata().getInt(p + "attention.head_count");
            int rank = f.metadata().getInt(p + "attention.kv_lora_rank");
            int rope = f.metadata().getInt(p + "rope.dimension_count");
            int qk = f.metadata().getInt(p + "attention.key_length");
            int v = f.metadata().getInt(p + "attention.value_length");
            int nope = qk - rope;
            GgufWriter w = new GgufWriter();
            w.putAll(f.metadata());
            w.put(p + "attention.key_length_mla", GgufValue.uint32(qk));
            w.put(p + "attention.value_length_mla", GgufValue.uint32(v));
            w.put(p + "attention.key_length", GgufValue.uint32(rank + rope));
            w.put(p + "attention.value_length", GgufValue.uint32(rank));
            w.put(p + "attention.head_count_kv", GgufValue.uint32(1));
            for (GgufTensor t : f.tensors()) {
                if (!t.name().endsWith("attn_kv_b.weight")) {
                    w.addTensor(t);
                    continue;
                }
                assertEquals(GgmlType.F16, t.type());
                String blk = t.name().substring(0, t.name().length() - "attn_kv_b.weight".length());
                MemorySegment kb = arena.allocate(2L * heads * rank * nope);
                MemorySegment vb = arena.allocate(2L * heads * v * rank);
                MemorySegment src = t.data();
                for (int h = 0; h < heads; h++) {
                    for (int r = 0; r < rank; r++) {
                        for (int d = 0; d < nope; d++) {
                            short x = src.getAtIndex(LE16, ((long) h * (nope + v) + d) * rank + r);
                            kb.setAtIndex(LE16, (long) h * rank * nope + (long) r * nope + d, x);
                        }
                        for (int i = 0; i < v; i++) {
                            short x = src.getAtIndex(LE16, ((long) h * (nope + v) + nope + i) * rank + r);
                            vb.setAtIndex(LE16, (long) h * v * rank + (long) i * rank + r, x);
                        }
                    }
                }
                w.addTensor(blk + "attn_k_b.weight", GgmlType.F16, new long[] {nope, rank, heads}, kb);
                w.addTensor(blk + "attn_v_b.weight", GgmlType.F16, new long[] {rank, v, heads}, vb);
            }
            w.write(out);
        }
        try (Model m = Model.load(out, ModelOptions.builder().threads(1).contextLength(64).build())) {
            MlaConfig mla = m.config().mla();
            assertNotNull(mla);
            assertEquals(64, mla.nopeDim());
            assertEquals(64, mla.vDim());
            assertEquals(4, m.config().kvHeads());
            assertNotNull(m.weights().layers().get(0).mla().keyAbsorb());
            assertNull(m.weights().layers().get(0).mla().wkvB());
            try (Session s = m.session()) {
                assertEquals(3L * (128 + 32) * 2, s.kvBytesPerToken());
            }
        }
        MoeGoldenTest.check(Golden.load("deepseek3.f16"), out);
    }
}
