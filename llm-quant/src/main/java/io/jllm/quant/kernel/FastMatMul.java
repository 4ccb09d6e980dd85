package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * The SIMD matrix product. Small batches go to fused matrix × vector rows where the type has
 * them ({@link IntMatVec} for the integer quants, {@link HalfMatVec} for F16/BF16). Activations are converted once per call exactly as ggml does (to
 * Q8_0/Q8_1/Q8_K, fp16 or bf16) and stored dequantized as f32 (q·d) in the scratch; weights are
 * decoded, 4 rows × {@link #KC} columns at a time, into a per-thread float tile (L1-resident) and
 * multiplied with the activations by the register-blocked {@link SimdKernels} (4 rows × 4 batch
 * entries, or 4 × 1). Rows are split over threads in 16-row units; the batch is walked in tiles
 * of {@link #BT} entries so that a tile's activation chunk stays in L2 while the weights stream.
 *
 * <p>This multiplies exactly the numbers ggml multiplies (both sides' rounded values; for
 * Q4_1/Q5_1 the min term uses ggml's fp16 s = d·Σq), in a different summation order.
 */
final class FastMatMul {
    static final int KC = 1024;
    static final int BT = 64;
    static final int ROW_UNIT = 16;
    /**
     * Batches up to this use {@link IntMatVec} rows where the type has them (environment variable
     * {@code JLLM_INT_MATVEC=0} turns them off, for diagnosis).
     */
    static final int INT_PATH_MAX_BATCH = "0".equals(System.getenv("JLLM_INT_MATVEC")) ? 0 : 3;

    private FastMatMul() {}

    static long scratchBytes(GgmlType type, int cols, int batch) {
        long b = 4L * cols * batch;
        if (hasMin(type)) {
            b += 4L * (cols / 32) * batch;
        }
        return b;
    }

    /** Bytes of one activation vector converted for the repacked rows of {@code type}. */
    static long packedActBytes(GgmlType type, int cols) {
        return switch (type) {
            case Q4_K -> Q4_KPacked.actBytes(cols);
            case Q6_K -> Q6_KPacked.actBytes(cols);
            default -> Q4_0Packed.actBytes(cols);
        };
    }

    /**
     * Columns of one independent part of the activation conversion for the repacked rows of
     * {@code type}: whole activation groups, and whole Q8_K superblocks where the type has them.
     */
    static int packedConvertCols(GgmlType type) {
        return switch (type) {
            case Q4_K -> Math.max(32 * SimdKernels.L, 256);
            case Q6_K -> Math.max(16 * SimdKernels.L, 256);
            default -> 32 * SimdKernels.L;
        };
    }

    static boolean isHalf(GgmlType type) {
        return type == GgmlType.F16 || type == GgmlType.BF16;
    }

    static boolean hasMin(GgmlType type) {
        return type == GgmlType.Q4_1 || type == GgmlType.Q5_1;
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<Tile> TILES = ThreadLocal.withInitial(Tile::new);

    static void matmul(WeightKernel k, MemorySegment w, @Nullable MemorySegment packed, int rows, int cols,
                       MemorySegment x, int xStride, int batch, MemorySegment y, int yStride, MemorySegment scratch,
                       Parallel par) {
        Job j = JOBS.get();
        j.prepare(k, w, packed, rows, cols, x, xStride, batch, y, yStride, scratch);
        try {
            convert(j, par);
            j.phase = Job.MULTIPLY;
            par.forRange(j.units(), j);
        } finally {
            j.clear();
        }
    }

    /**
     * Products of two or three matrices of one type and width with the same activations (Q, K and
     * V; gate and up): the activations are converted once, and one parallel pass walks the rows
     * of all of them, so the threads split one long stream instead of two or three short ones,
     * each with its own conversion and hand-offs. Every output is bit for bit the one
     * {@link #matmul} writes (the same conversion, the same row kernels). The caller checks that
     * the matrices share type, width and the presence of a repacked copy, and that the batch
     * takes the small-batch rows ({@link #sharesActivations}).
     */
    static void matmulShared(MatMul.Operand a, MemorySegment ya, MatMul.Operand b, MemorySegment yb,
                             MatMul.@Nullable Operand c, @Nullable MemorySegment yc, int yStride,
                             MemorySegment x, int xStride, int batch, MemorySegment scratch, Parallel par) {
        Shared s = SHARED.get();
        Job j0 = JOBS.get();
        s.jobs[0] = j0;
        WeightKernel k = Kernels.forType(a.type());
        int cols = a.cols();
        j0.prepare(k, a.data(), a.packed(), a.rows(), cols, x, xStride, batch, ya, yStride, scratch);
        s.jobs[1].prepare(k, b.data(), b.packed(), b.rows(), cols, x, xStride, batch, yb, yStride, scratch);
        s.count = 2;
        if (c != null && yc != null) {
            s.jobs[2].prepare(k, c.data(), c.packed(), c.rows(), cols, x, xStride, batch, yc, yStride, scratch);
            s.count = 3;
        }
        try {
            convert(j0, par); // the others read j0's conversion: same type, width, batch and scratch
            int units = 0;
            for (int i = 0; i < s.count; i++) {
                s.jobs[i].phase = Job.MULTIPLY;
                s.first[i] = units;
                units += s.jobs[i].units();
            }
            s.first[s.count] = units;
            par.forRange(units, s);
        } finally {
            for (int i = 0; i < s.count; i++) {
                s.jobs[i].clear();
            }
            s.jobs[0] = null;
        }
    }

    /** True if a batch of {@code batch} takes the small-batch rows whose conversion {@link #matmulShared} shares. */
    static boolean sharesActivations(GgmlType type, int batch) {
        return batch <= INT_PATH_MAX_BATCH && (IntMatVec.supports(type) || isHalf(type) || type == GgmlType.F32);
    }

    /** Converts j's activations into its scratch (nothing for F32 rows, which read x). */
    private static void convert(Job j, Parallel par) {
        int unit = packedConvertCols(j.k.type());
        if (j.packed != null && j.batch == 1 && par.threads() > 1 && j.cols % unit == 0 && j.cols >= 2 * unit) {
            // one vector for repacked rows: its blocks are converted in parallel (the
            // other threads would only wait), in whole activation groups and superblocks
            j.phase = Job.CONVERT_PARTS;
            par.forRange(j.cols / unit, j);
        } else if (j.k.type() != GgmlType.F32 || j.gemm) {
            j.phase = Job.CONVERT;
            if (j.batch > 1) {
                par.forRange(j.batch, j);
            } else {
                j.run(0, 1, 0);
            }
        }
    }

    private static final ThreadLocal<Shared> SHARED = ThreadLocal.withInitial(Shared::new);

    /** The reusable task of {@link #matmulShared}: unit u belongs to the job i with first[i] ≤ u < first[i+1]. */
    static final class Shared implements Parallel.RangeTask {
        final Job[] jobs = {null, new Job(), new Job()};
        final int[] first = new int[4];
        int count;

        @Override
        public void run(int from, int to, int worker) {
            for (int i = 0; i < count; i++) {
                int lo = Math.max(from, first[i]);
                int hi = Math.min(to, first[i + 1]);
                if (lo < hi) {
                    jobs[i].run(lo - first[i], hi - first[i], worker);
                }
            }
        }
    }

    /** Per-thread decode buffers. */
    static final class Tile {
        final float[] w = new float[4 * KC];
        final float[] mins = new float[4 * KC / 32];
        final float[] out = new float[16];
        /** One row decoded from a repacked copy, in {@link PackedDecode}'s group order. */
        final float[] grouped = new float[KC];
    }

    /** The reusable per-caller task (no allocation per call). */
    static final class Job implements Parallel.RangeTask {
        static final int CONVERT = 0;
        static final int MULTIPLY = 1;
        /** Batch-1 conversion for repacked rows, in parts of {@link #packedConvertCols} columns. */
        static final int CONVERT_PARTS = 2;
        int phase;
        WeightKernel k;
        MemorySegment w;
        int rows;
        int cols;
        MemorySegment x;
        int xStride;
        int batch;
        MemorySegment y;
        int yStride;
        MemorySegment act;
        long actStride;
        long sumsBase;
        boolean hasMin;
        boolean intPath;
        boolean halfPath;
        /** The repacked Q4_0, Q4_K or Q6_K weights ({@link MatMul#pack}) when the small-batch rows read them. */
        @Nullable MemorySegment packed;
        /**
         * The repacked Q4_0 or Q4_K weights when the larger batches decode them
         * ({@link PackedDecode}) instead of the file's rows, or null.
         */
        @Nullable MemorySegment packedWeights;
        /** F16's per-4-row-group "no inf/NaN" flags ({@link HalfMatVec#flagBytes}), or null. */
        @Nullable MemorySegment finite;
        /** True when {@link SimdGemm} multiplies (it reads the activations from {@link #heapAct}). */
        boolean gemm;
        /** Converted activations for {@link SimdGemm}, grown on demand and kept (f32, heap). */
        float[] heapAct = new float[0];

        /** Sets up a product; {@code packed} is the matrix's {@link MatMul#pack} companion or null. */
        void prepare(WeightKernel k, MemorySegment w, @Nullable MemorySegment packed, int rows, int cols,
                     MemorySegment x, int xStride, int batch, MemorySegment y, int yStride, MemorySegment scratch) {
            set(k, w, rows, cols, x, xStride, batch, y, yStride, scratch);
            this.packed = intPath ? packed : null;
            if (this.packed != null) {
                actStride = packedActBytes(k.type(), cols); // ≤ 2.5·cols bytes: within the 4·cols per entry of scratchBytes
            }
            finite = halfPath && k.type() == GgmlType.F16 ? packed : null;
            packedWeights = !intPath && PackedDecode.holdsWeights(k.type()) ? packed : null;
        }

        /** Row units of the multiply phase. */
        int units() {
            return (rows + ROW_UNIT - 1) / ROW_UNIT;
        }

        private void set(WeightKernel k, MemorySegment w, int rows, int cols, MemorySegment x, int xStride, int batch,
                 MemorySegment y, int yStride, MemorySegment scratch) {
            this.k = k;
            this.w = w;
            this.rows = rows;
            this.cols = cols;
            this.x = x;
            this.xStride = xStride;
            this.batch = batch;
            this.y = y;
            this.yStride = yStride;
            this.hasMin = hasMin(k.type());
            this.intPath = batch <= INT_PATH_MAX_BATCH && IntMatVec.supports(k.type());
            this.halfPath = batch <= INT_PATH_MAX_BATCH && isHalf(k.type());
            this.gemm = !intPath && batch >= SimdGemm.MIN_BATCH;
            if (intPath) {
                act = scratch;
                actStride = IntMatVec.actBytes(k.type(), cols);
            } else if (gemm) {
                growHeapAct(scratchBytes(k.type(), cols, batch) / 4);
                act = scratch;
                actStride = 4L * cols;
            } else if (k.type() == GgmlType.F32) {
                act = x;
                actStride = 4L * xStride;
            } else {
                act = scratch;
                actStride = 4L * cols;
            }
            sumsBase = 4L * cols * batch;
        }

        private void growHeapAct(long floats) {
            if (heapAct.length < floats) {
                heapAct = new float[Math.toIntExact(floats)];
            }
        }

        void clear() {
            k = null;
            w = x = y = act = null;
            packed = finite = packedWeights = null;
        }

        @Override
        public void run(int from, int to, int worker) {
            if (phase == CONVERT) {
                for (int b = from; b < to; b++) {
                    convert(b);
                }
            } else if (phase == CONVERT_PARTS) {
                convertParts(from, to);
            } else if (packed != null) {
                packedRows(packed, from * ROW_UNIT, Math.min(rows, to * ROW_UNIT));
            } else if (intPath) {
                intRows(from * ROW_UNIT, Math.min(rows, to * ROW_UNIT));
            } else if (halfPath) {
                halfRows(from * ROW_UNIT, Math.min(rows, to * ROW_UNIT));
            } else if (batch >= SimdGemm.MIN_BATCH) {
                SimdGemm.multiply(this, from * ROW_UNIT, Math.min(rows, to * ROW_UNIT));
            } else {
                multiply(from * ROW_UNIT, Math.min(rows, to * ROW_UNIT));
            }
        }

        private void intRows(int r0, int r1) {
            GgmlType t = k.type();
            long rowBytes = t.bytes(cols);
            for (int r = r0; r < r1; r++) {
                for (int b = 0; b < batch; b++) {
                    float v = IntMatVec.row(t, w, r * rowBytes, cols, act, b * actStride);
                    Mem.setF32(y, 4L * ((long) b * yStride + r), v);
                }
            }
        }

        /**
         * F16/BF16 rows with {@link HalfMatVec}, 4 at a time (a short last group repeats its last
         * row). Groups start at multiples of 4 (r0 is a multiple of ROW_UNIT), so group r/4 is the
         * same rows in every call and its {@link #finite} flag can be set once it checked clean.
         */
        private void halfRows(int r0, int r1) {
            boolean bf16 = k.type() == GgmlType.BF16;
            MemorySegment flags = finite;
            long rowBytes = 2L * cols;
            float[] out = TILES.get().out;
            for (int r = r0; r < r1; r += 4) {
                boolean verified = flags != null && flags.get(ValueLayout.JAVA_BYTE, r >> 2) != 0;
                int nr = Math.min(4, r1 - r);
                long o0 = r * rowBytes;
                long o1 = o0 + Math.min(1, nr - 1) * rowBytes;
                long o2 = o0 + Math.min(2, nr - 1) * rowBytes;
                long o3 = o0 + Math.min(3, nr - 1) * rowBytes;
                for (int b = 0; b < batch; b++) {
                    if (HalfMatVec.rows4(bf16, verified, w, o0, o1, o2, o3, cols, act, b * actStride, out)
                            && flags != null && !verified) {
                        flags.set(ValueLayout.JAVA_BYTE, r >> 2, (byte) 1);
                        verified = true;
                    }
                    long yo = 4L * ((long) b * yStride + r);
                    for (int rr = 0; rr < nr; rr++) {
                        Mem.setF32(y, yo + 4L * rr, out[rr]);
                    }
                }
            }
        }

        /** One loop per type rather than a type test per row: each calls one kernel. */
        private void packedRows(MemorySegment p, int r0, int r1) {
            if (k.type() == GgmlType.Q6_K) {
                long rowBytes = Q6_KPacked.rowBytes(cols);
                for (int r = r0; r < r1; r++) {
                    for (int b = 0; b < batch; b++) {
                        float v = Q6_KPacked.row(p, r * rowBytes, cols, act, b * actStride);
                        Mem.setF32(y, 4L * ((long) b * yStride + r), v);
                    }
                }
            } else if (k.type() == GgmlType.Q4_K) {
                long rowBytes = Q4_KPacked.rowBytes(cols);
                for (int r = r0; r < r1; r++) {
                    for (int b = 0; b < batch; b++) {
                        float v = Q4_KPacked.row(p, r * rowBytes, cols, act, b * actStride);
                        Mem.setF32(y, 4L * ((long) b * yStride + r), v);
                    }
                }
            } else {
                // whole tiles of four rows (r0 is a multiple of ROW_UNIT; only the matrix's last tile is short)
                float[] out = TILES.get().out;
                for (int r = r0; r < r1; r += Q4_0Packed.TILE) {
                    int nr = Math.min(Q4_0Packed.TILE, r1 - r);
                    long o = Q4_0Packed.rowOffset(r, cols);
                    long stride = Q4_0Packed.groupStride(r, rows);
                    for (int b = 0; b < batch; b++) {
                        long yo = 4L * ((long) b * yStride + r);
                        if (nr == Q4_0Packed.TILE) {
                            Q4_0Packed.rows4(p, o, cols, act, b * actStride, out);
                            for (int rr = 0; rr < nr; rr++) {
                                Mem.setF32(y, yo + 4L * rr, out[rr]);
                            }
                        } else {
                            for (int rr = 0; rr < nr; rr++) {
                                float v = Q4_0Packed.row(p, o + (long) Q4_0Packed.GROUP * rr, stride, cols, act, b * actStride);
                                Mem.setF32(y, yo + 4L * rr, v);
                            }
                        }
                    }
                }
            }
        }

        private void convertParts(int from, int to) {
            int unit = packedConvertCols(k.type());
            int c0 = from * unit;
            int n = (to - from) * unit;
            convertPacked(4L * c0, n, packedActBytes(k.type(), c0));
        }

        /** {@code n} activations at byte {@code xo} of x, converted for the repacked rows, to byte {@code ao} of act. */
        private void convertPacked(long xo, int n, long ao) {
            switch (k.type()) {
                case Q4_K -> Q4_KPacked.convert(x, xo, n, act, ao);
                case Q6_K -> Q6_KPacked.convert(x, xo, n, act, ao);
                default -> Q4_0Packed.convert(x, xo, n, act, ao);
            }
        }

        private void convert(int b) {
            long xo = 4L * b * xStride;
            long ao = b * actStride;
            if (packed != null) {
                convertPacked(xo, cols, ao);
                return;
            }
            if (intPath) {
                IntMatVec.convert(k.activationType(), x, xo, cols, act, ao);
                KQuantRows.permute(k.type(), cols, act, ao);
                return;
            }
            if (halfPath) {
                HalfMatVec.convert(k.type() == GgmlType.BF16, x, xo, cols, act, ao);
                return;
            }
            switch (k.activationType()) {
                case F32 -> MemorySegment.copy(x, xo, act, ao, 4L * cols);
                case F16 -> ActivationQuant.toF16Floats(x, xo, cols, act, ao);
                case BF16 -> ActivationQuant.toBf16Floats(x, xo, cols, act, ao);
                case Q8_0 -> SimdActivations.toQ8_0Floats(x, xo, cols, act, ao, null, 0);
                case Q8_1 -> SimdActivations.toQ8_0Floats(x, xo, cols, act, ao, act, sumsBase + 4L * b * (cols / 32));
                case Q8_K -> ActivationQuant.toQ8_KFloats(x, xo, cols, act, ao);
                default -> throw new IllegalStateException("activation type " + k.activationType());
            }
            if (gemm) {
                copyToHeap(b);
            }
        }

        /**
         * Row b of the converted activations (and its Q8_1 block sums) from the native scratch into
         * {@link #heapAct} for the GEMM, by bulk copy. The conversion itself always writes native
         * memory: a heap segment among the Vector API's store targets would make C2 compile every
         * vector store in the decode kernels with a segment-class switch.
         */
        private void copyToHeap(int b) {
            MemorySegment.copy(act, ValueLayout.JAVA_FLOAT_UNALIGNED, b * actStride, heapAct, b * cols, cols);
            if (hasMin) {
                int nb = cols / 32;
                MemorySegment.copy(act, ValueLayout.JAVA_FLOAT_UNALIGNED, sumsBase + 4L * b * nb, heapAct,
                        (int) (sumsBase / 4) + b * nb, nb);
            }
        }

        private void multiply(int r0, int r1) {
            Tile t = TILES.get();
            long rowBytes = k.type().bytes(cols);
            for (int bt0 = 0; bt0 < batch; bt0 += BT) {
                int bt1 = Math.min(batch, bt0 + BT);
                for (int k0 = 0; k0 < cols; k0 += KC) {
                    int kc = Math.min(KC, cols - k0);
                    for (int r = r0; r < r1; r += 4) {
                        int nr = Math.min(4, r1 - r);
                        for (int rr = 0; rr < 4; rr++) {
                            // the copy where there is one (same values); the decoders are called
                            // from here directly: one call level more and C2 stops inlining SimdDecode's
                            // K-quant emitters within its node budget, boxing their vectors
                            if (rr < nr && packedWeights != null) {
                                PackedDecode.decode(k.type(), packedWeights, r + rr, rows, cols, k0, kc, t.grouped, 0);
                                int[] pos = PackedDecode.positions(k.type());
                                for (int e = 0; e < kc; e++) {
                                    t.w[rr * KC + e] = t.grouped[pos[e]];
                                }
                            } else if (rr < nr) {
                                SimdDecode.decode(k, w, (long) (r + rr) * rowBytes, k0, kc, t.w, rr * KC,
                                        t.mins, rr * (KC / 32));
                            } else {
                                java.util.Arrays.fill(t.w, rr * KC, rr * KC + kc, 0f);
                                java.util.Arrays.fill(t.mins, rr * (KC / 32), rr * (KC / 32) + kc / 32, 0f);
                            }
                        }
                        tileBatch(t, r, nr, k0, kc, bt0, bt1);
                    }
                }
            }
        }

        private void tileBatch(Tile t, int r, int nr, int k0, int kc, int bt0, int bt1) {
            float[] out = t.out;
            int b = bt0;
            while (b < bt1) {
                java.util.Arrays.fill(out, 0f);
                int nb;
                if (b + 4 <= bt1) {
                    nb = 4;
                    long a0 = b * actStride + 4L * k0;
                    SimdKernels.dot4x4(t.w, 0, KC, act, a0, a0 + actStride, a0 + 2 * actStride,
                            a0 + 3 * actStride, kc, out);
                    if (hasMin) {
                        long s0 = sumsBase + 4L * ((long) b * (cols / 32) + k0 / 32);
                        long ss = 4L * (cols / 32);
                        SimdKernels.dot4x4(t.mins, 0, KC / 32, act, s0, s0 + ss, s0 + 2 * ss, s0 + 3 * ss,
                                kc / 32, out);
                    }
                } else {
                    nb = 1;
                    SimdKernels.dot4x1(t.w, 0, KC, act, b * actStride + 4L * k0, kc, out, 0);
                    if (hasMin) {
                        long s0 = sumsBase + 4L * ((long) b * (cols / 32) + k0 / 32);
                        SimdKernels.dot4x1(t.mins, 0, KC / 32, act, s0, kc / 32, out, 0);
                    }
                }
                for (int bb = 0; bb < nb; bb++) {
                    long yo = 4L * ((long) (b + bb) * yStride + r);
                    for (int rr = 0; rr < nr; rr++) {
                        float v = out[4 * rr + bb];
                        if (k0 != 0) {
                            v += Mem.f32(y, yo + 4L * rr);
                        }
                        Mem.setF32(y, yo + 4L * rr, v);
                    }
                }
                b += nb;
            }
        }
    }
}
