package io.jllm.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.core.KvCacheType;
import io.jllm.core.MlaCacheSize;
import io.jllm.core.ModelConfig;
import io.jllm.core.ops.F32;
import io.jllm.core.weights.ModelWeights;
import io.jllm.core.weights.WeightLoader;
import io.jllm.gguf.GgufFile;
import io.jllm.quant.kernel.Numerics;
import io.jllm.quant.kernel.Parallel;
import io.jllm.testing.TestData;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The expanded latent attention of {@link Numerics#REFERENCE} ({@link MlaExpanded}) against the
 * default absorbed form on deepseek3.f16 (the file whose golden both match): the same logits
 * up to fp16 rounding. Both keep the compressed cache; the expanded path keeps it in F32 and
 * rebuilds the per-head keys and values from it at every step.
 */
class MlaExpandedTest {
    private static final int[] TOKENS = {1, 100, 200, 33, 44, 55, 66, 77, 88, 99, 5, 9, 300, 41, 12, 8, 400, 7, 3};

    @Test
    void expandedLogitsEqualAbsorbedWithinFp16Tolerance() throws Exception {
        try (GgufFile f = GgufFile.open(TestData.model("deepseek3.f16.gguf")); Arena a = Arena.ofShared()) {
            ModelConfig cfg = ModelConfig.from(f);
            ModelWeights w = WeightLoader.load(f, cfg);
            float[] absorbed = lastLogits(new Forward(cfg, w, a, KvCacheType.F16, 64, 32, 1, Parallel.SERIAL,
                    Numerics.FAST), cfg);
            float[] expanded = lastLogits(new Forward(cfg, w, a, KvCacheType.F16, 64, 32, 1, Parallel.SERIAL,
                    Numerics.REFERENCE), cfg);
            double max = 0;
            for (int i = 0; i < absorbed.length; i++) {
                max = Math.max(max, Math.abs(absorbed[i] - expanded[i]));
            }
            // both are within 0.01 of llama.cpp's golden for this file; a wrong head layout, scale
            // or rope part moves logits by whole units
            assertTrue(max > 0 && max <= 0.05, "max |absorbed − expanded| " + max);
        }
    }

    @Test
    void expandedPathCachesTheLatentInF32() throws Exception {
        try (GgufFile f = GgufFile.open(TestData.model("deepseek2-lite.q8_0.gguf")); Arena a = Arena.ofShared()) {
            ModelConfig cfg = ModelConfig.from(f);
            ModelWeights w = WeightLoader.load(f, cfg);
            long perValue = MlaCacheSize.valuesPerToken(f);
            for (KvCacheType type : KvCacheType.values()) {
                Forward ref = new Forward(cfg, w, a, type, 16, 8, 1, Parallel.SERIAL, Numerics.REFERENCE);
                Forward fast = new Forward(cfg, w, a, type, 16, 8, 1, Parallel.SERIAL, Numerics.FAST);
                // the latent must stay exact for the rebuilt keys: F32 whatever the requested type
                assertEquals(KvCacheType.F32, ref.kvCache().type());
                assertEquals(perValue * 4, ref.kvCache().byteSize() / ref.kvCache().context());
                assertEquals(perValue * 4, Forward.kvBytesPerToken(cfg, type, Numerics.REFERENCE));
                assertEquals(type, fast.kvCache().type());
                assertEquals(perValue * type.bytes(), fast.kvCache().byteSize() / fast.kvCache().context());
                assertEquals(perValue * type.bytes(), Forward.kvBytesPerToken(cfg, type, Numerics.FAST));
            }
        }
    }

    private static float[] lastLogits(Forward fw, ModelConfig cfg) {
        fw.layers(TOKENS, 0, TOKENS.length, 0, TOKENS.length - 1);
        fw.logits(0, 1);
        float[] l = new float[cfg.vocabSize()];
        for (int i = 0; i < l.length; i++) {
            l[i] = F32.get(fw.logitsBuffer(), i);
        }
        return l;
    }
}
