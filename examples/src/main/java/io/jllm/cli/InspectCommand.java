package io.jllm.cli;

import io.jllm.gguf.GgufFile;
import io.jllm.gguf.GgufTensor;
import io.jllm.gguf.GgufValue;
import io.jllm.gguf.GgufValueType;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code llm inspect FILE [--json]}: a GGUF file's header, metadata and tensor table. JSON:
 * {@code {"version", "alignment", "metadata": {key: value}, "tensors": [{"name", "type", "shape",
 * "offset", "bytes"}]}} with arrays in full, unsigned integers exact and ggml type names. Text
 * mode summarizes long arrays and long strings. For a split model (opened through its first
 * part) every part's tensors are listed, each with a {@code "part"} index (0-based).
 */
public final class InspectCommand implements CliCommand {
    /** Array elements shown in text mode before the rest is summarized. */
    static final int TEXT_ARRAY_ITEMS = 8;
    /** Characters of a string value shown in text mode. */
    static final int TEXT_STRING_CHARS = 120;

    @Override
    public String usage() {
        return "llm inspect FILE [--json]        GGUF header, metadata and tensor table";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.flag("--json");
        String file = args.positional(0, "FILE (a .gguf file)");
        if (args.positionals().size() > 1) {
            throw new CliException("unexpected argument '" + args.positionals().get(1) + "' (usage: " + usage() + ")");
        }
        args.finish();
        try (GgufFile f = open(Path.of(file))) {
            if (json) {
                out.println(Json.write(toJson(f)));
            } else {
                printText(f, out);
            }
        }
        out.flush();
        return 0;
    }

    private static GgufFile open(Path p) throws Exception {
        try {
            return GgufFile.open(p);
        } catch (AccessDeniedException e) {
            throw new CliException(p + ": permission denied", e);
        } catch (FileSystemException e) {
            if (e.getReason() == null) {
                throw new CliException(p + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
            }
            throw e;
        }
    }

    /** The contract's JSON document for {@code f}. */
    static Map<String, Object> toJson(GgufFile f) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", f.version());
        doc.put("alignment", f.alignment());
        Map<String, Object> md = new LinkedHashMap<>();
        for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
            md.put(e.getKey(), jsonValue(e.getValue()));
        }
        doc.put("metadata", md);
        List<Object> tensors = new ArrayList<>();
        for (GgufTensor t : f.tensors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("type", t.type().ggmlName());
            m.put("shape", t.shape());
            m.put("offset", t.offset());
            m.put("bytes", t.byteSize());
            if (f.parts().size() > 1) {
                m.put("part", f.partOf(t)); // split model: offset is relative to this part's data section
            }
            tensors.add(m);
        }
        doc.put("tensors", tensors);
        return doc;
    }

    /** A metadata value as Json writes it: unsigned values widened so they print exactly. */
    static Object jsonValue(GgufValue v) {
        Object x = v.value();
        if (v.type() != GgufValueType.ARRAY) {
            return v.type() == GgufValueType.UINT64 ? unsigned((Long) x) : x;
        }
        GgufValueType et = v.elementType();
        return switch (x) {
            case byte[] a -> {
                int[] r = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    r[i] = et == GgufValueType.UINT8 ? Byte.toUnsignedInt(a[i]) : a[i];
                }
                yield r;
            }
            case short[] a -> {
                int[] r = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    r[i] = et == GgufValueType.UINT16 ? Short.toUnsignedInt(a[i]) : a[i];
                }
                yield r;
            }
            case int[] a when et == GgufValueType.UINT32 -> {
                long[] r = new long[a.length];
                for (int i = 0; i < a.length; i++) {
                    r[i] = Integer.toUnsignedLong(a[i]);
                }
                yield r;
            }
            case long[] a when et == GgufValueType.UINT64 -> {
                List<Object> r = new ArrayList<>(a.length);
                for (long l : a) {
                    r.add(unsigned(l));
                }
                yield r;
            }
            default -> x;
        };
    }

    private static Object unsigned(long l) {
        return l >= 0 ? (Object) l : new BigInteger(Long.toUnsignedString(l));
    }

    private static void printText(GgufFile f, PrintStream out) {
        List<GgufTensor> tensors = f.tensors();
        out.printf(Locale.ROOT, "%s: GGUF version %d, alignment %d, %d metadata keys, %d tensors%n",
                f.path().getFileName(), f.version(), f.alignment(), f.metadata().keys().size(), tensors.size());
        if (f.parts().size() > 1) {
            out.printf(Locale.ROOT, "split model: %d parts (a tensor's offset is relative to its part's data section)%n",
                    f.parts().size());
        }
        String arch = f.metadata().get("general.architecture") instanceof GgufValue a
                && a.type() == GgufValueType.STRING ? (String) a.value() : "(none)";
        long total = tensors.stream().mapToLong(GgufTensor::byteSize).sum();
        long params = tensors.stream().mapToLong(GgufTensor::elementCount).sum();
        out.printf(Locale.ROOT, "architecture %s, data section at byte %d, %d parameters in %d bytes%n%n",
                arch, f.dataOffset(), params, total);
        out.println("metadata:");
        int keyWidth = f.metadata().keys().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
            out.printf(Locale.ROOT, "  %-" + keyWidth + "s  %-14s %s%n", e.getKey(), e.getValue().typeName(),
                    summary(e.getValue()));
        }
        if (tensors.isEmpty()) {
            out.println();
            out.println("tensors: none");
            return;
        }
        out.println();
        out.println("tensors:");
        int nameWidth = Math.max(4, tensors.stream().mapToInt(t -> t.name().length()).max().orElse(0));
        boolean split = f.parts().size() > 1;
        out.printf(Locale.ROOT, "  %5s  %-" + nameWidth + "s  %-7s  %-24s  %12s  %12s%s%n",
                "#", "name", "type", "shape", "offset", "bytes", split ? "  part" : "");
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensor t = tensors.get(i);
            StringBuilder shape = new StringBuilder();
            for (long d : t.shape()) {
                shape.append(shape.isEmpty() ? "" : " x ").append(d);
            }
            out.printf(Locale.ROOT, "  %5d  %-" + nameWidth + "s  %-7s  %-24s  %12d  %12d%s%n",
                    i, t.name(), t.type().ggmlName(), shape, t.offset(), t.byteSize(),
                    split ? String.format(Locale.ROOT, "  %4d", f.partOf(t)) : "");
        }
    }

    /** One line for a value: strings quoted (long ones cut), arrays as their first items and count. */
    static String summary(GgufValue v) {
        Object j = jsonValue(v);
        if (v.type() != GgufValueType.ARRAY) {
            return j instanceof String s ? quote(s) : Json.write(j);
        }
        int n = v.length();
        StringBuilder sb = new StringBuilder("[");
        int shown = Math.min(n, TEXT_ARRAY_ITEMS);
        Object items = j instanceof List<?> l ? l.subList(0, shown).toArray() : j;
        for (int i = 0; i < shown; i++) {
            sb.append(i > 0 ? ", " : "");
            Object e = java.lang.reflect.Array.get(items, i);
            sb.append(e instanceof String s ? quote(s) : Json.write(e));
        }
        if (n > shown) {
            sb.append(", ... ").append(n - shown).append(" more");
        }
        return sb.append("] (").append(n).append(n == 1 ? " item)" : " items)").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        boolean cut = s.length() > TEXT_STRING_CHARS;
        Json.string(sb, cut ? s.substring(0, TEXT_STRING_CHARS) : s);
        if (cut) {
            sb.append("... (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}
