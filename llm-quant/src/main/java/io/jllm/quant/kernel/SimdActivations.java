package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FS;
import static io.jllm.quant.kernel.SimdKernels.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector forms of {@link ActivationQuant#toQ8_0Floats}, bit-identical to it: the block maximum
 * is an exact lane reduction, and round-half-even of {@code x·id} (|x·id| ≤ 127 after the
 * scale) is {@code (t + 1.5·2^23) − 1.5·2^23}, exact for |t| < 2^22. Blocks whose maximum is
 * not a normal, finite number (where {@code 127/amax} could overflow) take the scalar code.
 */
final class SimdActivations {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final float MAGIC = 0x1.8p23f;
    private static final int PARTS = 32 / L;

    private SimdActivations() {}

    /** As {@link ActivationQuant#toQ8_0Floats}: q·fp16(d) per value, and s = fp16(d·Σq) when sums is set. */
    static void toQ8_0Floats(MemorySegment x, long xOff, int n, MemorySegment dst, long dstOff,
                             MemorySegment sums, long sumsOff) {
        for (int b = 0; b < n / 32; b++) {
            long xo = xOff + 128L * b;
            float amax = 0f;
            for (int p = 0; p < PARTS; p++) {
                amax = Math.max(amax, FloatVector.fromMemorySegment(FS, x, xo + 4L * L * p, LE)
                        .abs().reduceLanes(VectorOperators.MAX));
            }
            if (!(amax >= 0x1p-100f && amax <= Float.MAX_VALUE)) {
                ActivationQuant.toQ8_0Floats(x, xo, 32, dst, dstOff + 128L * b, sums, sumsOff + 4L * b);
                continue;
            }
            float d = amax / 127f;
            float id = 127f / amax;
            float dh = Mem.roundF16(d);
            float sum = 0f;
            for (int p = 0; p < PARTS; p++) {
                FloatVector t = FloatVector.fromMemorySegment(FS, x, xo + 4L * L * p, LE).mul(id);
                FloatVector q = t.add(MAGIC).sub(MAGIC);
                q.mul(dh).intoMemorySegment(dst, dstOff + 128L * b + 4L * L * p, LE);
                if (sums != null) {
                    // whole numbers |q| <= 127: exact in any order, so reduceLanes is safe here
                    sum += q.reduceLanes(VectorOperators.ADD);
                }
            }
            if (sums != null) {
                Mem.setF32(sums, sumsOff + 4L * b, Mem.roundF16(d * sum));
            }
        }
    }
}
