package io.jllm.core;

import io.jllm.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * deepseek2-lite.q8_0.gguf: the MoE/MLA blocks allocate nothing per token after warm-up (same measurement as
 * {@link AllocationTest}). One model per test class, so per JVM (see the llm-core pom): a JVM
 * that has compiled the kernels for other models first can leave C2 in a state where vector
 * code boxes (docs/kernels.md), which is not what one application with one model sees.
 */
class MoeDeepseek2LiteAllocationTest {
    @Test
    void evaluateAllocatesNothingAfterWarmUp() throws Exception {
        AllocationTest.assertNoAllocationAfterWarmUp(TestData.model("deepseek2-lite.q8_0.gguf"));
    }
}
