package io.jllm.bench;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.MatMul;
import io.jllm.quant.kernel.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * A plain (non-JMH) harness for a shared, noisy machine: per type, the single-thread CPU time of
 * {@link MatMul#matmul} (ThreadMXBean, insensitive to waiting for a CPU) and the 2-thread wall
 * time, median and min–max of 9 runs after 3 warm-up runs. Usage:
 * {@code java --add-modules jdk.incubator.vector -cp llm-bench/target/benchmarks.jar
 * io.jllm.bench.CpuTimeSpeed ROWS COLS BATCH TYPE...}. A type written {@code packed:TYPE} runs on
 * the load-time repacked copy ({@link MatMul#pack}); its GB/s counts the packed bytes read.
 */
public final class CpuTimeSpeed {
    private CpuTimeSpeed() {}

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: CpuTimeSpeed ROWS COLS BATCH TYPE...");
            System.exit(2);
        }
        int rows = Integer.parseInt(args[0]);
        int cols = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int ai = 3; ai < args.length; ai++) {
            boolean packedRun = args[ai].startsWith("packed:");
            GgmlType t = GgmlType.fromName(packedRun ? args[ai].substring(7) : args[ai]);
            if (t == null) {
                throw new IllegalArgumentException("unknown type " + args[ai]);
            }
            try (Arena arena = Arena.ofShared(); ThreadPool p1 = new ThreadPool(1); ThreadPool p2 = new ThreadPool(2)) {
                MemorySegment w = BenchData.weights(arena, t, rows, cols, 1);
                MemorySegment x = BenchData.activations(arena, (long) cols * batch, 2);
                MemorySegment y = arena.allocate(4L * rows * batch, 64);
                MemorySegment s = arena.allocate(MatMul.scratchBytes(t, cols, batch), 64);
                long packedBytes = packedRun ? MatMul.packedBytes(t, rows, cols) : 0;
                if (packedRun && packedBytes == 0) {
                    throw new IllegalArgumentException("no packed form of " + t + " " + rows + "x" + cols);
                }
                MemorySegment packed = packedRun ? arena.allocate(packedBytes, 64) : null;
                if (packed != null) {
                    MatMul.pack(t, w, rows, cols, packed);
                }
                int iters = Math.max(2, (int) (3e8 / ((double) rows * cols * batch)));
                double[] cpu = new double[9];
                double[] wall = new double[9];
                for (int rep = -3; rep < 9; rep++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    for (int i = 0; i < iters; i++) {
                        MatMul.matmul(t, w, packed, rows, cols, x, cols, batch, y, rows, s, p1);
                    }
                    double c = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / iters;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < iters; i++) {
                        MatMul.matmul(t, w, packed, rows, cols, x, cols, batch, y, rows, s, p2);
                    }
                    double wl = (System.nanoTime() - t0) / 1e6 / iters;
                    if (rep >= 0) {
                        cpu[rep] = c;
                        wall[rep] = wl;
                    }
                }
                Arrays.sort(cpu);
                Arrays.sort(wall);
                double bytes = packed != null ? packedBytes : t.bytes((long) rows * cols);
                double flop = 2.0 * rows * cols * batch;
                System.out.printf(Locale.ROOT, "%-14s 1-thread CPU ms: median %.3f (min %.3f, max %.3f) -> %.1f GB/s %.1f GFLOP/s"
                                + " | 2-thread wall ms: median %.3f (min %.3f, max %.3f) -> %.1f GB/s %.1f GFLOP/s%n",
                        args[ai], cpu[4], cpu[0], cpu[8], bytes / cpu[4] / 1e6, flop / cpu[4] / 1e6,
                        wall[4], wall[0], wall[8], bytes / wall[4] / 1e6, flop / wall[4] / 1e6);
            }
        }
    }
}
