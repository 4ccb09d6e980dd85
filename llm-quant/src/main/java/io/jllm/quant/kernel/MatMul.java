package io.jllm.quant.kernel;

import io.jllm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jspecify.annotations.Nullable;

/**
 * Weight matrix × a batch of activation vectors, as ggml's {@code mul_mat} computes it:
 * {@code y[b*yStride + r] = W[r] · x[b*xStride ..]} for every row r and batch entry b.
 * W has {@code rows} contiguous rows of {@code cols} elements of {@code type}; x and y are f32.
 */
public final class MatMul {
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MatMul() {}

    private static void checkArgs(GgmlType type, MemorySegment w, int rows, int cols, MemorySegment x,
                                  int xStride, int batch, MemorySegment y, int yStride, MemorySegment scratch) {
        if (rows < 0 || cols <= 0 || batch < 0) {
            throw new IllegalArgumentException("bad shape rows=" + rows + " cols=" + cols + " batch=" + batch);
        }
        long wBytes = type.bytes(cols) * rows;
        if (w.byteSize() < wBytes) {
            throw new IllegalArgumentException(type + " weight of " + rows + "x" + cols + " needs " + wBytes
                    + " bytes, segment has " + w.byteSize());
        }
        if (batch > 0) {
            if (xStride < cols || x.byteSize() < 4L * ((long) (batch - 1) * xStride + cols)) {
                throw new IllegalArgumentException("activations too small for batch " + batch + " x " + cols
                        + " (stride " + xStride + ")");
            }
            if (yStride < rows || y.byteSize() < 4L * ((long) (batch - 1) * yStride + rows)) {
                throw new IllegalArgumentException("output too small for batch " + batch + " x " + rows
                        + " (stride " + yStride + ")");
            }
            if (scratch.byteSize() < scratchBytes(type, cols, batch)) {
                throw new IllegalArgumentException("scratch has " + scratch.byteSize() + " bytes, needs "
                        + scratchBytes(type, cols, batch));
            }
        }
    }

    /** Scratch bytes {@link #matmul} needs for the converted activations. */
    public static long scratchBytes(GgmlType type, int cols, int batch) {
        long reference = Kernels.forType(type).activationBytes(cols) * batch;
        return Math.max(reference, FastMatMul.scratchBytes(type, cols, batch));
    }

    /** True when {@link #matmul} runs the SIMD path (Vector API present and JIT-compiled). */
    public static boolean simd() {
        return VectorSupport.ENABLED;
    }

    /**
     * Computes the product. {@code scratch} must hold {@link #scratchBytes} bytes. Strides are in
     * floats. Work is split over rows with {@code par}. With {@link Numerics#REFERENCE} the
     * scalar rows run ({@link #reference}), in ggml's float order where {@link GgmlOrderRows} has
     * the type.
     */
    public static void matmul(GgmlType type, MemorySegment w, int rows, int cols,
                              MemorySegment x, int xStride, int batch,
                              MemorySegment y, int yStride, MemorySegment scratch, Parallel par) {
        matmul(type, w, null, rows, cols, x, xStride, batch, y, yStride, scratch, par);
    }

    /**
     * Bytes of the load-time companion of a weight matrix that makes token generation faster, or
     * 0 where there is none: a repacked copy for Q4_0 ({@link Q4_0Packed}) and Q4_K
     * ({@link Q4_KPacked}) when {@code cols} is a multiple of 32·(float lanes), for Q6_K
     * ({@link Q6_KPacked}) when it is a multiple of 256, and for F16 one
     * byte per 4-row group recording that the group holds no inf/NaN weight
     * ({@link HalfMatVec}: verified rows skip the check). Only on the SIMD path in fast numerics
     * (reference numerics reads the file's rows), and not when the system property
     * {@code jllm.repack} is {@code false}.
     */
    public static long packedBytes(GgmlType type, int rows, int cols) {
        if (!VectorSupport.ENABLED || !REPACK || REFERENCE) {
            return 0;
        }
        return switch (type) {
            case Q4_0 -> Q4_0Packed.packable(cols) ? Q4_0Packed.rowBytes(cols) * rows : 0;
            case Q4_K -> Q4_KPacked.packable(cols) ? Q4_KPacked.rowBytes(cols) * rows : 0;
            case Q6_K -> Q6_KPacked.packable(cols) ? Q6_KPacked.rowBytes(cols) * rows : 0;
            case F16 -> HalfMatVec.flagBytes(rows);
            default -> 0;
        };
    }

