package io.jllm.synth;

import io.jllm.gguf.GgmlType;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * llama.cpp's file types ({@code enum llama_ftype}, stored as {@code general.file_type}): the
 * name {@code llama-quantize} accepts, the id, and the main tensor type. A mix ({@code _s},
 * {@code _m}, {@code _l} k-quant variants) chooses some tensors' types by llama-quantize's rules.
 */
public enum FileType {
    F32(0, GgmlType.F32), F16(1, GgmlType.F16), Q4_0(2, GgmlType.Q4_0), Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0), Q5_0(8, GgmlType.Q5_0), Q5_1(9, GgmlType.Q5_1), Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K), Q3_K_M(12, GgmlType.Q3_K), Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K), Q4_K_M(15, GgmlType.Q4_K), Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K), Q6_K(18, GgmlType.Q6_K), IQ2_XXS(19, GgmlType.IQ2_XXS),
    IQ2_XS(20, GgmlType.IQ2_XS), IQ3_XXS(23, GgmlType.IQ3_XXS), IQ1_S(24, GgmlType.IQ1_S),
    IQ4_NL(25, GgmlType.IQ4_NL), IQ3_S(26, GgmlType.IQ3_S), IQ2_S(28, GgmlType.IQ2_S),
    IQ4_XS(30, GgmlType.IQ4_XS), IQ1_M(31, GgmlType.IQ1_M), BF16(32, GgmlType.BF16),
    TQ1_0(36, GgmlType.TQ1_0), TQ2_0(37, GgmlType.TQ2_0);

    private final int id;
    private final GgmlType type;

    FileType(int id, GgmlType type) {
        this.id = id;
        this.type = type;
    }

    /** The value of {@code general.file_type}. */
    public int id() {
        return id;
    }

    /** The type of the file's matrices (before any mix rule). */
    public GgmlType baseType() {
        return type;
    }

    /** llama-quantize's name, e.g. {@code q4_k_m}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether llama-quantize gives some tensors other types (k-quant _S/_M/_L variants). */
    public boolean isMix() {
        String n = name();
        return n.contains("_K_");
    }

    /** The file type named {@code name} (case-insensitive, e.g. {@code q4_k_m}), or null. */
    public static @Nullable FileType fromName(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        for (FileType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        return null;
    }
}
