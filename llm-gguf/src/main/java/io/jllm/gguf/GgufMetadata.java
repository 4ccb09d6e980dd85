package io.jllm.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The key/value metadata of a GGUF file, in file order, with typed getters. A missing key or a
 * value of an unsuitable type is reported with the key, the type found and the file. Integer
 * getters accept any integer type whose value fits; float getters accept FLOAT32 and FLOAT64.
 * Immutable.
 */
public final class GgufMetadata {
    private final Map<String, GgufValue> values;
    private final String source;

    public GgufMetadata(Map<String, GgufValue> values, String source) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.source = source;
    }

    /** All entries in file order (unmodifiable). */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public @Nullable GgufValue get(String key) {
        return values.get(key);
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new NoSuchElementException(source + ": metadata key '" + key + "' is missing");
        }
        return v;
    }

    private IllegalArgumentException wrongType(String key, GgufValue v, String wanted) {
        return new IllegalArgumentException(source + ": metadata key '" + key + "' has type " + v.typeName()
                + ", expected " + wanted);
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.raw() instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "STRING");
    }

    public @Nullable String getString(String key, @Nullable String def) {
        return contains(key) ? getString(key) : def;
    }

    public long getLong(String key) {
        GgufValue v = require(key);
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        long l = ((Number) v.raw()).longValue();
        if (v.type() == GgufValueType.UINT64 && l < 0) {
            throw new IllegalArgumentException(source + ": metadata key '" + key + "' value "
                    + Long.toUnsignedString(l) + " does not fit in a signed 64-bit integer");
        }
        return l;
    }

    public long getLong(String key, long def) {
        return contains(key) ? getLong(key) : def;
    }

    public int getInt(String key) {
        long l = getLong(key);
        if (l != (int) l) {
            throw new IllegalArgumentException(source + ": metadata key '" + key + "' value " + l
                    + " does not fit in a 32-bit integer");
        }
        return (int) l;
    }

    public int getInt(String key, int def) {
        return contains(key) ? getInt(key) : def;
    }

    public double getDouble(String key) {
        GgufValue v = require(key);
        if (v.type() == GgufValueType.FLOAT32 || v.type() == GgufValueType.FLOAT64) {
            return ((Number) v.raw()).doubleValue();
        }
        throw wrongType(key, v, "FLOAT32 or FLOAT64");
    }

    public float getFloat(String key) {
        return (float) getDouble(key);
    }

    public float getFloat(String key, float def) {
        return contains(key) ? getFloat(key) : def;
    }

    public boolean getBoolean(String key) {
        GgufValue v = require(key);
        if (v.raw() instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "BOOL");
    }

    public boolean getBoolean(String key, boolean def) {
        return contains(key) ? getBoolean(key) : def;
    }

    private GgufValue requireArray(String key, String wanted) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) {
            throw wrongType(key, v, wanted);
        }
        return v;
    }

    /** A copy of a STRING array. */
    public String[] getStringArray(String key) {
        GgufValue v = requireArray(key, "ARRAY[STRING]");
        if (v.raw() instanceof String[] a) {
            return a.clone();
        }
        throw wrongType(key, v, "ARRAY[STRING]");
    }

    /** A FLOAT32 or FLOAT64 array as floats. */
    public float[] getFloatArray(String key) {
        GgufValue v = requireArray(key, "ARRAY[FLOAT32]");
        return switch (v.raw()) {
            case float[] a -> a.clone();
            case double[] a -> {
                float[] f = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    f[i] = (float) a[i];
                }
                yield f;
            }
            default -> throw wrongType(key, v, "ARRAY[FLOAT32]");
        };
    }

    /** An integer array (any integer element type whose values fit in an int) as ints. */
    public int[] getIntArray(String key) {
        GgufValue v = requireArray(key, "ARRAY[INT32]");
        GgufValueType et = v.elementType();
        boolean unsigned = et == GgufValueType.UINT8 || et == GgufValueType.UINT16
                || et == GgufValueType.UINT32 || et == GgufValueType.UINT64;
        int n = v.length();
        int[] out = new int[n];
        Object raw = v.raw();
        for (int i = 0; i < n; i++) {
            long x = switch (raw) {
                case byte[] a -> unsigned ? Byte.toUnsignedLong(a[i]) : a[i];
                case short[] a -> unsigned ? Short.toUnsignedLong(a[i]) : a[i];
                case int[] a -> unsigned ? Integer.toUnsignedLong(a[i]) : a[i];
                case long[] a -> a[i];
                default -> throw wrongType(key, v, "an integer array");
            };
            if (x != (int) x || (et == GgufValueType.UINT64 && x < 0)) {
                throw new IllegalArgumentException(source + ": metadata key '" + key + "' element " + i
                        + " does not fit in a 32-bit integer");
            }
            out[i] = (int) x;
        }
        return out;
    }

    /**
     * A per-layer integer that may be stored as a scalar or as an array of {@code n} (as
     * {@code attention.head_count} may): the scalar repeated, or the array checked for length.
     */
    public int[] getIntPerLayer(String key, int n, int def) {
        int[] out = new int[n];
        if (!contains(key)) {
            java.util.Arrays.fill(out, def);
            return out;
        }
        if (require(key).type() == GgufValueType.ARRAY) {
            int[] a = getIntArray(key);
            if (a.length != n) {
                throw new IllegalArgumentException(source + ": metadata key '" + key + "' has " + a.length
                        + " entries, expected " + n + " (one per layer)");
            }
            return a;
        }
        java.util.Arrays.fill(out, getInt(key));
        return out;
    }

    @Override
    public String toString() {
        return "GgufMetadata" + values.keySet();
    }
}
