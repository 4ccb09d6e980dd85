package io.jllm.cli;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer for the CLI contract: integers exact (also u64 above 2^53, given as a
 * {@link BigInteger}), floats as numbers (a {@code Float} or {@code float[]} element in its
 * shortest float form), NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
 * Primitive arrays are written as JSON arrays (signed: widen unsigned values before).
 */
public final class Json {
    private Json() {}

    /** Serializes maps, lists, arrays of primitives, strings, numbers, booleans and null. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value);
        return sb.toString();
    }

    public static void append(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Float f -> number(sb, f.doubleValue(), true);
            case Double d -> number(sb, d, false);
            case Number n when n instanceof Long || n instanceof Integer || n instanceof Short
                    || n instanceof Byte || n instanceof BigInteger -> sb.append(n);
            case Number n -> number(sb, n.doubleValue(), false);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    append(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    append(sb, l.get(i));
                }
                sb.append(']');
            }
            case int[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "").append(a[i]);
                }
                sb.append(']');
            }
            case long[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "").append(a[i]);
                }
                sb.append(']');
            }
            case float[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "");
                    number(sb, a[i], true);
                }
                sb.append(']');
            }
            case double[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "");
                    number(sb, a[i], false);
                }
                sb.append(']');
            }
            case byte[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "").append(a[i]);
                }
                sb.append(']');
            }
            case short[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "").append(a[i]);
                }
                sb.append(']');
            }
            case boolean[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? ", " : "").append(a[i]);
                }
                sb.append(']');
            }
            case Object[] a -> append(sb, java.util.Arrays.asList(a));
            default -> string(sb, v.toString());
        }
    }

    private static void number(StringBuilder sb, double d, boolean isFloat) {
        if (Double.isNaN(d)) {
            sb.append("\"NaN\"");
        } else if (Double.isInfinite(d)) {
            sb.append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else if (isFloat) {
            sb.append(Float.toString((float) d));
        } else {
            sb.append(Double.toString(d));
        }
    }

    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
