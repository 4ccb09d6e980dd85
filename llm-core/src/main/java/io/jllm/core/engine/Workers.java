package io.jllm.core.engine;

import io.jllm.quant.kernel.Parallel;
import io.jllm.quant.kernel.ThreadPool;

/** Creates the worker pool of a session. */
public final class Workers {
    private Workers() {}

    /** A pool of {@code threads} workers (the calling thread counts as one), or the serial runner. */
    public static Parallel create(int threads) {
        return threads <= 1 ? Parallel.SERIAL : new ThreadPool(threads);
    }

    /** Releases a pool made by {@link #create}. */
    public static void close(Parallel p) {
        if (p instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the worker pool failed", e);
            }
        }
    }
}
