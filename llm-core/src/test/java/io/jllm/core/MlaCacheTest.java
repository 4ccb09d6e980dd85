package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jllm.quant.kernel.Numerics;
import io.jllm.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * The compressed MLA cache: per token and layer only the normalised latent and the roped shared
 * key (kv_lora_rank + rope values), measured from the session's arena allocation. In the default
 * numerics in the requested type; in reference numerics (this class also runs there when selected
 * with {@code -Dtest}) always F32, since the per-head keys are rebuilt from it exactly.
 */
class MlaCacheTest {
    /** Bytes per cached value the latent cache uses for a requested type in this JVM's numerics. */
    private static long bytes(KvCacheType requested) {
        return Numerics.current() == Numerics.REFERENCE ? 4 : requested.bytes();
    }

    private static long kvBytesPerToken(String file, KvCacheType type) throws Exception {
        try (Model m = Model.load(TestData.model(file), ModelOptions.builder().threads(1).contextLength(64)
                .kvCacheType(type).build()); Session s = m.session()) {
            return s.kvBytesPerToken();
        }
    }

    @Test
    void deepseek2LiteCachesLatentAndRopeKeyOnly() throws Exception {
        // 27 layers, kv_lora_rank 64, rope 16; MHA would need 27 × 4 heads × (48 + 32) × 2 = 17280
        long values = MlaCacheSize.valuesPerToken(TestData.model("deepseek2-lite.q8_0.gguf"));
        assertEquals(27L * (64 + 16), values);
        assertEquals(values * bytes(KvCacheType.F16), kvBytesPerToken("deepseek2-lite.q8_0.gguf", KvCacheType.F16));
        assertEquals(values * bytes(KvCacheType.F32), kvBytesPerToken("deepseek2-lite.q8_0.gguf", KvCacheType.F32));
    }

    @Test
    void deepseek3CachesLatentAndRopeKeyOnly() throws Exception {
        // 3 layers, kv_lora_rank 128, rope 32; MHA would need 3 × 4 × (96 + 64) × 2 = 3840
        long values = MlaCacheSize.valuesPerToken(TestData.model("deepseek3.q4_k_m.gguf"));
        assertEquals(3L * (128 + 32), values);
        assertEquals(values * bytes(KvCacheType.F16), kvBytesPerToken("deepseek3.q4_k_m.gguf", KvCacheType.F16));
    }

    @Test
    void configReadsMlaAndMoeKeys() throws Exception {
        try (Model m = Model.load(TestData.model("deepseek3.f16.gguf"), ModelOptions.builder().threads(1)
                .contextLength(32).build())) {
            MlaConfig mla = m.config().mla();
            MoeConfig moe = m.config().moe();
            assertNotNull(mla);
            assertNotNull(moe);
            assertEquals(128, mla.qLoraRank());
            assertEquals(128, mla.kvLoraRank());
            assertEquals(64, mla.nopeDim());
            assertEquals(32, mla.ropeDim());
            assertEquals(64, mla.vDim());
            // YaRN factor 4, log multiplier 0.1: mscale = 1 + 0.1·ln 4, kq_scale = mscale² / √96
            double ms = 1 + 0.1 * Math.log(4);
            assertEquals(ms * ms / Math.sqrt(96), mla.kqScale(), 1e-6);
            assertEquals(1 / ms, mla.ropeAttnFactor(), 1e-6);
            assertEquals(MoeConfig.Gating.SIGMOID, moe.gating());
            assertEquals(8, moe.experts());
            assertEquals(2, moe.expertsUsed());
            assertEquals(true, moe.normWeights());
            assertEquals(2.5f, moe.weightsScale());
            assertEquals(1, moe.leadingDense());
            assertEquals(256, moe.sharedFeedForward());
        }
    }
}
