package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot taken before Flyway applies pending migrations to an existing database: an ordinary
 * verified backup of kind {@code pre-migration} in the backup folder, which {@code db rollback} restores
 * (the newest one). Retention leaves these alone.
 */
public final class PreMigrationSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(PreMigrationSnapshot.class);

  private PreMigrationSnapshot() {}

  /**
   * Takes the snapshot when the database already has tables. A failure stops the caller (migrating
   * without the promised snapshot would be worse than not starting). PostgreSQL without a usable
   * pg_dump: a warning, and the snapshot is taken in the portable format ({@link BackupStrategies}).
   *
   * @return the snapshot's manifest, or null when none was taken (empty database)
   */
  public static JsonObject takeIfNeeded(DatabaseUrl url, Path backupDir, String pipelitdVersion,
      String keyFingerprint, int pendingMigrations) throws IOException, SQLException {
    if (!hasTables(url)) {
      return null;
    }
    if (url.backend() == DatabaseUrl.Backend.POSTGRESQL) {
      String problem = PgTools.pgDumpProblem(url);
      if (problem != null) {
        LOG.warn("{}: the snapshot before applying {} migration(s) to {} is taken in the portable format",
            problem, pendingMigrations, url.describe());
      }
    }
    LOG.info("taking a snapshot of {} into {} before applying {} migration(s)", url.describe(), backupDir,
        pendingMigrations);
    JsonObject manifest = BackupTaker.take(BackupTaker.Request.of(url, null, backupDir,
        BackupManifest.KIND_PRE_MIGRATION, true, pipelitdVersion, keyFingerprint));
    if (!BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))) {
      throw new BackupException("the snapshot before migrating failed (" + manifest.getString("error")
          + "); nothing was migrated. Fix the cause (BACKUP_DIR writable, disk space) and start again");
    }
    LOG.info("snapshot {} taken; `pipelitd db rollback` restores it", manifest.getString("name"));
    return manifest;
  }

  /** True when the database has at least one table of its own. */
  static boolean hasTables(DatabaseUrl url) throws SQLException {
    String sql = url.backend() == DatabaseUrl.Backend.SQLITE
        ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
        : "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    try (Connection connection = url.backend() == DatabaseUrl.Backend.SQLITE
        ? SqliteSnapshot.open(url.sqlitePath(), true) : PgTools.connect(url);
         Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1) > 0;
    }
  }
}
