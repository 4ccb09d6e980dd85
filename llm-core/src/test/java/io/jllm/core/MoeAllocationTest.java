package io.jllm.core;

import io.jllm.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MoE and MLA blocks allocate nothing per token after warm-up either (same measurement as
 * {@link AllocationTest}, over the calling thread and the pool's workers).
 */
class MoeAllocationTest {
    @ParameterizedTest
    @ValueSource(strings = {"qwen2moe.q8_0.gguf", "deepseek3.f16.gguf", "deepseek2-lite.q8_0.gguf"})
    void evaluateAllocatesNothingAfterWarmUp(String name) throws Exception {
        AllocationTest.assertNoAllocationAfterWarmUp(TestData.model(name));
    }
}
