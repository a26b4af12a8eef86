package io.pipelit.pipelitd.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command made only of subcommands ({@code users}, {@code keys}, {@code checkpoints}): run alone, it is
 * a usage error (exit 2) naming its subcommands. Subcommands reach the launcher through {@link #main}.
 */
abstract class CommandGroup implements Callable<Integer> {

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "Missing required command (" + String.join(", ", spec.subcommands().keySet()) + ")");
  }
}
