package io.jllm.core.engine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the KV-cache inner loops (loaded only when the SIMD kernels are on).
 * Halves are widened exactly with integer lane operations: the magnitude bits shifted into an
 * f32 and scaled by 2^112 (exact for normal and subnormal halves), the sign or-ed back.
 */
final class CacheVectors {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Short> SS = (VectorSpecies<Short>) VectorSpecies.of(short.class,
            VectorShape.forBitSize(L * 16));

    /**
     * Shuffles moving lane i + w to lane i, one constant per halving step of the lane sum in
     * {@link #dot}. The sum is done in a fixed order: pairwise halving, {@code v[i] + v[i + w]} for
     * w = L/2 … 1 (the order of GCC's {@code _mm512_reduce_add_ps}). {@code reduceLanes(ADD)} is
     * not usable: its result depends on whether C2 has compiled the caller (JDK 25, x86 AVX-512:
     * the interpreted fallback adds lanes in order, the intrinsic pairwise), so the first tokens
     * of a JVM came out different from later ones. The steps are written out in {@code dot}
     * itself: behind a call (a helper taking the vector) or read from an array of shuffles, C2
     * sometimes boxed the vectors (the MoE/MLA allocation test then saw ~1 KB per dot product).
     */
    private static final VectorShuffle<Float> S32 = shift(32);
    private static final VectorShuffle<Float> S16 = shift(16);
    private static final VectorShuffle<Float> S8 = shift(8);
    private static final VectorShuffle<Float> S4 = shift(4);
    private static final VectorShuffle<Float> S2 = shift(2);
    private static final VectorShuffle<Float> S1 = shift(1);

    private CacheVectors() {}

    private static VectorShuffle<Float> shift(int w) {
        return VectorShuffle.fromOp(FS, lane -> (lane + w) & (L - 1));
    }

    /** Whether the shapes line up on this CPU (a short vector of L lanes exists). */
    static boolean usable() {
        return SS.length() == L && IS.length() == L && L >= 4;
    }

    private static FloatVector halves(MemorySegment s, long byteOff) {
        ShortVector h = ShortVector.fromMemorySegment(SS, s, byteOff, LE);
        IntVector i = (IntVector) h.convertShape(VectorOperators.S2I, IS, 0);
        IntVector sign = i.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        FloatVector mag = i.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return mag.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** Σ q[d]·k[d] over n values: q f32 at byte qOff, k f16 (or f32) at byte kOff. Returns the lane sum. */
    static float dot(MemorySegment q, long qOff, MemorySegment k, long kOff, int n, boolean f16) {
        FloatVector acc = FloatVector.zero(FS);
        int d = 0;
        for (; d <= n - L; d += L) {
            FloatVector kv = f16 ? halves(k, kOff + 2L * d) : FloatVector.fromMemorySegment(FS, k, kOff + 4L * d, LE);
            acc = FloatVector.fromMemorySegment(FS, q, qOff + 4L * d, LE).fma(kv, acc);
        }
        if (L >= 64) {
            acc = acc.add(acc.rearrange(S32));
        }
        if (L >= 32) {
            acc = acc.add(acc.rearrange(S16));
        }
        if (L >= 16) {
            acc = acc.add(acc.rearrange(S8));
        }
        if (L >= 8) {
            acc = acc.add(acc.rearrange(S4));
        }
        if (L >= 4) {
            acc = acc.add(acc.rearrange(S2));
        }
        if (L >= 2) {
            acc = acc.add(acc.rearrange(S1));
        }
        float sum = acc.lane(0);
        for (; d < n; d++) {
            float kv = f16 ? Float.float16ToFloat(k.get(io.jllm.core.ops.F32.LE16, kOff + 2L * d))
                    : k.get(io.jllm.core.ops.F32.LE, kOff + 4L * d);
            sum += q.get(io.jllm.core.ops.F32.LE, qOff + 4L * d) * kv;
        }
        return sum;
    }

    /** out[d] += p·v[d] over n values (out f32 at byte oOff, v f16 or f32 at byte vOff). */
    static void axpy(float p, MemorySegment v, long vOff, MemorySegment out, long oOff, int n, boolean f16) {
        FloatVector pv = FloatVector.broadcast(FS, p);
        int d = 0;
        for (; d <= n - L; d += L) {
            FloatVector vv = f16 ? halves(v, vOff + 2L * d) : FloatVector.fromMemorySegment(FS, v, vOff + 4L * d, LE);
            FloatVector o = FloatVector.fromMemorySegment(FS, out, oOff + 4L * d, LE);
            pv.fma(vv, o).intoMemorySegment(out, oOff + 4L * d, LE);
        }
        for (; d < n; d++) {
            float vv = f16 ? Float.float16ToFloat(v.get(io.jllm.core.ops.F32.LE16, vOff + 2L * d))
                    : v.get(io.jllm.core.ops.F32.LE, vOff + 4L * d);
            long o = oOff + 4L * d;
            out.set(io.jllm.core.ops.F32.LE, o, out.get(io.jllm.core.ops.F32.LE, o) + p * vv);
        }
    }

    /** Widens n halves at byte {@code sOff} of s to f32 at byte {@code dOff} of dst (exact). */
    static void widen(MemorySegment s, long sOff, MemorySegment dst, long dOff, int n) {
        int d = 0;
        for (; d <= n - L; d += L) {
            halves(s, sOff + 2L * d).intoMemorySegment(dst, dOff + 4L * d, LE);
        }
        for (; d < n; d++) {
            dst.set(io.jllm.core.ops.F32.LE, dOff + 4L * d, Float.float16ToFloat(s.get(io.jllm.core.ops.F32.LE16, sOff + 2L * d)));
        }
    }
}
