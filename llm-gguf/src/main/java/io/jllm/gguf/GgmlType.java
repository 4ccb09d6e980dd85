package io.jllm.gguf;

import org.jspecify.annotations.Nullable;

/**
 * Every ggml tensor type id a GGUF file may carry: one row per type (id, ggml's name, elements
 * per block, bytes per block), as in ggml's type-traits table. Ids 4, 5 (Q4_2, Q4_3) and 31–33,
 * 36–38 (runtime-repacked layouts) were removed from ggml and are invalid in files.
 */
public enum GgmlType {
    F32(0, "f32", 1, 4),
    F16(1, "f16", 1, 2),
    Q4_0(2, "q4_0", 32, 18),
    Q4_1(3, "q4_1", 32, 20),
    Q5_0(6, "q5_0", 32, 22),
    Q5_1(7, "q5_1", 32, 24),
    Q8_0(8, "q8_0", 32, 34),
    Q8_1(9, "q8_1", 32, 36),
    Q2_K(10, "q2_K", 256, 84),
    Q3_K(11, "q3_K", 256, 110),
    Q4_K(12, "q4_K", 256, 144),
    Q5_K(13, "q5_K", 256, 176),
    Q6_K(14, "q6_K", 256, 210),
    Q8_K(15, "q8_K", 256, 292),
    IQ2_XXS(16, "iq2_xxs", 256, 66),
    IQ2_XS(17, "iq2_xs", 256, 74),
    IQ3_XXS(18, "iq3_xxs", 256, 98),
    IQ1_S(19, "iq1_s", 256, 50),
    IQ4_NL(20, "iq4_nl", 32, 18),
    IQ3_S(21, "iq3_s", 256, 110),
    IQ2_S(22, "iq2_s", 256, 82),
    IQ4_XS(23, "iq4_xs", 256, 136),
    I8(24, "i8", 1, 1),
    I16(25, "i16", 1, 2),
    I32(26, "i32", 1, 4),
    I64(27, "i64", 1, 8),
    F64(28, "f64", 1, 8),
    IQ1_M(29, "iq1_m", 256, 56),
    BF16(30, "bf16", 1, 2),
    TQ1_0(34, "tq1_0", 256, 54),
    TQ2_0(35, "tq2_0", 256, 66),
    MXFP4(39, "mxfp4", 32, 17);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final String ggmlName;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, String ggmlName, int blockSize, int typeSize) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The type for a file's type id, or null for an unknown or removed id. */
    public static @Nullable GgmlType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** The type with ggml's name ({@code "q4_K"}, {@code "f16"}), case-insensitive, or null. */
    public static @Nullable GgmlType fromName(String name) {
        for (GgmlType t : values()) {
            if (t.ggmlName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }

    public int id() {
        return id;
    }

    /** ggml's own name for the type, e.g. {@code q4_K}, {@code iq4_xs}. */
    public String ggmlName() {
        return ggmlName;
    }

    /** Elements per block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes of {@code n} consecutive elements; {@code n} must be a multiple of the block size.
     *
     * @throws ArithmeticException if the size does not fit in a long
     */
    public long bytes(long n) {
        if (n % blockSize != 0) {
            throw new IllegalArgumentException(n + " elements is not a multiple of the " + ggmlName
                    + " block size " + blockSize);
        }
        return Math.multiplyExact(n / blockSize, (long) typeSize);
    }

    @Override
    public String toString() {
        return ggmlName;
    }
}
