package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import io.jllm.gguf.GgufTensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Converts whole rows of a tensor to another type on a fixed pool of worker threads: each task
 * dequantizes a run of rows to f32 in its thread's buffer and quantizes them into the output.
 * Rows are independent, so the bytes do not depend on the split.
 */
final class RowConverter implements AutoCloseable {
    /** Values per task at least, so small tensors are not split into slivers. */
    private static final int MIN_TASK_VALUES = 1 << 14;
    private final int threads;
    private final ExecutorService pool;
    private final ThreadLocal<float[]> buffers = ThreadLocal.withInitial(() -> new float[0]);
    /** Output staging on the heap (the caller's chunk may be confined to its thread). */
    private byte[] staging = new byte[0];

    RowConverter(int threads) {
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jllm-quantize");
            t.setDaemon(true);
            return t;
        });
    }

    /** Fills {@code chunk} (whole output rows from byte {@code offset} of the output tensor). */
    void convert(GgufTensor src, GgmlType to, MemorySegment chunk, long offset) throws java.io.IOException {
        if (chunk.byteSize() > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("chunk of " + chunk.byteSize() + " bytes is too large");
        }
        if (staging.length < chunk.byteSize()) {
            staging = new byte[(int) chunk.byteSize()];
        }
        MemorySegment out = MemorySegment.ofArray(staging);
        convertInto(src, to, out, chunk.byteSize(), offset);
        MemorySegment.copy(out, 0, chunk, 0, chunk.byteSize());
    }

    private void convertInto(GgufTensor src, GgmlType to, MemorySegment chunk, long size, long offset)
            throws java.io.IOException {
        long ne0 = src.dim(0);
        long outRow = to.bytes(ne0);
        long inRow = src.type().bytes(ne0);
        long firstRow = offset / outRow;
        long rows = size / outRow;
        if (ne0 > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("tensor '" + src.name() + "': rows of " + ne0 + " values are too long");
        }
        long rowsPerTask = Math.max(1, Math.max(MIN_TASK_VALUES / ne0, (rows + 4L * threads - 1) / (4L * threads)));
        List<Future<?>> tasks = new ArrayList<>();
        for (long r = 0; r < rows; r += rowsPerTask) {
            long r0 = r;
            long n = Math.min(rowsPerTask, rows - r);
            tasks.add(pool.submit(() -> {
                int values = (int) ne0;
                float[] buf = buffer(values);
                for (long i = r0; i < r0 + n; i++) {
                    Dequantizer.dequantize(src.type(), src.data(), (firstRow + i) * inRow, values, buf, 0);
                    Quantizer.quantize(to, buf, 0, values, chunk, i * outRow);
                }
            }));
        }
        try {
            for (Future<?> f : tasks) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("quantization interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("quantizing tensor '" + src.name() + "' failed", c);
        }
    }

    private float[] buffer(int n) {
        float[] b = buffers.get();
        if (b.length < n) {
            b = new float[n];
            buffers.set(b);
        }
        return b;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
