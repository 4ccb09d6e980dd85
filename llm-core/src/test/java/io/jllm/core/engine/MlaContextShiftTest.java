package io.jllm.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.core.KvCacheType;
import io.jllm.core.ModelConfig;
import io.jllm.core.ops.F32;
import io.jllm.core.weights.ModelWeights;
import io.jllm.core.weights.WeightLoader;
import io.jllm.gguf.GgufFile;
import io.jllm.quant.kernel.Numerics;
import io.jllm.quant.kernel.Parallel;
import io.jllm.testing.TestData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The context shift on a latent (MLA) cache: layer 0's rows [c ; k_pe] depend only on the token
 * and its position, so after dropping a prefix they must equal the rows of the same tokens
 * evaluated at the new positions — the latent unchanged, the shared rope key re-rotated (YaRN
 * in deepseek3). {@link Numerics#REFERENCE} keeps the same rows (in F32, the rope key rounded as
 * the baseline's cache type holds it: with F16 the shifted key is rounded once more, as
 * llama.cpp's K-shift rounds it, so it may differ from a fresh one by an fp16 step).
 */
class MlaContextShiftTest {
    @ParameterizedTest
    @CsvSource({"deepseek3.f16.gguf, FAST, F32", "deepseek2-lite.q8_0.gguf, FAST, F32",
            "deepseek3.f16.gguf, REFERENCE, F32", "deepseek2-lite.q8_0.gguf, REFERENCE, F32",
            "deepseek2-lite.q8_0.gguf, REFERENCE, F16"})
    void shiftedLatentRowsMatchFreshRows(String name, Numerics numerics, KvCacheType type) throws Exception {
        int[] junk = {5, 9, 77, 300, 41, 12, 8};
        int[] x = {1, 100, 200, 33, 44, 55, 66, 77, 88, 99};
        int[] all = new int[junk.length + x.length];
        System.arraycopy(junk, 0, all, 0, junk.length);
        System.arraycopy(x, 0, all, junk.length, x.length);
        try (GgufFile f = GgufFile.open(TestData.model(name)); Arena a = Arena.ofShared()) {
            ModelConfig cfg = ModelConfig.from(f);
            ModelWeights w = WeightLoader.load(f, cfg);
            Forward fresh = new Forward(cfg, w, a, type, 64, 32, 1, Parallel.SERIAL, numerics);
            Forward shifted = new Forward(cfg, w, a, type, 64, 32, 1, Parallel.SERIAL, numerics);
            fresh.layers(x, 0, x.length, 0, x.length);
            shifted.layers(all, 0, all.length, 0, all.length);
            shifted.shift(0, junk.length, all.length);
            int width = cfg.mla().cacheWidth();
            int rank = cfg.mla().kvLoraRank();
            // fp16 has an 11-bit significand: one rounding step is 2^-11 relative
            double ropeTol = type == KvCacheType.F16 ? 1.0 / 1024 : 1e-4;
            MemorySegment k1 = a.allocate(4L * width);
            MemorySegment k2 = a.allocate(4L * width);
            for (int c = 0; c < x.length; c++) {
                fresh.kvCache().loadK(0, c, k1, 0);
                shifted.kvCache().loadK(0, c, k2, 0);
                for (int i = 0; i < width; i++) {
                    float v1 = F32.get(k1, i);
                    float v2 = F32.get(k2, i);
                    // the same token at another batch size: equal up to the kernels' summation order
                    double tol = (i < rank ? 1e-4 : ropeTol) * Math.max(1, Math.abs(v1));
                    assertEquals(v1, v2, tol, name + " cell " + c + (i < rank ? " latent " : " rope ") + i);
                }
            }
        }
    }
}
