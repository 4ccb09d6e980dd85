package io.jllm.quant.kernel;

import static io.jllm.quant.kernel.SimdKernels.MR;
import static io.jllm.quant.kernel.SimdKernels.NB;

/**
 * The matrix × matrix part of {@link FastMatMul} (batches of at least {@link #MIN_BATCH}): a
 * classic blocked SGEMM. For each block of {@link #KC} columns, a thread decodes
 * {@link SimdKernels#MR} weight rows with {@link SimdDecode} and packs them k-major into a
 * per-thread panel (lane r of the vector at step k is row r), then sweeps the batch tile with
 * the {@link SimdKernels#gemm} micro-kernel ({@code MR} rows × {@link SimdKernels#NB} entries of
 * accumulators, one or two vector loads and NB activation broadcasts per k step, no horizontal
 * sums). The decode is amortised over the whole batch tile; results are added into y block by
 * block. For Q4_1/Q5_1 the block minima are packed the same way and multiplied with ggml's
 * fp16 activation block sums {@code s} as extra k steps.
 */
final class SimdGemm {
    /** Columns per packed panel (a multiple of 256, the largest block size). */
    static final int KC = 1024;
    /** Batch entries per tile: the tile's KC-column activation block stays in L2. */
    static final int BT = 512;
    /** The smallest batch that takes this path (smaller ones use the 4-row dot kernels). */
    static final int MIN_BATCH = 16;

    /**
     * Steps per accumulator chain: partial sums of at most this many products are added
     * together, which keeps the rounding error of the long column sums near that of the dot
     * kernels (whose lanes sum cols/L products each).
     */
    static final int CHAIN = 256;

    /** Row stride of the decode buffer: KC plus one cache line, so the rows do not alias in L1. */
    private static final int RS = KC + 16;

    private static final ThreadLocal<Panel> PANELS = ThreadLocal.withInitial(Panel::new);

    private SimdGemm() {}

    /** Per-thread decode and pack buffers. */
    static final class Panel {
        final float[] rows = new float[MR * RS];
        final float[] rowMins = new float[MR * (KC / 32)];
        final float[] packed = new float[MR * KC];
        final float[] packedMins = new float[MR * (KC / 32)];
        final float[] out = new float[MR * NB];
    }

    /** Computes rows {@code [r0, r1)} of y for every batch entry of the job. */
    static void multiply(FastMatMul.Job j, int r0, int r1) {
        Panel p = PANELS.get();
        for (int bt0 = 0; bt0 < j.batch; bt0 += BT) {
            int bt1 = Math.min(j.batch, bt0 + BT);
            for (int k0 = 0; k0 < j.cols; k0 += KC) {
                int kc = Math.min(KC, j.cols - k0);
                for (int r = r0; r < r1; r += MR) {
                    int nr = Math.min(MR, r1 - r);
                    pack(j, p, r, nr, k0, kc);
                    sweep(j, p, r, nr, k0, kc, bt0, bt1);
                }
            }
        }
    }

    /** Decodes rows [r, r+nr) × columns [k0, k0+kc) and packs them k-major. */
    private static void pack(FastMatMul.Job j, Panel p, int r, int nr, int k0, int kc) {
        long rowBytes = j.k.type().bytes(j.cols);
        for (int rr = 0; rr < nr; rr++) {
            if (j.packedWeights != null) { // the repacked copy: same values, in group order
                PackedDecode.decode(j.k.type(), j.packedWeights, r + rr, j.rows, j.cols, k0, kc, p.rows, rr * RS);
            } else {
                SimdDecode.decode(j.k, j.w, (long) (r + rr) * rowBytes, k0, kc, p.rows, rr * RS,
                        p.rowMins, rr * (KC / 32));
            }
        }
        if (j.packedWeights != null) {
            transpose(p.rows, RS, nr, kc, PackedDecode.positions(j.k.type()), p.packed);
        } else {
            transpose(p.rows, RS, nr, kc, p.packed);
        }
        if (j.hasMin) {
            transpose(p.rowMins, KC / 32, nr, kc / 32, p.packedMins);
        }
    }

    /** {@code dst[k·MR + r] = src[r·ss + k]} for r < nr, k < n. */
    static void transpose(float[] src, int ss, int nr, int n, float[] dst) {
        for (int k = 0; k < n; k++) {
            int d = k * MR;
            for (int r = 0; r < nr; r++) {
                dst[d + r] = src[r * ss + k];
            }
        }
    }

    /** {@code dst[k·MR + r] = src[r·ss + pos[k]]} for r < nr, k < n: rows decoded in group order. */
    static void transpose(float[] src, int ss, int nr, int n, int[] pos, float[] dst) {
        for (int k = 0; k < n; k++) {
            int d = k * MR;
            int s = pos[k];
            for (int r = 0; r < nr; r++) {
                dst[d + r] = src[r * ss + s];
            }
        }
    }

    /** Multiplies the packed panel with batch entries [bt0, bt1), adding into y after the first block. */
    private static void sweep(FastMatMul.Job j, Panel p, int r, int nr, int k0, int kc, int bt0, int bt1) {
        float[] a = j.heapAct;
        int aStep = j.cols;
        int sBase = (int) (j.sumsBase / 4) + k0 / 32;
        int sStep = j.cols / 32;
        long yStep = 4L * j.yStride;
        for (int b = bt0; b < bt1; b += NB) {
            int nb = Math.min(NB, bt1 - b);
            long y0 = 4L * ((long) b * j.yStride + r);
            for (int c = 0; c < kc; c += CHAIN) {
                SimdKernels.gemm(p.packed, c, Math.min(kc, c + CHAIN), a, b * aStep + k0, aStep, nb, p.out, c > 0);
            }
            flush(p, nb, nr, j.y, y0, yStep, k0 != 0);
            if (j.hasMin) {
                SimdKernels.gemm(p.packedMins, 0, kc / 32, a, sBase + b * sStep, sStep, nb, p.out, false);
                flush(p, nb, nr, j.y, y0, yStep, true);
            }
        }
    }

    private static void flush(Panel p, int nb, int nr, java.lang.foreign.MemorySegment y, long y0, long yStep,
                              boolean acc) {
        for (int e = 0; e < nb; e++) {
            SimdKernels.flush(p.out, e * MR, nr, y, y0 + e * yStep, acc);
        }
    }
}
