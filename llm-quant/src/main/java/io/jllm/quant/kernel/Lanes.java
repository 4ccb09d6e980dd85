package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.FS;
import static io.jllm.quant.kernel.SimdKernels.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The lane sum of {@link Numerics#REFERENCE} mode: pairwise halving, {@code v[i] + v[i + w]} for
 * w = L/2 … 1, which is the order C2's {@code reduceLanes(ADD)} intrinsic uses on x86, done with
 * constant lane shuffles so that it is the same interpreted, C1- or C2-compiled. (The interpreted
 * {@code reduceLanes} adds the lanes one after another.) Kernels call it only behind
 * {@link Numerics#ORDERED}, so the default mode's compiled kernels do not contain it.
 */
final class Lanes {
    private static final VectorShuffle<Float> S8 = shift(8);
    private static final VectorShuffle<Float> S4 = shift(4);
    private static final VectorShuffle<Float> S2 = shift(2);
    private static final VectorShuffle<Float> S1 = shift(1);

    private Lanes() {}

    private static VectorShuffle<Float> shift(int w) {
        return VectorShuffle.fromOp(FS, lane -> (lane + w) & (L - 1));
    }

    /** Σ v[i] in the fixed pairwise order (the species has at most 16 lanes). */
    static float sum(FloatVector v) {
        FloatVector a = v;
        if (L >= 16) {
            a = a.add(a.rearrange(S8));
        }
        if (L >= 8) {
            a = a.add(a.rearrange(S4));
        }
        if (L >= 4) {
            a = a.add(a.rearrange(S2));
        }
        if (L >= 2) {
            a = a.add(a.rearrange(S1));
        }
        return a.lane(0);
    }
}
