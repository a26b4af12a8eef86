package io.pipelit.pipelitd.storage.backup;

/**
 * How one database of a backup is stored. The manifest records it per file (field {@code format}).
 *
 * <ul>
 *   <li>{@link #SQLITE_FILE}: a consistent copy of a SQLite file ({@code VACUUM INTO}), optionally gzip;</li>
 *   <li>{@link #PG_DUMP}: {@code pg_dump --format=custom}, restored with {@code pg_restore --clean};</li>
 *   <li>{@link #PORTABLE}: the built-in logical archive that needs no external tool and restores into
 *       either backend ({@code io.pipelit.pipelitd.storage.transfer.PortableArchive}); PostgreSQL
 *       backups use it when no usable pg_dump is installed or when it is chosen.</li>
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

  /**
   * The format chosen for a main database's backups by a {@code BACKUP_PG_FORMAT} value or a
   * {@code --format} option: null for {@code auto} (or no value), else pg_dump or portable.
   */
  public static BackupFormat chosen(String value) {
    if (value == null || value.isBlank() || "auto".equalsIgnoreCase(value.trim())) {
      return null;
    }
    BackupFormat format = fromId(value.trim().toLowerCase(java.util.Locale.ROOT));
    if (format == SQLITE_FILE) {
      throw new IllegalArgumentException("choose auto, pg_dump or portable, not " + value);
    }
    return format;
  }
}