    /**
     * True if {@link #pack}'s copy of a {@code type} matrix holds all of its weights (Q4_0, Q4_K):
     * products with the copy never read the original rows, so the caller may let the original's
     * pages go (e.g. {@code GgufFile.release}). False for F16, whose companion is only flags.
     */
    public static boolean packedHoldsWeights(GgmlType type) {
        return PackedDecode.holdsWeights(type);
    }

    private static final boolean REFERENCE = Numerics.current() == Numerics.REFERENCE;
    private static final boolean REPACK = !"false".equalsIgnoreCase(System.getProperty("jllm.repack"));

    /**
     * Writes the companion of {@code w} ({@link #packedBytes} bytes, which must be non-zero) to
     * {@code dst}, which must be zeroed (F16's flags start as "not verified").
     */
    public static void pack(GgmlType type, MemorySegment w, int rows, int cols, MemorySegment dst) {
        long n = packedBytes(type, rows, cols);
        if (n == 0 || dst.byteSize() < n || w.byteSize() < type.bytes(cols) * rows) {
            throw new IllegalArgumentException("no packed form of " + type + " " + rows + "x" + cols
                    + " into " + dst.byteSize() + " bytes");
        }
        switch (type) {
            case Q4_K -> Q4_KPacked.pack(w, rows, cols, dst);
            case Q4_0 -> Q4_0Packed.pack(w, rows, cols, dst);
            case Q6_K -> Q6_KPacked.pack(w, rows, cols, dst);
            default -> { } // F16: the flags are set by the first products that verify their rows
        }
    }

    /**
     * As {@link #matmul(GgmlType, MemorySegment, int, int, MemorySegment, int, int, MemorySegment,
     * int, MemorySegment, Parallel)}, with the repacked copy {@code packed} of {@code w} made by
     * {@link #pack} (or null). Where the copy holds the weights ({@link #packedHoldsWeights}), every
     * batch size reads it and never {@code w}.
     */
    public static void matmul(GgmlType type, MemorySegment w, @Nullable MemorySegment packed, int rows, int cols,
                              MemorySegment x, int xStride, int batch,
                              MemorySegment y, int yStride, MemorySegment scratch, Parallel par) {
        WeightKernel k = Kernels.forType(type);
        checkArgs(type, w, rows, cols, x, xStride, batch, y, yStride, scratch);
        checkPacked(type, packed, rows, cols);
        if (VectorSupport.ENABLED && !REFERENCE) {
            FastMatMul.matmul(k, w, packed, rows, cols, x, xStride, batch, y, yStride, scratch, par);
        } else {
            reference(k, w, rows, cols, x, xStride, batch, y, yStride, scratch, par);
        }
    }

    /**
     * A weight matrix as {@link #matmulShared} takes it: {@code rows} rows of {@code cols}
     * elements of {@code type} at {@code data}, and the {@link #pack} companion or null.
     */
    public interface Operand {
        GgmlType type();

        MemorySegment data();

        @Nullable MemorySegment packed();

        int rows();

        int cols();
    }

    /**
     * {@code ya = A·x}, {@code yb = B·x} and, when {@code c} is not null, {@code yc = C·x}
     * (outputs with the common row stride {@code yStride}), each exactly as {@link #matmul} computes
     * it. Where the matrices share type, width and the presence of a {@link #pack} copy and the
     * batch is small (token generation), the SIMD path converts the activations once and runs
     * one parallel pass over the rows of all of them (of A and B alone when only C differs);
     * otherwise it makes the separate calls.
     * {@code scratch} must hold {@link #scratchBytes} for the batch.
     */
    public static void matmulShared(Operand a, MemorySegment ya, Operand b, MemorySegment yb,
                                    @Nullable Operand c, @Nullable MemorySegment yc, int yStride,
                                    MemorySegment x, int xStride, int batch, MemorySegment scratch, Parallel par) {
        if (c != null && yc == null) {
            throw new IllegalArgumentException("a third matrix needs its output");
        }
        boolean fast = VectorSupport.ENABLED && !REFERENCE && FastMatMul.sharesActivations(a.type(), batch);
        if (!fast || !compatible(a, b)) {
            apply(a, ya, yStride, x, xStride, batch, scratch, par);
            apply(b, yb, yStride, x, xStride, batch, scratch, par);
            if (c != null) {
                apply(c, yc, yStride, x, xStride, batch, scratch, par);
            }
            return;
        }
        boolean three = c != null && compatible(a, c);
        check(a, x, xStride, batch, ya, yStride, scratch);
        check(b, x, xStride, batch, yb, yStride, scratch);
        if (three) {
            check(c, x, xStride, batch, yc, yStride, scratch);
        }
        FastMatMul.matmulShared(a, ya, b, yb, three ? c : null, three ? yc : null, yStride, x, xStride, batch,
                scratch, par);
        if (c != null && !three) { // e.g. Q4_K_M's Q6_K V beside Q4_K Q and K
            apply(c, yc, yStride, x, xStride, batch, scratch, par);
        }
    }

