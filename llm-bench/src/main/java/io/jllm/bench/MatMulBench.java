package io.jllm.bench;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.MatMul;
import io.jllm.quant.kernel.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MatMul#matmul} on a rows×cols weight matrix: batch 1 (matrix × vector, token
 * generation, memory bound) and batch 512 (prompt processing, compute bound). Besides the time
 * per call, the aux counters {@code gbs} and {@code gflops} report weight GB/s and GFLOP/s
 * (2·rows·cols·batch flops per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class MatMulBench {
    @Param({"q4_0", "q8_0", "q4_K", "q6_K", "f16", "f32", "q5_K", "q3_K", "q2_K", "q4_1", "q5_0", "q5_1",
            "iq4_nl", "iq4_xs", "bf16"})
    public String type;

    @Param({"1", "512"})
    public int batch;

    @Param({"2048"})
    public int rows;

    @Param({"5632"})
    public int cols;

    @Param({"2"})
    public int threads;

    private Arena arena;
    private GgmlType t;
    private MemorySegment w;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment scratch;
    private ThreadPool pool;

    /** Per-iteration rates, normalised by JMH to per-second values. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public double gbs;
        public double gflops;

        @Setup(Level.Iteration)
        public void reset() {
            gbs = 0;
            gflops = 0;
        }
    }

    @Setup
    public void setup() {
        t = GgmlType.fromName(type);
        arena = Arena.ofShared();
        w = BenchData.weights(arena, t, rows, cols, 1);
        x = BenchData.activations(arena, (long) cols * batch, 2);
        y = arena.allocate(4L * rows * batch, 64);
        scratch = arena.allocate(MatMul.scratchBytes(t, cols, batch), 64);
        pool = new ThreadPool(threads);
    }

    @TearDown
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public void matmul(Rates rates) {
        MatMul.matmul(t, w, rows, cols, x, cols, batch, y, rows, scratch, pool);
        rates.gbs += t.bytes((long) rows * cols) / 1e9;
        rates.gflops += 2.0 * rows * cols * batch / 1e9;
    }
}
