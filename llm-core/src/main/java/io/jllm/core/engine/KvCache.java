package io.jllm.core.engine;

import io.jllm.core.KvCacheType;
import io.jllm.core.ops.F32;
import io.jllm.core.ops.Fp16;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The key/value cache of one session: per layer, K {@code [ctx][kDim]} and V {@code [ctx][vDim]}
 * in F16 or F32, cell index = position (one sequence). Lives in the session's arena.
 */
public final class KvCache {
    /** The Vector API inner loops run when the SIMD kernels do (Vector API present and JIT-compiled). */
    static final boolean SIMD = simd();
    private final KvCacheType type;
    private final int context;
    private final int kDim;
    private final int vDim;
    private final MemorySegment[] k;
    private final MemorySegment[] v;

    public KvCache(Arena arena, KvCacheType type, int layers, int context, int kDim, int vDim) {
        this.type = type;
        this.context = context;
        this.kDim = kDim;
        this.vDim = vDim;
        this.k = new MemorySegment[layers];
        this.v = new MemorySegment[layers];
        long kBytes = (long) context * kDim * type.bytes();
        long vBytes = (long) context * vDim * type.bytes();
        // one block for all layers, 64-byte aligned slices
        long kStride = (kBytes + 63) & ~63L;
        long vStride = (vBytes + 63) & ~63L;
        MemorySegment all = Workspace.allocate(arena, Math.max(64, layers * (kStride + vStride)));
        for (int l = 0; l < layers; l++) {
            long o = l * (kStride + vStride);
            k[l] = all.asSlice(o, kBytes);
            v[l] = all.asSlice(o + kStride, vBytes);
        }
    }

