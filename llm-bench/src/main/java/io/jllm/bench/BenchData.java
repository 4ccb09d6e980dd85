package io.jllm.bench;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Benchmark inputs: realistic weight matrices (reference-quantized gaussian rows) and activations. */
final class BenchData {
    private BenchData() {}

    /**
     * A rows×cols matrix of {@code type}, 64-byte aligned off-heap. The first 64 rows are quantized
     * from gaussian values with the reference quantizer (random bytes with a sane fp16 scale for
     * the IQ4 types, which have no reference quantizer here) and repeated.
     */
    static MemorySegment weights(Arena arena, GgmlType type, int rows, int cols, long seed) {
        long rowBytes = type.bytes(cols);
        MemorySegment w = arena.allocate(rowBytes * rows, 64);
        Random rnd = new Random(seed);
        float[] row = new float[cols];
        int distinct = Math.min(rows, 64);
        for (int r = 0; r < distinct; r++) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) (rnd.nextGaussian() * 0.05);
            }
            if (Quantizer.supports(type)) {
                Quantizer.quantize(type, row, 0, cols, w, r * rowBytes);
            } else {
                byte[] bytes = new byte[(int) rowBytes];
                rnd.nextBytes(bytes);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, w, r * rowBytes, rowBytes);
                for (long b = 0; b < rowBytes; b += type.typeSize()) {
                    w.set(ValueLayout.JAVA_SHORT_UNALIGNED, r * rowBytes + b, Float.floatToFloat16(0.003f));
                }
            }
        }
        for (int r = distinct; r < rows; r++) {
            MemorySegment.copy(w, (r % distinct) * rowBytes, w, r * rowBytes, rowBytes);
        }
        return w;
    }

    /** {@code n} gaussian f32 values, 64-byte aligned off-heap. */
    static MemorySegment activations(Arena arena, long n, long seed) {
        MemorySegment x = arena.allocate(4 * n, 64);
        Random rnd = new Random(seed);
        for (long i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian());
        }
        return x;
    }
}
