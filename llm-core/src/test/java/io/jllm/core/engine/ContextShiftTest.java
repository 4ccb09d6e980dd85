package io.jllm.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.core.KvCacheType;
import io.jllm.core.ModelConfig;
import io.jllm.core.ops.F32;
import io.jllm.core.weights.ModelWeights;
import io.jllm.core.weights.WeightLoader;
import io.jllm.gguf.GgufFile;
import io.jllm.quant.kernel.Parallel;
import io.jllm.testing.TestData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The K-shift re-rotates cached keys for their new positions: layer 0's keys depend only on the
 * token and its position, so after dropping a prefix they must equal the keys of the same tokens
 * evaluated at the new positions (up to fp16 rounding); values move unchanged.
 */
class ContextShiftTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa.f32.gguf", "qwen2.f32.gguf", "llama3-rope.f32.gguf"})
    void shiftedKeysMatchFreshKeys(String name) throws Exception {
        int[] junk = {5, 9, 77, 300, 41, 12, 8};
        int[] x = {1, 100, 200, 33, 44, 55, 66, 77, 88, 99};
        int[] all = new int[junk.length + x.length];
        System.arraycopy(junk, 0, all, 0, junk.length);
        System.arraycopy(x, 0, all, junk.length, x.length);
        try (GgufFile f = GgufFile.open(TestData.model(name)); Arena a = Arena.ofShared()) {
            ModelConfig cfg = ModelConfig.from(f);
            ModelWeights w = WeightLoader.load(f, cfg);
            Forward fresh = new Forward(cfg, w, a, KvCacheType.F16, 64, 32, 1, Parallel.SERIAL);
            Forward shifted = new Forward(cfg, w, a, KvCacheType.F16, 64, 32, 1, Parallel.SERIAL);
            fresh.layers(x, 0, x.length, 0, x.length);
            shifted.layers(all, 0, all.length, 0, all.length);
            // keep the first token of junk... here keep 0, drop the junk
            shifted.shift(0, junk.length, all.length);
            MemorySegment k1 = a.allocate(4L * cfg.kDim());
            MemorySegment k2 = a.allocate(4L * cfg.kDim());
            double max = 0;
            for (int c = 0; c < x.length; c++) {
                fresh.kvCache().loadK(0, c, k1, 0);
                shifted.kvCache().loadK(0, c, k2, 0);
                for (int i = 0; i < cfg.kDim(); i++) {
                    float v1 = F32.get(k1, i);
                    float v2 = F32.get(k2, i);
                    max = Math.max(max, Math.abs(v1 - v2) / Math.max(1e-3, Math.abs(v1)));
                    assertEquals(v1, v2, 2e-3 * Math.max(1, Math.abs(v1)), name + " cell " + c + " dim " + i);
                }
            }
            System.out.println("SHIFT " + name + " max relative key difference " + max);
        }
    }
}
