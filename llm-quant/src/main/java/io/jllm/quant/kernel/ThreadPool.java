package io.jllm.quant.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A fixed set of persistent daemon worker threads for {@link Parallel#forRange}. The range is
 * split into contiguous chunks of decreasing size ("guided": each a {@code 1/(2·threads())} share
 * of what is left, at least 1), which the calling thread and the workers claim in order (a thread
 * may run several chunks, always with its own worker index): the large first chunks keep the
 * number of claims small, the small last ones leave little for one thread to finish while the
 * others wait. A call waits only for chunks that were claimed, so a worker descheduled by other
 * load on the machine does not hold it up: the caller then runs the remaining chunks itself.
 *
 * <p>Nothing is allocated and no thread is created per call: the task goes in a reused slot and
 * a single atomic word (generation, next chunk) publishes it; idle workers spin briefly on that
 * word and then park. An exception thrown by any chunk is rethrown to the caller once all
 * chunks finished. Calls from several threads are serialised; a nested call from inside a task
 * runs on the calling thread alone.
 */
public final class ThreadPool implements Parallel, AutoCloseable {
    private static final int SPIN = 1 << 12;
    /** Most chunks per call; guided chunks of n ≤ 2^31 indices stay far below it at 2–64 threads. */
    private static final int MAX_CHUNKS = 1024;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * (generation << 32) | number of chunks not yet claimed. The claim decision reads only this
     * word: the task fields may already hold the next call's values when a late worker looks, but
     * a claim can only succeed while its generation is current, and then the caller is waiting
     * for that very chunk, so the fields are stable until the chunk completes.
     */
    private final AtomicLong ctl = new AtomicLong();
    private final AtomicInteger completed = new AtomicInteger();

    // the task slot, published by the volatile write of ctl
    private @Nullable RangeTask task;
    private int n;
    private int chunks;
    /** Chunk c of the current call is [bounds[c], bounds[c + 1]). */
    private final int[] bounds = new int[MAX_CHUNKS + 1];
    private volatile boolean closed;
    private volatile @Nullable Thread waiter;
    private volatile @Nullable Throwable failure;
    private volatile @Nullable Thread running;

    /** Starts {@code threads − 1} worker threads ({@code threads} ≥ 1; the caller is the last). */
    public ThreadPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread t = new Thread(workers[i], "jllm-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void forRange(int n, RangeTask task) {
        if (n <= 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("thread pool is closed");
        }
        Thread me = Thread.currentThread();
        if (threads == 1 || n == 1 || running == me || isWorker(me)) {
            task.run(0, n, 0);
            return;
        }
        lock.lock();
        try {
            running = me;
            this.task = task;
            this.n = n;
            this.chunks = guidedChunks(n);
            failure = null;
            completed.set(0);
            long gen = (ctl.get() >>> 32) + 1;
            ctl.set((gen << 32) | chunks); // publishes the fields above
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            runChunks(gen, 0);
            awaitCompletion(me);
            this.task = null;
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new RuntimeException(f);
            }
        } finally {
            running = null;
            lock.unlock();
        }
    }

    /** Fills {@link #bounds} for n indices; returns the number of chunks. */
    private int guidedChunks(int n) {
        int c = 0;
        int start = 0;
        while (start < n) {
            int left = n - start;
            int size = c == MAX_CHUNKS - 1 ? left : Math.max(1, (left + 2 * threads - 1) / (2 * threads));
            bounds[c++] = start;
            start += size;
        }
        bounds[c] = n;
        return c;
    }

    private boolean isWorker(Thread t) {
        for (Worker w : workers) {
            if (w.thread == t) {
                return true;
            }
        }
        return false;
    }

    /** Claims and runs chunks of generation {@code gen} until none is left. */
    private void runChunks(long gen, int worker) {
        while (true) {
            long v = ctl.get();
            int remaining = (int) v;
            if ((v >>> 32) != gen || remaining == 0) {
                return;
            }
            if (!ctl.compareAndSet(v, v - 1)) {
                continue;
            }
            try {
                int c = chunks - remaining; // safe: the caller waits for this chunk, fields are stable
                RangeTask t = task;
                t.run(bounds[c], bounds[c + 1], worker);
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            } finally {
                if (completed.incrementAndGet() == chunks) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        }
    }

    private void awaitCompletion(Thread me) {
        for (int i = 0; completed.get() < chunks; i++) {
            if (i < SPIN) {
                Thread.onSpinWait();
            } else {
                waiter = me;
                if (completed.get() < chunks) {
                    LockSupport.parkNanos(this, 100_000);
                }
                waiter = null;
            }
        }
    }

    /** Stops the workers (they exit after finishing the current call). */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    private final class Worker implements Runnable {
        final int index;
        Thread thread;
        volatile boolean parked;
        // padding so the flags of different workers do not share a cache line
        @SuppressWarnings("unused")
        long p1, p2, p3, p4, p5, p6, p7;

        Worker(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g = awaitGeneration(seen);
                if (g < 0) {
                    return;
                }
                seen = g;
                runChunks(g, index);
            }
        }

        private long awaitGeneration(long seen) {
            for (int i = 0; ; i++) {
                long g = ctl.get() >>> 32;
                if (g != seen) {
                    return g;
                }
                if (closed) {
                    return -1;
                }
                if (i < SPIN) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if ((ctl.get() >>> 32) == seen && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
