package io.pipelit.pipelitd.launcher;

import picocli.CommandLine.Command;

/**
 * {@code pipelitd db ...}: the schema of the main database (Flyway underneath) and, where it makes
 * sense, of the checkpoint database. Each subcommand extends {@link DbSubcommand}, which gives it the
 * configuration, the database URL, {@code --json} and the exit-code mapping; a new subcommand (adopt,
 * rollback, ...) is one class added to the list below.
 */
@Command(name = "db", synopsisSubcommandLabel = "COMMAND", exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE,
    subcommands = {DbMigrationCommands.Migrate.class, DbMigrationCommands.Info.class,
        DbMigrationCommands.Validate.class, DbMigrationCommands.Repair.class, DbMigrationCommands.Baseline.class,
        DbMigrationCommands.Current.class, DbMigrationCommands.History.class, DbCheckCommand.class,
        DbRollbackCommand.class, DbAdoptCommand.class},
    description = {"Database schema: migrations (Flyway), their history, the migration-set check, the",
        "restore-based rollback to the snapshot taken before the last migration, and the adoption of a",
        "database made by Pipelit.",
        "Readable tables by default, one JSON document on stdout with --json."})
final class DbCommand extends CommandGroup {
}
