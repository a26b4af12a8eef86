package io.pipelit.pipelitd.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd restore BACKUP [--checkpoints] [--to URL]}: refuses while a daemon serves the database,
 * checks the backup (status, SHA-256, integrity, row counts; key fingerprint) before touching anything,
 * keeps a replaced SQLite file as {@code *.pre-restore}, and replaces a PostgreSQL schema in one
 * transaction (see PgDumpStrategy and PortableStrategy). {@code --to} restores the main database
 * elsewhere, e.g. a portable PostgreSQL backup into a SQLite file.
 */
@Command(name = "restore", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {"Restore a backup (a name from `pipelitd backup list`) into the configured database.",
        "Stop the daemon first. The replaced SQLite file is kept as <file>.pre-restore."})
final class RestoreCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Parameters(index = "0", paramLabel = "BACKUP", description = "The backup's name (a folder of BACKUP_DIR).")
  String name;

  @Option(names = "--checkpoints", description = "Also restore the checkpoint database from the backup.")
  boolean checkpoints;

  @Option(names = "--allow-other-key",
      description = "Restore even when the backup was taken with another FIELD_ENCRYPTION_KEY.")
  boolean allowOtherKey;

  @Option(names = "--to", paramLabel = "DATABASE_URL",
      description = {"Restore the main database into this database instead of DATABASE_URL (sqlite:///... or",
          "postgresql://...): a portable backup restores into either backend."})
  String to;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    return BackupCommands.restore(main, name, checkpoints, allowOtherKey, to);
  }
}
