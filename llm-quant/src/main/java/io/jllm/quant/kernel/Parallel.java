package io.jllm.quant.kernel;

/**
 * Runs {@code task} over {@code [0, n)} split into contiguous chunks, possibly on several threads,
 * and returns when all chunks are done. Implementations must not allocate per call on the hot
 * path. {@link #SERIAL} runs everything on the calling thread.
 */
public interface Parallel {
    @FunctionalInterface
    interface RangeTask {
        /** Processes indices {@code [from, to)}; {@code worker} is in {@code [0, threads())}. */
        void run(int from, int to, int worker);
    }

    void forRange(int n, RangeTask task);

    int threads();

    Parallel SERIAL = new Parallel() {
        @Override
        public void forRange(int n, RangeTask task) {
            if (n > 0) {
                task.run(0, n, 0);
            }
        }

        @Override
        public int threads() {
            return 1;
        }
    };
}
