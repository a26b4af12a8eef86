package io.pipelit.pipelitd.launcher;

import picocli.CommandLine.Command;

/** {@code pipelitd db ...}: database maintenance (the migration commands join this group at merge). */
@Command(name = "db", synopsisSubcommandLabel = "COMMAND", exitCodeOnInvalidInput = ExitCodes.USAGE,
    subcommands = {DbRollbackCommand.class},
    description = "Database maintenance.")
final class DbCommand extends CommandGroup {
}
