package io.jllm.bench;

import io.jllm.quant.kernel.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * The ceiling for token generation: how fast this machine streams a buffer far larger than its
 * caches through the cores, read with the widest byte vectors and split over the same
 * {@link ThreadPool} the kernels use. Matrix × vector kernels cannot read weights faster than
 * this, so their GB/s (MatMulBench's {@code gbs} counter) is judged against it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class MemoryBandwidthBench {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;

    @Param({"512"})
    public int mib;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment buf;
    private ThreadPool pool;
    private final long[] partial = new long[64 * 8];

    /** Bytes read per second, normalised by JMH. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        public double gbs;

        @Setup(Level.Iteration)
        public void reset() {
            gbs = 0;
        }
    }

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        buf = arena.allocate((long) mib << 20, 4096);
        for (long i = 0; i < buf.byteSize(); i += 4096) {
            buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i); // touch every page
        }
        pool = new ThreadPool(threads);
    }

    @TearDown
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public long read(Rate rate) {
        long chunk = 1 << 20;
        int chunks = (int) (buf.byteSize() / chunk);
        pool.forRange(chunks, (from, to, worker) -> {
            ByteVector acc = ByteVector.zero(B);
            for (long off = (long) from * chunk; off < (long) to * chunk; off += B.vectorByteSize()) {
                acc = acc.add(ByteVector.fromMemorySegment(B, buf, off, ByteOrder.LITTLE_ENDIAN));
            }
            partial[worker * 8] += acc.reduceLanes(VectorOperators.ADD);
        });
        rate.gbs += buf.byteSize() / 1e9;
        return partial[0];
    }
}
