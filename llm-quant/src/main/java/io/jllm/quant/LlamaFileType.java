package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The llama.cpp file types ({@code llama_ftype}, stored as {@code general.file_type}) that
 * {@link ModelQuantizer} can produce, each with its id and default tensor type. The {@code _S},
 * {@code _M}, {@code _L} mixes share a default type and differ in llama-quantize's per-tensor rules.
 */
public enum LlamaFileType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K),
    IQ4_NL(25, GgmlType.IQ4_NL),
    IQ4_XS(30, GgmlType.IQ4_XS),
    BF16(32, GgmlType.BF16);

    private final int id;
    private final GgmlType defaultType;

    LlamaFileType(int id, GgmlType defaultType) {
        this.id = id;
        this.defaultType = defaultType;
    }

    /** The {@code llama_ftype} value written as {@code general.file_type}. */
    public int id() {
        return id;
    }

    /** The tensor type every quantizable matrix gets before the per-tensor rules. */
    public GgmlType defaultType() {
        return defaultType;
    }

    /** The llama-quantize name, e.g. {@code Q4_K_M}. */
    public String llamaName() {
        return name();
    }

    /**
     * The file type for a llama-quantize type name, case-insensitive ({@code q4_k_m}, {@code Q8_0},
     * {@code f16}); {@code Q3_K}, {@code Q4_K}, {@code Q5_K} mean the {@code _M} mixes as in
     * llama-quantize. Null when unknown.
     */
    public static @Nullable LlamaFileType fromName(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        switch (n) {
            case "Q3_K":
                return Q3_K_M;
            case "Q4_K":
                return Q4_K_M;
            case "Q5_K":
                return Q5_K_M;
            default:
                break;
        }
        for (LlamaFileType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        return null;
    }

    /** The file type with {@code id}, or null. */
    public static @Nullable LlamaFileType fromId(long id) {
        for (LlamaFileType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