    private static void apply(Operand o, MemorySegment y, int yStride, MemorySegment x, int xStride, int batch,
                              MemorySegment scratch, Parallel par) {
        matmul(o.type(), o.data(), o.packed(), o.rows(), o.cols(), x, xStride, batch, y, yStride, scratch, par);
    }

    private static boolean compatible(Operand a, Operand b) {
        return a.type() == b.type() && a.cols() == b.cols() && (a.packed() == null) == (b.packed() == null);
    }

    private static void check(Operand o, MemorySegment x, int xStride, int batch, MemorySegment y, int yStride,
                              MemorySegment scratch) {
        checkArgs(o.type(), o.data(), o.rows(), o.cols(), x, xStride, batch, y, yStride, scratch);
        checkPacked(o.type(), o.packed(), o.rows(), o.cols());
    }

    private static void checkPacked(GgmlType type, @Nullable MemorySegment packed, int rows, int cols) {
        if (packed != null && packed.byteSize() < packedBytes(type, rows, cols)) {
            throw new IllegalArgumentException("packed copy too small for " + type + " " + rows + "x" + cols);
        }
    }

    /**
     * The scalar reference product: ggml's activation conversion and scalar vec_dot per row (with
     * {@link Numerics#REFERENCE}, {@link GgmlOrderRows} where it has the type). Every batch entry
     * is computed as a batch of one would be.
     */
    static void reference(WeightKernel k, MemorySegment w, int rows, int cols,
                          MemorySegment x, int xStride, int batch,
                          MemorySegment y, int yStride, MemorySegment scratch, Parallel par) {
        long aBytes = k.activationBytes(cols);
        for (int b = 0; b < batch; b++) {
            k.convertActivations(x, 4L * b * xStride, cols, scratch, b * aBytes);
        }
        RefJob job = REF_JOBS.get();
        job.k = k;
        job.w = w;
        job.rowBytes = k.type().bytes(cols);
        job.cols = cols;
        job.batch = batch;
        job.y = y;
        job.yStride = yStride;
        job.a = scratch;
        job.aBytes = aBytes;
        job.ggmlOrder = REFERENCE && GgmlOrderRows.supports(k.type());
        try {
            par.forRange(rows, job);
        } finally {
            job.k = null;
            job.w = job.y = job.a = null;
        }
    }

    private static final ThreadLocal<RefJob> REF_JOBS = ThreadLocal.withInitial(RefJob::new);

    /** Reused per calling thread, so the reference path allocates nothing per call either. */
    private static final class RefJob implements Parallel.RangeTask {
        WeightKernel k;
        MemorySegment w;
        long rowBytes;
        int cols;
        int batch;
        MemorySegment y;
        int yStride;
        MemorySegment a;
        long aBytes;
        boolean ggmlOrder;

        @Override
        public void run(int from, int to, int worker) {
            for (int r = from; r < to; r++) {
                long wOff = r * rowBytes;
                for (int b = 0; b < batch; b++) {
                    float v = ggmlOrder ? GgmlOrderRows.dot(k.type(), w, wOff, a, b * aBytes, cols)
                            : k.dot(w, wOff, a, b * aBytes, cols);
                    y.set(F32, 4L * ((long) b * yStride + r), v);
                }
            }
        }
    }
}
