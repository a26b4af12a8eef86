package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;

/** Picks the strategy of a database or of a manifest entry. */
public final class BackupStrategies {
  private BackupStrategies() {}

  /** The strategy a new backup of this database uses: a SQLite file copy, or pg_dump for PostgreSQL. */
  public static BackupStrategy forSource(DatabaseUrl url, boolean compress) {
    return switch (url.backend()) {
      case SQLITE -> new SqliteFileStrategy(compress);
      case POSTGRESQL -> new PgDumpStrategy();
    };
  }

  /** The strategy that reads a file of this format. */
  public static BackupStrategy forFormat(BackupFormat format) {
    return switch (format) {
      case SQLITE_FILE -> new SqliteFileStrategy(true);
      case PG_DUMP -> new PgDumpStrategy();
      // The portable archive library is merged separately; until then a portable entry cannot be read.
      case PORTABLE -> throw new BackupException("this pipelitd cannot read the portable backup format yet");
    };
  }
}
