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
 * The context shift on a latent (MLA) cache: layer 0's rows [c ; k_pe] depend only on the token
 * and its position, so after dropping a prefix they must equal the rows of the same tokens
 * evaluated at the new positions — the latent unchanged, the shared rope key re-rotated (YaRN
 * in deepseek3).
 */
class MlaContextShiftTest {
    @ParameterizedTest
    @ValueSource(strings = {"deepseek3.f16.gguf", "deepseek2-lite.q8_0.gguf"})
    void shiftedLatentRowsMatchFreshRows(String name) throws Exception {
        int[] junk = {5, 9, 77, 300, 41, 12, 8};
        int[] x = {1, 100, 200, 33, 44, 55, 66, 77, 88, 99};
        int[] all = new int[junk.length + x.length];
        System.arraycopy(junk, 0, all, 0, junk.length);
        System.arraycopy(x, 0, all, junk.length, x.length);
        try (GgufFile f = GgufFile.open(TestData.model(name)); Arena a = Arena.ofShared()) {
            ModelConfig cfg = ModelConfig.from(f);
            ModelWeights w = WeightLoader.load(f, cfg);
            Forward fresh = new Forward(cfg, w, a, KvCacheType.F32, 64, 32, 1, Parallel.SERIAL);
            Forward shifted = new Forward(cfg, w, a, KvCacheType.F32, 64, 32, 1, Parallel.SERIAL);
            fresh.layers(x, 0, x.length, 0, x.length);
            shifted.layers(all, 0, all.length, 0, all.length);
            shifted.shift(0, junk.length, all.length);
            int width = cfg.mla().cacheWidth();
            int rank = cfg.mla().kvLoraRank();
            MemorySegment k1 = a.allocate(4L * width);
            MemorySegment k2 = a.allocate(4L * width);
            for (int c = 0; c < x.length; c++) {
                fresh.kvCache().loadK(0, c, k1, 0);
                shifted.kvCache().loadK(0, c, k2, 0);
                for (int i = 0; i < width; i++) {
                    float v1 = F32.get(k1, i);
                    float v2 = F32.get(k2, i);
                    if (i < rank) {
                        // the same token at another batch size: equal up to the kernels' summation order
                        assertEquals(v1, v2, 1e-4 * Math.max(1, Math.abs(v1)), name + " cell " + c + " latent " + i);
                    } else {
                        assertEquals(v1, v2, 1e-4 * Math.max(1, Math.abs(v1)), name + " cell " + c + " rope " + i);
                    }
                }
            }
        }
    }
}
