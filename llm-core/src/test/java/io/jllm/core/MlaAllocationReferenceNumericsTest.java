package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.quant.kernel.Numerics;
import io.jllm.testing.TestData;
import org.junit.jupiter.api.Test;

/**
 * Reference numerics' latent attention (per-head keys and values rebuilt from the compressed
 * cache at every step, {@code MlaExpanded}) allocates nothing per token after warm-up: the rebuild
 * reuses its arena workspace. Same measurement as {@link AllocationTest}; runs in the
 * {@code reference-numerics} execution (no vector code there, so the JIT state of a shared JVM does
 * not matter as it does for the SIMD kernels). deepseek3.q4_k_m: 3 layers, so the rebuild's cost
 * keeps the warm-up short.
 */
class MlaAllocationReferenceNumericsTest {
    @Test
    void evaluateAllocatesNothingAfterWarmUp() throws Exception {
        assertEquals(Numerics.REFERENCE, Numerics.current(), "this class must run with -Djllm.numerics=reference");
        AllocationTest.assertNoAllocationAfterWarmUp(TestData.model("deepseek3.q4_k_m.gguf"));
    }
}
