package io.jllm.core;

import io.jllm.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * llama-gqa.q4_k_m (Q4_K and Q6_K, batched and single-token paths) allocates nothing per token
 * after warm-up; in a JVM of its own (see {@link MoeQwen2MoeAllocationTest} for why). The K-quant
 * tile decoders (SimdDecode) used to box vectors in the batched path, ~400 KB per 24-token batch.
 */
class KQuantAllocationTest {
    @Test
    void evaluateAllocatesNothingAfterWarmUp() throws Exception {
        AllocationTest.assertNoAllocationAfterWarmUp(TestData.model("llama-gqa.q4_k_m.gguf"));
    }
}
