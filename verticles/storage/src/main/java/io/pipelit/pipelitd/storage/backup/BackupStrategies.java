package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the strategy of a database or of a manifest entry. */
public final class BackupStrategies {
  private static final Logger LOG = LoggerFactory.getLogger(BackupStrategies.class);

  private BackupStrategies() {}

  /** The strategy a new backup of this database uses: a SQLite file copy, or pg_dump for PostgreSQL. */
  public static BackupStrategy forSource(DatabaseUrl url, boolean compress) {
    return forSource(url, compress, null, null);
  }

  /**
   * The strategy a new backup of this database uses.
   *
   * @param chosen          {@link BackupFormat#PORTABLE} or {@link BackupFormat#PG_DUMP} when chosen
   *                        explicitly; null for the default: a SQLite file copy for SQLite, and for
   *                        PostgreSQL pg_dump when a pg_dump at least as new as the server is installed,
   *                        else the portable archive (with a warning)
   * @param pipelitdVersion recorded in a portable archive's header
   * @throws BackupException when pg_dump is chosen but cannot back up this server, or a SQLite file copy
   *                         is chosen for PostgreSQL
   */
  public static BackupStrategy forSource(DatabaseUrl url, boolean compress, BackupFormat chosen,
      String pipelitdVersion) {
    if (chosen == BackupFormat.PORTABLE) {
      return new PortableStrategy(pipelitdVersion);
    }
    return switch (url.backend()) {
      case SQLITE -> {
        if (chosen == BackupFormat.PG_DUMP) {
          LOG.debug("pg_dump does not apply to SQLite {}: a file copy is taken", url.describe());
        }
        yield new SqliteFileStrategy(compress);
      }
      case POSTGRESQL -> {
        if (chosen == BackupFormat.SQLITE_FILE) {
          throw new BackupException("a SQLite file copy cannot back up " + url.describe());
        }
        String problem = PgTools.pgDumpProblem(url);
        if (problem == null) {
          yield new PgDumpStrategy();
        }
        if (chosen == BackupFormat.PG_DUMP) {
          throw new BackupException("pg_dump was chosen but cannot back up " + url.describe() + ": " + problem);
        }
        LOG.warn("{}; backing up {} in the portable format instead", problem, url.describe());
        yield new PortableStrategy(pipelitdVersion);
      }
    };
  }

  /** The strategy that reads a file of this format. */
  public static BackupStrategy forFormat(BackupFormat format) {
    return switch (format) {
      case SQLITE_FILE -> new SqliteFileStrategy(true);
      case PG_DUMP -> new PgDumpStrategy();
      case PORTABLE -> new PortableStrategy(null);
    };
  }
}
