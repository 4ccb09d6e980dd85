package io.jllm.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.testing.TestData;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After warm-up, evaluating tokens allocates nothing on the heap, summed over the calling thread
 * and every worker thread of the session's pool.
 */
class AllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes allocated so far by the given threads plus every live thread whose name suggests a pool worker. */
    private static long allocated(long[] ids) {
        long sum = 0;
        for (int i = 0; i < ids.length; i++) {
            long b = THREADS.getThreadAllocatedBytes(ids[i]);
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }

    /** The calling thread and the session pool's workers (named jllm-*). */
    private static long[] candidates() {
        List<Long> l = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("jllm")) {
                l.add(t.threadId());
            }
        }
        long[] ids = new long[l.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = l.get(i);
        }
        return ids;
    }

    @Test
    void evaluateAllocatesNothingAfterWarmUp() throws Exception {
        for (java.nio.file.Path path : new java.nio.file.Path[] {TestData.model("llama-gqa.f32.gguf"),
                TestData.model("qwen2.f32.gguf"), TestData.model("gpt2.q8_0.gguf"),
                TestData.path("demo", "kjv-5m.q8_0.gguf"), TestData.model("llama-gqa.q4_0.gguf")}) {
            assertNoAllocationAfterWarmUp(path);
        }
    }

    /** Warms a 2-thread session on {@code path} up, then asserts evaluating allocates nothing. */
    static void assertNoAllocationAfterWarmUp(java.nio.file.Path path) throws Exception {
        String name = path.getFileName().toString();
        try (Model m = Model.load(path, ModelOptions.builder().threads(2).contextLength(128).build());
             Session s = m.session()) {
            int[] prompt = new int[24];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + (i * 37) % 500;
            }
            int[] one = new int[64];
            for (int i = 0; i < one.length; i++) {
                one[i] = 3 + (i * 11) % 500;
            }
            // warm-up: JIT the batch and the single-token paths
            for (int r = 0; r < 30; r++) {
                s.reset();
                s.evaluate(prompt, 0, prompt.length);
                for (int i = 0; i < 16; i++) {
                    s.evaluate(one, i, 1);
                }
            }
            // Measure until the JIT has reached steady state: on a loaded machine C2 may still be
            // compiling the vector kernels after the warm-up above, and interpreted Vector API code
            // allocates. Steady state must be reached, and then allocate nothing. The wait is
            // bounded by time as well as by attempts: 40 attempts take a few seconds, and with
            // the two cores busy (another build, a benchmark) the C2 thread can need longer than
            // that for these methods.
            long[] threads = candidates();
            long bytes = Long.MAX_VALUE;
            long deadline = System.nanoTime() + 120_000_000_000L;
            for (int attempt = 0; bytes >= 256 && (attempt < 40 || System.nanoTime() < deadline); attempt++) {
                s.reset();
                long baseline = allocated(threads);
                baseline = allocated(threads) - baseline; // cost of measuring itself
                long before = allocated(threads);
                s.evaluate(prompt, 0, prompt.length);
                for (int i = 0; i < one.length; i++) {
                    s.evaluate(one, i, 1);
                }
                long after = allocated(threads);
                bytes = after - before - baseline;
                System.out.println("ALLOC " + name + " (attempt " + attempt + "): " + bytes + " bytes over 1 batch + "
                        + one.length + " single-token evaluations, " + threads.length + " threads watched");
            }
            assertTrue(threads.length >= 2, "the pool's worker threads were not found");
            // nothing per token; a little slack for JVM-internal bookkeeping on a worker wake-up
            assertTrue(bytes < 256, name + ": " + bytes + " bytes allocated while evaluating");
        }
    }
}
