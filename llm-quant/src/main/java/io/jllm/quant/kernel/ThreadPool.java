package io.jllm.quant.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A fixed set of persistent daemon worker threads for {@link Parallel#forRange}. The range is
 * split into {@code threads()} contiguous chunks; the calling thread runs chunk 0 and the workers
 * the others. Nothing is allocated and no thread is created per call: the task is published in a
 * reused slot and a generation counter, workers spin briefly for the next generation and then
 * park. An exception thrown by any chunk is rethrown to the caller after all chunks finished.
 * Calls from several threads are serialised; a nested call from inside a task runs on the calling
 * thread alone.
 */
public final class ThreadPool implements Parallel, AutoCloseable {
    private static final int SPIN = 1 << 12;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();

    // the task slot, published by the volatile write of generation
    private RangeTask task;
    private int n;
    private volatile long generation;
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
            failure = null;
            pending.set(workers.length);
            generation = generation + 1; // publishes task and n
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            try {
                runChunk(0);
            } catch (Throwable t) {
                recordFailure(t);
            }
            awaitWorkers(me);
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

    private boolean isWorker(Thread t) {
        for (Worker w : workers) {
            if (w.thread == t) {
                return true;
            }
        }
        return false;
    }

    private void runChunk(int i) {
        int from = (int) ((long) n * i / threads);
        int to = (int) ((long) n * (i + 1) / threads);
        if (from < to) {
            task.run(from, to, i);
        }
    }

    private void recordFailure(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    private void awaitWorkers(Thread me) {
        for (int i = 0; pending.get() != 0; i++) {
            if (i < SPIN) {
                Thread.onSpinWait();
            } else {
                waiter = me;
                if (pending.get() != 0) {
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
        // padding so the per-worker flags of different workers do not share a cache line
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
                try {
                    runChunk(index);
                } catch (Throwable t) {
                    recordFailure(t);
                }
                if (pending.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        }

        private long awaitGeneration(long seen) {
            for (int i = 0; ; i++) {
                long g = generation;
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
                    if (generation == seen && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
