package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.BackupConfig;
import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.backup.BackupException;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.pipelit.pipelitd.storage.backup.BackupRestorer;
import io.pipelit.pipelitd.storage.backup.PgTools;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What {@code backup}, {@code restore} and {@code db rollback} share: configuration, the daemon check, restore. */
final class BackupCommands {
  private BackupCommands() {}

  /** The configuration a backup command needs. */
  record Setup(PipelitdConfig config, BackupConfig backups, DatabaseUrl main, DatabaseUrl checkpoints,
      String keyFingerprint) {}

  static Setup load(Main main) {
    PipelitdConfig config = main.loadConfig(new JsonObject());
    Object key = config.json().getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
    return new Setup(config, BackupConfig.from(config.json()), config.databaseUrl(),
        DatabaseUrl.parse(CheckpointConfig.from(config.json()).url(), config.workingDir()),
        BackupManifest.keyFingerprint(key == null ? null : key.toString()));
  }

  /** Progress lines on stderr, with the seconds since the command began (stdout stays machine-readable). */
  static Consumer<String> progress(PrintStream err) {
    long start = System.nanoTime();
    return line -> {
      err.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, line);
      err.flush();
    };
  }

  /**
   * Refuses (exit 1) while a daemon serves one of the databases: for SQLite files its instance guard is
   * held; for PostgreSQL a session named "pipelitd" is connected. Returns the guard to hold meanwhile.
   */
  static InstanceGuard refuseWhileServed(List<DatabaseUrl> targets) {
    List<DatabaseUrl> files = new ArrayList<>();
    for (DatabaseUrl url : targets) {
      if (url.backend() == DatabaseUrl.Backend.SQLITE) {
        files.add(url);
      } else if (daemonConnected(url)) {
        throw new Failures.UserFacingException("a pipelitd daemon is connected to " + url.describe()
            + "; stop it before restoring (a restore under a running daemon would mix old and new data)",
            ExitCodes.FAILURE, null);
      }
    }
    try {
      return InstanceGuard.acquireAll(files);
    } catch (Failures.UserFacingException e) {
      throw new Failures.UserFacingException("refusing to restore: " + e.getMessage(), ExitCodes.FAILURE, e);
    }
  }

  private static boolean daemonConnected(DatabaseUrl url) {
    // The daemon's sessions carry the URL's application_name, "pipelitd" by default.
    String name = url.options() == null ? null : url.options().get("application_name");
    try (Connection connection = PgTools.connect(url); java.sql.PreparedStatement statement = connection.prepareStatement(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?"
            + " AND pid <> pg_backend_pid()")) {
      statement.setString(1, name == null ? "pipelitd" : name);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1) > 0;
      }
    } catch (java.sql.SQLException e) {
      throw new Failures.UserFacingException("cannot reach " + url.describe() + ": " + e.getMessage(),
          ExitCodes.FAILURE, e);
    }
  }

  /** Restores a backup by name, printing each step; returns the exit code. */
  static int restore(Main main, String name, boolean withCheckpoints, boolean allowOtherKey) {
    return restore(main, name, withCheckpoints, allowOtherKey, null);
  }

  /**
   * Restores backup {@code name}; into {@code toUrl} instead of the configured main database when given
   * (e.g. a portable PostgreSQL backup into a SQLite file).
   */
  static int restore(Main main, String name, boolean withCheckpoints, boolean allowOtherKey, String toUrl) {
    LaunchContext context = main.context;
    Setup configured = load(main);
    Setup setup = configured;
    if (toUrl != null) {
      if (withCheckpoints) {
        Failures.report(context.err(), "--to restores the main database only; leave out --checkpoints", null, false);
        return ExitCodes.USAGE;
      }
      DatabaseUrl target;
      try {
        target = DatabaseUrl.parse(toUrl, configured.config().workingDir());
      } catch (IllegalArgumentException e) {
        Failures.report(context.err(), "--to: " + e.getMessage(), null, false);
        return ExitCodes.USAGE;
      }
      setup = new Setup(configured.config(), configured.backups(), target, configured.checkpoints(),
          configured.keyFingerprint());
    }
    List<DatabaseUrl> targets = new ArrayList<>(List.of(setup.main()));
    if (withCheckpoints) {
      targets.add(setup.checkpoints());
    }
    try (InstanceGuard guard = refuseWhileServed(targets)) {
      Consumer<String> progress = progress(context.err());
      JsonObject manifest = BackupRestorer.restore(new BackupRestorer.Request(setup.backups().dir(), name,
          setup.main(), setup.checkpoints(), withCheckpoints, setup.keyFingerprint(), allowOtherKey), progress);
      context.out().println("restored backup " + manifest.getString("name") + " (taken " + manifest.getString("created_at")
          + ", schema version " + manifest.getString("schema_version") + ") into " + setup.main().describe()
          + (withCheckpoints ? " and the checkpoint database" : "")
          + (setup.main().backend() == DatabaseUrl.Backend.SQLITE
              ? "; the replaced file is kept as " + setup.main().sqlitePath() + ".pre-restore" : ""));
      context.out().flush();
      return ExitCodes.OK;
    } catch (IllegalArgumentException | BackupException e) {
      Failures.report(context.err(), "restore refused: " + e.getMessage(), e, Failures.debug(context.env()));
      return e instanceof IllegalArgumentException ? ExitCodes.USAGE : ExitCodes.FAILURE;
    } catch (Failures.UserFacingException e) {
      throw e;
    } catch (Exception e) {
      Failures.report(context.err(), "restore failed: " + Failures.message(e), e, Failures.debug(context.env()));
      return ExitCodes.FAILURE;
    }
  }

  /** The backup folder, for messages. */
  static Path dir(Setup setup) {
    return setup.backups().dir();
  }
}
