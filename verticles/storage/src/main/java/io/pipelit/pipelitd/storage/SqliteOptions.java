package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link SqliteDatabase} opens a SQLite file.
 *
 * @param file               the database file; its parent directories are created on open
 * @param writeQueueCapacity writes that may wait for the writer; one more fails with OVERLOADED
 *                           (default {@value ConfigKeys#DEFAULT_WRITE_QUEUE_CAPACITY})
 * @param writeBatchSize     most writes grouped into one transaction (default
 *                           {@value ConfigKeys#DEFAULT_WRITE_BATCH_SIZE})
 * @param readPoolSize       read-only connections, and threads using them (default
 *                           {@value ConfigKeys#DEFAULT_READ_POOL_SIZE})
 * @param synchronous        {@code PRAGMA synchronous}: FULL (default), NORMAL, OFF or EXTRA
 * @param busyTimeoutMs      how long a connection waits for a lock held by another process, in
 *                           milliseconds (default {@value ConfigKeys#DEFAULT_SQLITE_BUSY_TIMEOUT_MS})
 */
public record SqliteOptions(
    Path file,
    int writeQueueCapacity,
    int writeBatchSize,
    int readPoolSize,
    String synchronous,
    int busyTimeoutMs) {

  private static final Set<String> SYNCHRONOUS_MODES = Set.of("FULL", "NORMAL", "OFF", "EXTRA");

  public SqliteOptions {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(synchronous, "synchronous");
    synchronous = synchronous.toUpperCase(Locale.ROOT);
    if (!SYNCHRONOUS_MODES.contains(synchronous)) {
      throw new IllegalArgumentException("synchronous must be one of FULL, NORMAL, OFF, EXTRA");
    }
    if (writeQueueCapacity < 1 || writeBatchSize < 1 || readPoolSize < 1 || busyTimeoutMs < 0) {
      throw new IllegalArgumentException(
          "writeQueueCapacity, writeBatchSize and readPoolSize must be at least 1, busyTimeoutMs at least 0");
    }
  }

  /** The settings of {@code cfg} for {@code file} (the URL in {@code cfg} is not read here). */
  public static SqliteOptions from(Path file, DatabaseConfig cfg) {
    return new SqliteOptions(file, cfg.writeQueueCapacity(), cfg.writeBatchSize(), cfg.readPoolSize(),
        cfg.sqliteSynchronous(), cfg.sqliteBusyTimeoutMs());
  }

  /** The documented defaults of {@link ConfigKeys} for {@code file}. */
  public static SqliteOptions defaults(Path file) {
    return new SqliteOptions(file, ConfigKeys.DEFAULT_WRITE_QUEUE_CAPACITY, ConfigKeys.DEFAULT_WRITE_BATCH_SIZE,
        ConfigKeys.DEFAULT_READ_POOL_SIZE, ConfigKeys.DEFAULT_SQLITE_SYNCHRONOUS,
        ConfigKeys.DEFAULT_SQLITE_BUSY_TIMEOUT_MS);
  }
}
