package io.pipelit.pipelitd.storage.backup;

/**
 * How one database of a backup is stored. The manifest records it per file (field {@code format}).
 *
 * <ul>
 *   <li>{@link #SQLITE_FILE}: a consistent copy of a SQLite file ({@code VACUUM INTO}), optionally gzip;</li>
 *   <li>{@link #PG_DUMP}: {@code pg_dump --format=custom}, restored with {@code pg_restore --clean};</li>
 *   <li>{@link #PORTABLE}: the built-in logical archive that needs no external tool and restores into
 *       either backend. Its library lands separately; {@link BackupStrategies} refuses it until then.</li>
 * </ul>
 */
public enum BackupFormat {
  SQLITE_FILE("sqlite_file"),
  PG_DUMP("pg_dump"),
  PORTABLE("portable");

  private final String id;

  BackupFormat(String id) {
    this.id = id;
  }

  /** The manifest spelling. */
  public String id() {
    return id;
  }

  /** The format of a manifest spelling; IllegalArgumentException for an unknown one. */
  public static BackupFormat fromId(String id) {
    for (BackupFormat format : values()) {
      if (format.id.equals(id)) {
        return format;
      }
    }
    throw new IllegalArgumentException("unknown backup format '" + id + "'");
  }
}
