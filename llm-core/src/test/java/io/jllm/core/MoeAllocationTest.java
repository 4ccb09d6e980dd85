package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MoE and MLA blocks allocate nothing on the heap per evaluated token after warm-up (router
 * scratch, expert grouping, gathered sub-batches, latent attention and absorption buffers all
 * live in the session). One thread: the blocks' own code is what is measured here. (Files with
 * K-quant matrices are left out: at the time of writing the K-quant matrix kernels themselves
 * allocate about 50 KB per evaluation, e.g. qwen2moe.q4_k_m, which has no MLA.)
 */
class MoeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocated(long[] ids) {
        long sum = 0;
        for (long id : ids) {
            long b = THREADS.getThreadAllocatedBytes(id);
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }

    private static long[] candidates() {
        List<Long> l = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("jllm")) {
                l.add(t.threadId());
            }
        }
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2moe.q8_0.gguf", "deepseek3.f16.gguf", "deepseek2-lite.q8_0.gguf"})
    void evaluateAllocatesNothingAfterWarmUp(String name) throws Exception {
        try (Model m = Model.load(TestData.model(name), ModelOptions.builder().threads(1).contextLength(128).build());
             Session s = m.session()) {
            int[] prompt = new int[24];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + (i * 37) % 500;
            }
            int[] one = new int[48];
            for (int i = 0; i < one.length; i++) {
                one[i] = 3 + (i * 11) % 500;
            }
            for (int r = 0; r < 20; r++) {
                s.reset();
                s.evaluate(prompt, 0, prompt.length);
                for (int i = 0; i < 16; i++) {
                    s.evaluate(one, i, 1);
                }
            }
            s.reset();
            long[] threads = candidates();
            long baseline = allocated(threads);
            baseline = allocated(threads) - baseline;
            long before = allocated(threads);
            s.evaluate(prompt, 0, prompt.length);
            for (int i = 0; i < one.length; i++) {
                s.evaluate(one, i, 1);
            }
            long bytes = allocated(threads) - before - baseline;
            System.out.println("ALLOC " + name + ": " + bytes + " bytes over 1 batch + " + one.length
                    + " single-token evaluations, " + threads.length + " threads watched");
            assertTrue(bytes < 256, name + ": " + bytes + " bytes allocated while evaluating");
        }
    }
}
