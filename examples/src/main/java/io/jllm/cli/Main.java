package io.jllm.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Entry point of the {@code llm} tool. {@code llm NAME ...} runs {@code io.jllm.cli.NameCommand};
 * {@code llm} alone runs the demo. Errors end as one clear last line on stderr and exit 1;
 * {@code --verbose} adds the stack trace.
 */
public final class Main {
    /** The commands of the CLI contract, in the order {@code --help} lists them. */
    static final List<String> COMMANDS = List.of(
            "inspect", "tensor", "tokenize", "generate", "logits", "quantize", "synth", "bench", "perplexity");

    private Main() {}

    public static void main(String[] argv) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        int status = run(Arrays.asList(argv), out, err);
        out.flush();
        System.exit(status);
    }

    /** Runs the tool in-process (used by tests); returns the exit status. */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        boolean verbose = argv.contains("--verbose");
        try {
            if (argv.isEmpty() || (argv.size() == 1 && argv.get(0).equals("--verbose"))) {
                return command("demo").run(Args.parse(List.of(), Set.of()), out, err);
            }
            String name = argv.get(0);
            if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
                help(out);
                return 0;
            }
            CliCommand cmd = command(name);
            List<String> rest = new ArrayList<>(argv.subList(1, argv.size()));
            if (rest.contains("--help") || rest.contains("-h")) {
                out.println("usage: " + cmd.usage());
                return 0;
            }
            return cmd.run(Args.parse(rest, valuedOptions(cmd)), out, err);
        } catch (Throwable t) {
            if (verbose) {
                t.printStackTrace(err);
            }
            err.println("llm: error: " + message(t));
            err.flush();
            return 1;
        }
    }

    private static Set<String> valuedOptions(CliCommand cmd) {
        return cmd instanceof ValuedOptions v ? v.valuedOptions() : Set.of();
    }

    /** Commands that take options with values list them here (e.g. "-m", "--top"). */
    public interface ValuedOptions {
        Set<String> valuedOptions();
    }

    static String message(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "out of memory: " + t.getMessage();
        }
        if (t instanceof java.nio.file.FileSystemException fse) {
            String what = switch (t) {
                case java.nio.file.NoSuchFileException e -> "no such file";
                case java.nio.file.AccessDeniedException e -> "permission denied";
                case java.nio.file.NotDirectoryException e -> "not a directory";
                case java.nio.file.FileAlreadyExistsException e -> "file already exists";
                default -> fse.getReason() == null ? "cannot access file" : fse.getReason();
            };
            String reason = fse.getReason();
            return what + ": " + fse.getFile() + (fse.getOtherFile() == null ? "" : " -> " + fse.getOtherFile())
                    + (reason == null || reason.equals(what) ? "" : " (" + reason + ")");
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        } else if (!(t instanceof CliException) && t.getCause() == null
                && !(t instanceof java.io.IOException) && !(t instanceof IllegalArgumentException)
                && !(t instanceof IllegalStateException)) {
            m = t.getClass().getSimpleName() + ": " + m;
        }
        return m.replace('\n', ' ');
    }

    static CliCommand command(String name) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new CliException("unknown command '" + name + "' (see llm --help)");
        }
        StringBuilder cls = new StringBuilder("io.jllm.cli.");
        for (String part : name.split("-")) {
            cls.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        cls.append("Command");
        try {
            return (CliCommand) Class.forName(cls.toString()).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            if (COMMANDS.contains(name)) {
                throw new CliException("command '" + name + "' is not available in this build yet");
            }
            throw new CliException("unknown command '" + name + "' (see llm --help)");
        } catch (InvocationTargetException | InstantiationException | IllegalAccessException
                | NoSuchMethodException e) {
            throw new IllegalStateException("cannot create command " + name, e);
        }
    }

    static void help(PrintStream out) {
        out.println("llm - run GGUF language models on the CPU (jllm)");
        out.println();
        out.println("usage: llm                      stream a continuation from the bundled demo model");
        out.println("       llm COMMAND [ARGS...]    (llm COMMAND --help for one command)");
        out.println();
        for (String name : COMMANDS) {
            String usage;
            try {
                usage = command(name).usage();
            } catch (CliException e) {
                usage = "llm " + name + "   (not available in this build yet)";
            }
            out.println("  " + usage);
        }
        out.println();
        out.println("Every command exits 1 on bad input with one clear message as the last stderr line;");
        out.println("add --verbose for a stack trace. --json prints exactly one JSON document on stdout.");
        out.println(String.format(Locale.ROOT, "JVM: %s %s", System.getProperty("java.vm.name"),
                System.getProperty("java.version")));
    }
}
