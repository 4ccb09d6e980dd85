package io.jllm.bench;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.Kernels;
import io.jllm.quant.kernel.MatMul;
import io.jllm.quant.kernel.Parallel;
import io.jllm.quant.kernel.WeightKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Single-thread dot products over cache-resident data (4096 elements per row): the scalar
 * reference kernel ({@code referenceDot}, one row) and the SIMD path on a 64-row block
 * ({@code simdRows64}, 64 dots, activations converted once). Time per call; divide by the row
 * count for per-dot figures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DotBench {
    static final int N = 4096;
    static final int ROWS = 64;

    @Param({"q4_0", "q8_0", "q4_K", "q6_K", "f16", "f32", "q5_K", "q3_K", "q2_K", "q4_1", "q5_0", "q5_1",
            "iq4_nl", "iq4_xs", "bf16"})
    public String type;

    private Arena arena;
    private GgmlType t;
    private WeightKernel k;
    private MemorySegment w;
    private MemorySegment a;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment scratch;

    @Setup
    public void setup() {
        t = GgmlType.fromName(type);
        k = Kernels.forType(t);
        arena = Arena.ofShared();
        w = BenchData.weights(arena, t, ROWS, N, 3);
        x = BenchData.activations(arena, N, 4);
        a = arena.allocate(k.activationBytes(N), 64);
        k.convertActivations(x, 0, N, a, 0);
        y = arena.allocate(4L * ROWS, 64);
        scratch = arena.allocate(MatMul.scratchBytes(t, N, 1), 64);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float referenceDot() {
        return k.dot(w, 0, a, 0, N);
    }

    @Benchmark
    public void simdRows64() {
        MatMul.matmul(t, w, ROWS, N, x, N, 1, y, ROWS, scratch, Parallel.SERIAL);
    }
}
