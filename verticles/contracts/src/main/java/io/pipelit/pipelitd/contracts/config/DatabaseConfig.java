package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of the main database and its SQLite writer.
 *
 * @param url                 the raw {@code DATABASE_URL} (may hold a password: never log it as is)
 * @param writeQueueCapacity  queued writes before OVERLOADED
 * @param writeBatchSize      writes grouped per transaction
 * @param readPoolSize        read-only connections
 * @param sqliteSynchronous   FULL, NORMAL or OFF
 * @param sqliteBusyTimeoutMs lock wait, milliseconds
 * @param migrateOnStart      apply pending migrations at start
 */
public record DatabaseConfig(
    String url,
    int writeQueueCapacity,
    int writeBatchSize,
    int readPoolSize,
    String sqliteSynchronous,
    int sqliteBusyTimeoutMs,
    boolean migrateOnStart) {

  private static final Set<String> SYNCHRONOUS_MODES = Set.of("FULL", "NORMAL", "OFF", "EXTRA");

  /** Reads and validates the database settings; a bad value throws {@link ConfigException}. */
  public static DatabaseConfig from(JsonObject config) {
    String synchronous = ConfigValues.string(config, ConfigKeys.SQLITE_SYNCHRONOUS,
        ConfigKeys.DEFAULT_SQLITE_SYNCHRONOUS).toUpperCase(Locale.ROOT);
    if (!SYNCHRONOUS_MODES.contains(synchronous)) {
      throw new ConfigException(ConfigKeys.SQLITE_SYNCHRONOUS,
          "must be one of FULL, NORMAL, OFF, EXTRA (got '" + synchronous + "')");
    }
    return new DatabaseConfig(
        ConfigValues.string(config, ConfigKeys.DATABASE_URL, ConfigKeys.DEFAULT_DATABASE_URL),
        (int) ConfigValues.integer(config, ConfigKeys.WRITE_QUEUE_CAPACITY,
            ConfigKeys.DEFAULT_WRITE_QUEUE_CAPACITY, 1, 10_000_000),
        (int) ConfigValues.integer(config, ConfigKeys.WRITE_BATCH_SIZE,
            ConfigKeys.DEFAULT_WRITE_BATCH_SIZE, 1, 100_000),
        (int) ConfigValues.integer(config, ConfigKeys.READ_POOL_SIZE,
            ConfigKeys.DEFAULT_READ_POOL_SIZE, 1, 256),
        synchronous,
        (int) ConfigValues.integer(config, ConfigKeys.SQLITE_BUSY_TIMEOUT_MS,
            ConfigKeys.DEFAULT_SQLITE_BUSY_TIMEOUT_MS, 0, 3_600_000),
        ConfigValues.bool(config, ConfigKeys.MIGRATE_ON_START, ConfigKeys.DEFAULT_MIGRATE_ON_START));
  }
}
