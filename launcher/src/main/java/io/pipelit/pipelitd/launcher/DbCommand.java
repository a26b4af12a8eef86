package io.pipelit.pipelitd.launcher;

import picocli.CommandLine.Command;

/**
 * {@code pipelitd db ...}: database operations. Here only {@code adopt}; the migration commands join this
 * group when the branches are merged.
 */
@Command(name = "db", synopsisSubcommandLabel = "COMMAND", exitCodeOnInvalidInput = ExitCodes.USAGE,
    subcommands = DbAdoptCommand.class,
    description = "Database operations.")
final class DbCommand extends CommandGroup {
}