    private static boolean simd() {
        try {
            return io.jllm.quant.kernel.MatMul.simd() && CacheVectors.usable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Bytes per token over all layers. */
    public static long bytesPerToken(KvCacheType type, int layers, int kDim, int vDim) {
        return (long) layers * (kDim + vDim) * type.bytes();
    }

    public long bytesPerToken() {
        return bytesPerToken(type, k.length, kDim, vDim);
    }

    /** Total bytes actually allocated. */
    public long byteSize() {
        long n = 0;
        for (int l = 0; l < k.length; l++) {
            n += k[l].byteSize() + v[l].byteSize();
        }
        return n;
    }

    public KvCacheType type() {
        return type;
    }

    public int context() {
        return context;
    }

    /** Stores K and V rows of one token (f32 at float indices ki, vi of src) at cell {@code pos}. */
    public void store(int layer, int pos, MemorySegment src, long ki, long vi) {
        store(k[layer], (long) pos * kDim, src, ki, kDim);
        store(v[layer], (long) pos * vDim, src, vi, vDim);
    }

    private void store(MemorySegment dst, long di, MemorySegment src, long si, int n) {
        if (type == KvCacheType.F16) {
            for (int i = 0; i < n; i++) {
                dst.setAtIndex(F32.LE16, di + i, Fp16.toHalf(F32.get(src, si + i)));
            }
        } else {
            F32.copy(src, si, dst, di, n);
        }
    }

    /** Copies the K row of {@code cell} to f32 at float index {@code di} of {@code dst}. */
    public void loadK(int layer, int cell, MemorySegment dst, long di) {
        long base = (long) cell * kDim;
        for (int i = 0; i < kDim; i++) {
            F32.set(dst, di + i, type == KvCacheType.F16 ? Fp16.fromHalf(k[layer].getAtIndex(F32.LE16, base + i))
                    : F32.get(k[layer], base + i));
        }
    }

    /** Stores an f32 K row into {@code cell} (rounded to the cache type). */
    public void storeK(int layer, int cell, MemorySegment src, long si) {
        store(k[layer], (long) cell * kDim, src, si, kDim);
    }

    /** Moves the V rows of cells {@code [from, from+n)} to {@code [to, to+n)} (to &lt; from). */
    public void moveV(int layer, int from, int to, int n) {
        long row = (long) vDim * type.bytes();
        MemorySegment.copy(v[layer], from * row, v[layer], to * row, n * row);
    }

    /**
     * {@code Σ_d q[d]·K[cell][off+d]} over n dims; q is already rounded as the cache type needs.
     * Accumulated in double (every product of two halves is exact in float).
     */
    public float dotK(int layer, int cell, int off, MemorySegment q, long qi, int n) {
        MemorySegment s = k[layer];
        long base = (long) cell * kDim + off;
        if (SIMD) {
            return CacheVectors.dot(q, 4L * qi, s, base * type.bytes(), n, type == KvCacheType.F16);
        }
        double sum = 0;
        if (type == KvCacheType.F16) {
            for (int d = 0; d < n; d++) {
                sum += (double) (F32.get(q, qi + d) * Fp16.fromHalf(s.getAtIndex(F32.LE16, base + d)));
            }
        } else {
            for (int d = 0; d < n; d++) {
                sum += (double) (F32.get(q, qi + d) * F32.get(s, base + d));
            }
        }
        return (float) sum;
    }

    /** Widens {@code K[cell][off .. off+n)} to f32 at float index {@code di} of dst (exact). */
    public void widenK(int layer, int cell, int off, int n, MemorySegment dst, long di) {
        widen(k[layer], (long) cell * kDim + off, n, dst, di);
    }

    /** Widens {@code V[cell][off .. off+n)} to f32 at float index {@code di} of dst (exact). */
    public void widenV(int layer, int cell, int off, int n, MemorySegment dst, long di) {
        widen(v[layer], (long) cell * vDim + off, n, dst, di);
    }

    private void widen(MemorySegment s, long base, int n, MemorySegment dst, long di) {
        if (type != KvCacheType.F16) {
            F32.copy(s, base, dst, di, n);
        } else if (SIMD) {
            CacheVectors.widen(s, 2 * base, dst, 4 * di, n);
        } else {
            for (int d = 0; d < n; d++) {
                F32.set(dst, di + d, Fp16.fromHalf(s.getAtIndex(F32.LE16, base + d)));
            }
        }
    }

    /**
     * {@code Σ_d q[d]·r[d]} of two f32 vectors (a widened cache row): the same sum, in the same
     * order, as {@link #dotK} on the cache row itself.
     */
    static float dot(MemorySegment q, long qi, MemorySegment r, long ri, int n) {
        if (SIMD) {
            return CacheVectors.dot(q, 4L * qi, r, 4L * ri, n, false);
        }
        double sum = 0;
        for (int d = 0; d < n; d++) {
            sum += (double) (F32.get(q, qi + d) * F32.get(r, ri + d));
        }
        return (float) sum;
    }

    /** {@code out[d] += p · r[d]} for an f32 (widened cache) row r, as {@link #axpyV} does. */
    static void axpy(float p, MemorySegment r, long ri, MemorySegment out, long oi, int n) {
        if (SIMD) {
            CacheVectors.axpy(p, r, 4L * ri, out, 4L * oi, n, false);
            return;
        }
        for (int d = 0; d < n; d++) {
            F32.set(out, oi + d, F32.get(out, oi + d) + p * F32.get(r, ri + d));
        }
    }

    /** {@code out[d] += p · V[cell][off+d]} over n dims. */
    public void axpyV(int layer, int cell, int off, float p, MemorySegment out, long oi, int n) {
        MemorySegment s = v[layer];
        long base = (long) cell * vDim + off;
        if (SIMD) {
            CacheVectors.axpy(p, s, base * type.bytes(), out, 4L * oi, n, type == KvCacheType.F16);
            return;
        }
        if (type == KvCacheType.F16) {
            for (int d = 0; d < n; d++) {
                F32.set(out, oi + d, F32.get(out, oi + d) + p * Fp16.fromHalf(s.getAtIndex(F32.LE16, base + d)));
            }
        } else {
            for (int d = 0; d < n; d++) {
                F32.set(out, oi + d, F32.get(out, oi + d) + p * F32.get(s, base + d));
            }
        }
    }

    /**
     * {@code out[d] += p · K[cell][off+d]} over n dims: latent attention (MLA) keeps no V rows and
     * reads its values from the first kv_lora_rank entries of each K row.
     */
    public void axpyK(int layer, int cell, int off, float p, MemorySegment out, long oi, int n) {
        MemorySegment s = k[layer];
        long base = (long) cell * kDim + off;
        if (type == KvCacheType.F16) {
            for (int d = 0; d < n; d++) {
                F32.set(out, oi + d, F32.get(out, oi + d) + p * Fp16.fromHalf(s.getAtIndex(F32.LE16, base + d)));
            }
        } else {
            for (int d = 0; d < n; d++) {
                F32.set(out, oi + d, F32.get(out, oi + d) + p * F32.get(s, base + d));
            }
        }
    }
}
