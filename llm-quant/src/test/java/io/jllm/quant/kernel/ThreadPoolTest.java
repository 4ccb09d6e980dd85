package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadPoolTest {
    @Test
    void coversEveryIndexExactlyOnceInContiguousChunks() {
        try (ThreadPool pool = new ThreadPool(3)) {
            for (int n : new int[] {1, 2, 3, 4, 7, 100, 1001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                java.util.Queue<int[]> chunks = new java.util.concurrent.ConcurrentLinkedQueue<>();
                pool.forRange(n, (from, to, worker) -> {
                    assertTrue(worker >= 0 && worker < 3);
                    chunks.add(new int[] {from, to});
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "n=" + n + " index " + i);
                }
                int total = chunks.stream().mapToInt(c -> c[1] - c[0]).sum();
                assertEquals(n, total);
                // guided: sizes never grow in range order, the first is a 1/(2·threads) share, the
                // last a single index, and their number grows only with the logarithm of n
                int[][] sorted = chunks.stream().sorted(java.util.Comparator.comparingInt(c -> c[0])).toArray(int[][]::new);
                assertEquals((n + 5) / 6, sorted[0][1] - sorted[0][0], "n=" + n + " first chunk");
                assertEquals(1, sorted[sorted.length - 1][1] - sorted[sorted.length - 1][0], "n=" + n + " last chunk");
                for (int c = 1; c < sorted.length; c++) {
                    assertEquals(sorted[c - 1][1], sorted[c][0], "n=" + n + " chunks contiguous");
                    assertTrue(sorted[c][1] - sorted[c][0] <= sorted[c - 1][1] - sorted[c - 1][0], "n=" + n + " sizes grow");
                }
                assertTrue(sorted.length <= 6 * (Math.log(n) + 1), "n=" + n + ": " + sorted.length + " chunks");
            }
        }
    }

    @Test
    void callsWithChangingChunkCountsNeverLoseOrRepeatAChunk() throws Exception {
        // Regression: a worker late from one call could claim a chunk of it against the next call's
        // (larger) chunk count, count it in the next call's completions and leave the caller waiting
        // forever. Calls alternate between few and many chunks to provoke exactly that.
        try (ThreadPool pool = new ThreadPool(3)) {
            long[] hits = new long[64];
            java.util.concurrent.atomic.AtomicLongArray seen = new java.util.concurrent.atomic.AtomicLongArray(64);
            Thread runner = new Thread(() -> {
                for (int call = 0; call < 100_000; call++) {
                    int n = (call & 1) == 0 ? 2 + call % 3 : 12 + call % 40;
                    pool.forRange(n, (from, to, w) -> {
                        for (int i = from; i < to; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        hits[i]++;
                    }
                }
            });
            runner.start();
            runner.join(120_000);
            assertFalse(runner.isAlive(), "forRange hung");
            for (int i = 0; i < hits.length; i++) {
                assertEquals(hits[i], seen.get(i), "index " + i);
            }
        }
    }

    @Test
    void reusableAcrossThousandsOfCallsWithoutNewThreads() {
        try (ThreadPool pool = new ThreadPool(2)) {
            pool.forRange(10, (f, t, w) -> { });
            int before = Thread.activeCount();
            AtomicLong sum = new AtomicLong();
            long want = 0;
            for (int call = 0; call < 20_000; call++) {
                int n = 1 + call % 64;
                want += (long) n * (n - 1) / 2;
                pool.forRange(n, (from, to, w) -> {
                    long s = 0;
                    for (int i = from; i < to; i++) {
                        s += i;
                    }
                    sum.addAndGet(s);
                });
                if (call % 5000 == 0) {
                    // let the workers go to sleep once in a while: park/unpark path
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            assertEquals(want, sum.get());
            assertTrue(Thread.activeCount() <= before, "no threads created per call");
        }
    }

    @Test
    void exceptionsPropagateFromAnyChunkAndPoolStaysUsable() {
        try (ThreadPool pool = new ThreadPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            // the second chunk runs on the worker thread
            IllegalStateException got = assertThrows(IllegalStateException.class,
                    () -> pool.forRange(10, (from, to, w) -> {
                        if (from > 0) {
                            throw boom;
                        }
                    }));
            assertSame(boom, got);
            assertThrows(ArithmeticException.class, () -> pool.forRange(10, (from, to, w) -> {
                if (from == 0) {
                    throw new ArithmeticException("caller chunk");
                }
            }));
            AtomicLong count = new AtomicLong();
            pool.forRange(100, (from, to, w) -> count.addAndGet(to - from));
            assertEquals(100, count.get());
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicLong count = new AtomicLong();
            AtomicLong outer = new AtomicLong();
            pool.forRange(4, (from, to, w) -> {
                outer.addAndGet(to - from);
                pool.forRange(10, (f2, t2, w2) -> count.addAndGet((t2 - f2) * (to - from)));
            });
            assertEquals(4, outer.get());
            assertEquals(40, count.get());
        }
    }

    @Test
    void singleThreadAndSerialRunOnCaller() {
        Thread me = Thread.currentThread();
        try (ThreadPool pool = new ThreadPool(1)) {
            pool.forRange(5, (f, t, w) -> assertSame(me, Thread.currentThread()));
        }
        Parallel.SERIAL.forRange(5, (f, t, w) -> assertEquals(5, t - f));
        assertThrows(IllegalArgumentException.class, () -> new ThreadPool(0));
    }

    @Test
    void concurrentCallersAreSerialised() throws Exception {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicLong sum = new AtomicLong();
            Thread[] ts = new Thread[3];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = new Thread(() -> {
                    for (int c = 0; c < 2000; c++) {
                        pool.forRange(8, (f, t, w) -> sum.addAndGet(t - f));
                    }
                });
                ts[i].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(3L * 2000 * 8, sum.get());
        }
    }
}
