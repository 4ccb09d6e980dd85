package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A matrix product gives the same bits the first time it runs (interpreted) as after C2 has
 * compiled its kernels. Runs in a JVM of its own (the {@code fresh-jvm} surefire execution), so
 * that the first products really are computed before any kernel is compiled. Every SIMD path of
 * {@link MatMul} that sums float lanes is covered: the integer rows (batch 1), the packed rows,
 * F16/BF16 rows and the float 4×4 / 4×1 tiles (batch 9, with the Q4_1 min sums); the GEMM of
 * batches from 16 has no lane sums (its accumulator lanes are output rows).
 */
class WarmUpFreshJvmTest {
    private static final int ROWS = 8;
    private static final int BATCH_TILES = 9;

    private record Product(String name, GgmlType type, MemorySegment w, MemorySegment packed, int cols,
                           MemorySegment x, int batch, MemorySegment y, MemorySegment scratch) {
        int[] run(ThreadPool pool) {
            MatMul.matmul(type, w, packed, ROWS, cols, x, cols, batch, y, ROWS, scratch, pool);
            int[] bits = new int[ROWS * batch];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Float.floatToRawIntBits(Mem.f32(y, 4L * i));
            }
            return bits;
        }
    }

    @Test
    void firstProductsEqualTheCompiledOnes() {
        Assumptions.assumeTrue(VectorSupport.ENABLED && Numerics.current() == Numerics.FAST,
                "SIMD kernels in fast numerics unavailable");
        int cols = Math.max(512, 32 * SimdKernels.L);
        Random rnd = new Random(23);
        List<Product> products = new ArrayList<>();
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.Q4_K,
                GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.F16, GgmlType.BF16, GgmlType.F32}) {
            MemorySegment w = matrix(t, cols, rnd);
            long packedBytes = MatMul.packedBytes(t, ROWS, cols);
            MemorySegment packed = null;
            if (packedBytes > 0) {
                packed = MemorySegment.ofArray(new byte[(int) packedBytes]);
                MatMul.pack(t, w, ROWS, cols, packed);
            }
            for (int batch : new int[] {1, BATCH_TILES}) {
                products.add(product(t + " batch " + batch, t, w, null, cols, batch, rnd));
                if (packed != null) {
                    products.add(product(t + " packed batch " + batch, t, w, packed, cols, batch, rnd));
                }
            }
        }
        try (ThreadPool pool = new ThreadPool(2)) {
            List<int[]> first = new ArrayList<>();
            for (Product p : products) {
                first.add(p.run(pool));
            }
            long deadline = System.nanoTime() + 8_000_000_000L;
            int rounds = 0;
            while (rounds < 3000 && System.nanoTime() < deadline) {
                for (int i = 0; i < products.size(); i++) {
                    int[] now = products.get(i).run(pool);
                    int[] want = first.get(i);
                    for (int e = 0; e < want.length; e++) {
                        if (want[e] != now[e]) {
                            assertEquals(Float.intBitsToFloat(want[e]), Float.intBitsToFloat(now[e]),
                                    products.get(i).name() + " output " + e + " changed in round " + rounds);
                        }
                    }
                }
                rounds++;
            }
            assertTrue(rounds >= 100, "only " + rounds + " rounds");
        }
    }

    private static Product product(String name, GgmlType t, MemorySegment w, MemorySegment packed, int cols,
                                   int batch, Random rnd) {
        MemorySegment x = TestBlocks.seg(TestBlocks.activations(cols * batch, Mode.RANDOM, rnd));
        MemorySegment y = MemorySegment.ofArray(new byte[4 * ROWS * batch]);
        MemorySegment scratch = MemorySegment.ofArray(new byte[(int) MatMul.scratchBytes(t, cols, batch)]);
        return new Product(name, t, w, packed, cols, x, batch, y, scratch);
    }

    private static MemorySegment matrix(GgmlType t, int cols, Random rnd) {
        int rowBytes = (int) t.bytes(cols);
        byte[] b = new byte[ROWS * rowBytes];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(TestBlocks.row(t, cols, Mode.RANDOM, rnd), 0, b, r * rowBytes, rowBytes);
        }
        return MemorySegment.ofArray(b);
    }
}
