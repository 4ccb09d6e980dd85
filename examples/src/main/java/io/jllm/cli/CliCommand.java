package io.jllm.cli;

import java.io.PrintStream;

/**
 * One sub-command of the {@code llm} tool. Implementations are found by name:
 * {@code llm foo} runs {@code io.jllm.cli.FooCommand}, so adding a command is adding a class.
 */
public interface CliCommand {
    /** One line: the synopsis shown by {@code llm --help}. */
    String usage();

    /**
     * Runs the command. Throw {@link CliException} (or any exception) for bad input; the
     * launcher prints its message as the last stderr line and exits with status 1.
     *
     * @return the process exit status (0 on success)
     */
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
