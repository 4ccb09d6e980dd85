package io.jllm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jllm.gguf.GgmlType;
import io.jllm.quant.kernel.TestBlocks.Mode;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link GgmlOrderRows} computes the same dot products as the scalar reference kernels, only
 * summed in another order: equal to float rounding for every type it has (a wrong element, scale
 * or min layout is off by whole units).
 */
class GgmlOrderRowsTest {
    @Test
    void equalsScalarKernelsUpToSummationOrder() {
        Random rnd = new Random(13);
        for (GgmlType t : TestBlocks.ALL_TYPES) {
            if (!GgmlOrderRows.supports(t)) {
                continue;
            }
            int cols = t == GgmlType.F32 ? 515 : 1024;
            WeightKernel k = Kernels.forType(t);
            for (Mode mode : new Mode[] {Mode.RANDOM, Mode.MAX}) {
                for (int rep = 0; rep < 8; rep++) {
                    byte[] row = TestBlocks.row(t, cols, mode, rnd);
                    MemorySegment w = MemorySegment.ofArray(row);
                    MemorySegment x = TestBlocks.seg(TestBlocks.activations(cols, Mode.RANDOM, rnd));
                    MemorySegment a = MemorySegment.ofArray(new byte[(int) k.activationBytes(cols)]);
                    k.convertActivations(x, 0, cols, a, 0);
                    float want = k.dot(w, 0, a, 0, cols);
                    float got = GgmlOrderRows.dot(t, w, 0, a, 0, cols);
                    float mag = 0f;
                    for (float v : TestBlocks.dequant(t, row, cols)) {
                        mag += Math.abs(v) * 4f;
                    }
                    assertEquals(want, got, 1e-4f * Math.max(1f, mag), t + " " + mode + " row " + rep);
                }
            }
        }
    }
}
