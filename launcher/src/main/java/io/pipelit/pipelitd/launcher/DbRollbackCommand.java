package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.storage.backup.BackupCatalog;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd db rollback}: restores the snapshot taken automatically before the last migration.
 * Restore-based: every change written since that snapshot is lost (the replaced file is kept as
 * {@code *.pre-restore}), and the daemon must be the version that matches the snapshot's schema.
 */
@Command(name = "rollback", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {"Restore the snapshot taken before the last migration (restore-based: later writes are lost).",
        "Stop the daemon first, and start the pipelitd version that matches the snapshot's schema afterwards."})
final class DbRollbackCommand implements Callable<Integer> {
  @ParentCommand
  DbCommand parent;

  @Option(names = "--allow-other-key",
      description = "Restore even when the snapshot was taken with another FIELD_ENCRYPTION_KEY.")
  boolean allowOtherKey;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() throws Exception {
    LaunchContext context = parent.main.context;
    BackupCommands.Setup setup = BackupCommands.load(parent.main);
    JsonObject snapshot = BackupCatalog.newestVerified(setup.backups().dir(), BackupManifest.KIND_PRE_MIGRATION);
    if (snapshot == null) {
      Failures.report(context.err(), "no snapshot taken before a migration in " + setup.backups().dir()
          + "; nothing to roll back to", null, false);
      return ExitCodes.FAILURE;
    }
    context.err().println("rolling back to " + snapshot.getString("name") + " (schema version "
        + snapshot.getString("schema_version") + ", taken " + snapshot.getString("created_at") + ")");
    return BackupCommands.restore(parent.main, snapshot.getString("name"), false, allowOtherKey);
  }
}
