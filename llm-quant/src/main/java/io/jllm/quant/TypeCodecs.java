package io.jllm.quant;

import io.jllm.gguf.GgmlType;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The type-traits table: one {@link TypeCodec} row per supported tensor type. */
final class TypeCodecs {
    private static final Map<GgmlType, TypeCodec> TABLE = new EnumMap<>(GgmlType.class);

    static {
        for (TypeCodec c : new TypeCodec[] {
                new F32Codec(), new F16Codec(), new Bf16Codec(),
                new Q4_0Codec(), new Q4_1Codec(), new Q5_0Codec(), new Q5_1Codec(),
                new Q8_0Codec(), new Q8_1Codec(),
                new Q2_KCodec(), new Q3_KCodec(), new Q4_KCodec(), new Q5_KCodec(), new Q6_KCodec(),
                new Q8_KCodec(),
                new IQ4_NLCodec(), new IQ4_XSCodec()}) {
            TABLE.put(c.type(), c);
        }
    }

    private TypeCodecs() {}

    static @Nullable TypeCodec find(GgmlType type) {
        return TABLE.get(type);
    }

    /** The row for {@code type}, or an {@link UnsupportedOperationException} naming it. */
    static TypeCodec get(GgmlType type, String what) {
        TypeCodec c = TABLE.get(type);
        if (c == null) {
            throw new UnsupportedOperationException(what + " of tensor type " + type + " is not supported");
        }
        return c;
    }
}
