package io.jllm.gguf;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One metadata value: its GGUF type and a Java value. Scalars: UINT8/INT8/UINT16/INT16/INT32 as
 * {@link Integer}; UINT32/INT64/UINT64 as {@link Long} (UINT64 keeps its bits: read it with
 * {@link Long#toUnsignedString}); FLOAT32 {@link Float}; FLOAT64 {@link Double}; BOOL
 * {@link Boolean}; STRING {@link String}. Arrays ({@link #type()} ARRAY, element type in
 * {@link #elementType()}) hold a primitive array: {@code byte[]} (u8/i8), {@code short[]}
 * (u16/i16), {@code int[]} (u32/i32), {@code long[]} (u64/i64), {@code float[]},
 * {@code double[]}, {@code boolean[]} or {@code String[]}. Array accessors return copies.
 */
public final class GgufValue {
    private final GgufValueType type;
    private final @Nullable GgufValueType elementType;
    private final Object value;

    GgufValue(GgufValueType type, @Nullable GgufValueType elementType, Object value) {
        this.type = type;
        this.elementType = elementType;
        this.value = value;
    }

    public static GgufValue of(GgufValueType type, Object value) {
        if (type == GgufValueType.ARRAY) {
            throw new IllegalArgumentException("use ofArray for arrays");
        }
        return new GgufValue(type, null, normalize(type, value));
    }

    /** An array value; {@code array} is a primitive array or String[] matching the element type. */
    public static GgufValue ofArray(GgufValueType elementType, Object array) {
        Class<?> want = switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> throw new IllegalArgumentException("nested arrays are not allowed in GGUF");
        };
        if (!want.isInstance(array)) {
            throw new IllegalArgumentException("array of " + elementType + " must be a " + want.getSimpleName());
        }
        return new GgufValue(GgufValueType.ARRAY, elementType, array);
    }

    private static Object normalize(GgufValueType type, Object v) {
        Objects.requireNonNull(v);
        return switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> ((Number) v).intValue();
            case UINT32, UINT64, INT64 -> ((Number) v).longValue();
            case FLOAT32 -> ((Number) v).floatValue();
            case FLOAT64 -> ((Number) v).doubleValue();
            case BOOL -> (Boolean) v;
            case STRING -> (String) v;
            case ARRAY -> throw new IllegalArgumentException();
        };
    }

    public GgufValueType type() {
        return type;
    }

    /** The element type of an array, or null for a scalar. */
    public @Nullable GgufValueType elementType() {
        return elementType;
    }

    /** The value as stored (arrays are the internal array: do not modify). */
    Object raw() {
        return value;
    }

    /** The scalar value, or a copy of the array. */
    public Object value() {
        return switch (value) {
            case byte[] a -> a.clone();
            case short[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case boolean[] a -> a.clone();
            case String[] a -> a.clone();
            default -> value;
        };
    }

    /** Number of elements of an array value (1 for a scalar). */
    public int length() {
        return type == GgufValueType.ARRAY ? java.lang.reflect.Array.getLength(value) : 1;
    }

    /** A short description of the type, e.g. {@code UINT32} or {@code ARRAY[STRING]}. */
    public String typeName() {
        return type == GgufValueType.ARRAY ? "ARRAY[" + elementType + "]" : type.name();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufValue g) || g.type != type || g.elementType != elementType) {
            return false;
        }
        return Arrays.deepEquals(new Object[] {value}, new Object[] {g.value});
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        return switch (value) {
            case Long l when type == GgufValueType.UINT64 -> Long.toUnsignedString(l);
            case byte[] a -> Arrays.toString(a);
            case short[] a -> Arrays.toString(a);
            case int[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            case String[] a -> Arrays.toString(a);
            default -> String.valueOf(value);
        };
    }
}
