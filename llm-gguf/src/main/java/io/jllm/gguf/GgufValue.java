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

    /**
     * An array value; {@code array} is a primitive array or String[] matching the element type
     * (not copied: do not modify it afterwards). Unsigned elements keep their bits (a u8 of 255
     * is the byte -1).
     */
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
        if (array instanceof String[] a) {
            for (String e : a) {
                Objects.requireNonNull(e, "null element in a string array");
            }
        }
        return new GgufValue(GgufValueType.ARRAY, elementType, array);
    }

    /** A STRING value. */
    public static GgufValue string(String s) {
        return of(GgufValueType.STRING, s);
    }

    /** A UINT32 value (0 .. 2^32-1). */
    public static GgufValue uint32(long v) {
        return of(GgufValueType.UINT32, v);
    }

    /** An INT32 value. */
    public static GgufValue int32(int v) {
        return of(GgufValueType.INT32, v);
    }

    /** A UINT64 value; {@code bits} is the unsigned value's 64 bits. */
    public static GgufValue uint64(long bits) {
        return of(GgufValueType.UINT64, bits);
    }

    /** A FLOAT32 value. */
    public static GgufValue float32(float v) {
        return of(GgufValueType.FLOAT32, v);
    }

    /** A BOOL value. */
    public static GgufValue bool(boolean v) {
        return of(GgufValueType.BOOL, v);
    }

    /** An ARRAY[STRING] value (copied). */
    public static GgufValue stringArray(String... values) {
        for (String v : values) {
            Objects.requireNonNull(v, "null element in a string array");
        }
        return ofArray(GgufValueType.STRING, values.clone());
    }

    private static Object normalize(GgufValueType type, Object v) {
        Objects.requireNonNull(v);
        if (type.isInteger() && !(v instanceof Long || v instanceof Integer || v instanceof Short
                || v instanceof Byte)) {
            throw new IllegalArgumentException(type + " value must be an integer, got " + v.getClass().getSimpleName());
        }
        long l = v instanceof Number n ? n.longValue() : 0;
        long[] range = switch (type) {
            case UINT8 -> new long[] {0, 0xFF};
            case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
            case UINT16 -> new long[] {0, 0xFFFF};
            case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
            case UINT32 -> new long[] {0, 0xFFFF_FFFFL};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            default -> null;
        };
        if (range != null && (l < range[0] || l > range[1])) {
            throw new IllegalArgumentException("value " + l + " is out of range for " + type);
        }
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
