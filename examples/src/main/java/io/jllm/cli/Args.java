package io.jllm.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments of one sub-command: positionals, flags ({@code --json}) and options
 * with a value ({@code -m FILE}, {@code --top 5}, {@code --top=5}). A command declares which
 * names take a value; every option read is checked off, and {@link #finish()} rejects leftovers.
 */
public final class Args {
    private final List<String> positionals = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final Set<String> used = new HashSet<>();

    private Args() {}

    /**
     * Parses {@code argv}; names in {@code valued} (e.g. "-m", "--top") consume the next argument.
     */
    public static Args parse(List<String> argv, Set<String> valued) {
        Args a = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String s = argv.get(i);
            if (s.startsWith("-") && s.length() > 1 && !isNumber(s)) {
                int eq = s.indexOf('=');
                if (s.startsWith("--") && eq > 0) {
                    a.options.put(s.substring(0, eq), s.substring(eq + 1));
                } else if (valued.contains(s)) {
                    if (i + 1 >= argv.size()) {
                        throw new CliException("option " + s + " needs a value");
                    }
                    a.options.put(s, argv.get(++i));
                } else {
                    a.flags.add(s);
                }
            } else {
                a.positionals.add(s);
            }
        }
        return a;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public List<String> positionals() {
        return List.copyOf(positionals);
    }

    /** The i-th positional argument, or a usage error naming {@code what}. */
    public String positional(int i, String what) {
        if (i >= positionals.size()) {
            throw new CliException("missing argument: " + what);
        }
        return positionals.get(i);
    }

    public boolean flag(String name) {
        used.add(name);
        return flags.contains(name);
    }

    /** The value of the first of {@code names} that is present, or null. */
    public String option(String... names) {
        for (String n : names) {
            used.add(n);
        }
        for (String n : names) {
            String v = options.get(n);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    public String option(String name, String def) {
        String v = option(name);
        return v == null ? def : v;
    }

    public String requireOption(String... names) {
        String v = option(names);
        if (v == null) {
            throw new CliException("missing option " + names[0]);
        }
        return v;
    }

    public int intOption(String name, int def) {
        String v = option(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new CliException("option " + name + " expects an integer, got '" + v + "'");
        }
    }

    public long longOption(String name, long def) {
        String v = option(name);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new CliException("option " + name + " expects an integer, got '" + v + "'");
        }
    }

    public double doubleOption(String name, double def) {
        String v = option(name);
        if (v == null) {
            return def;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new CliException("option " + name + " expects a number, got '" + v + "'");
        }
    }

    /** Rejects options and flags the command never asked about (typos, unsupported flags). */
    public void finish() {
        for (String k : options.keySet()) {
            if (!used.contains(k)) {
                throw new CliException("unknown option " + k);
            }
        }
        for (String f : flags) {
            if (!used.contains(f) && !f.equals("--verbose")) {
                throw new CliException("unknown flag " + f);
            }
        }
    }
}
