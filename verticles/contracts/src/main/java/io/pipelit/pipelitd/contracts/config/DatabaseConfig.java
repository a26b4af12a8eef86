package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of the main database: the SQLite writer and read pool, or the PostgreSQL pool.
 *
 * @param url                  the raw {@code DATABASE_URL} (may hold a password: never log it as is)
 * @param writeQueueCapacity   SQLite: queued writes before OVERLOADED
 * @param writeBatchSize       SQLite: writes grouped per transaction
 * @param readPoolSize         SQLite: read-only connections
 * @param sqliteSynchronous    SQLite: FULL, NORMAL, OFF or EXTRA
 * @param sqliteBusyTimeoutMs  SQLite: lock wait, milliseconds
 * @param pgPoolSize           PostgreSQL: connections and worker threads
 * @param pgStatementTimeoutMs PostgreSQL: {@code statement_timeout} in milliseconds, 0 for none
 * @param pgConnectTimeoutMs   PostgreSQL: connect timeout in milliseconds
 * @param pgMaxRetries         PostgreSQL: re-runs after a serialization failure or deadlock
 * @param migrateOnStart       apply pending migrations at start
 */
public record DatabaseConfig(
    String url,
    int writeQueueCapacity,
    int writeBatchSize,
    int readPoolSize,
    String sqliteSynchronous,
    int sqliteBusyTimeoutMs,
    int pgPoolSize,
    int pgStatementTimeoutMs,
    int pgConnectTimeoutMs,
    int pgMaxRetries,
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
        (int) ConfigValues.integer(config, ConfigKeys.PG_POOL_SIZE,
            ConfigKeys.DEFAULT_PG_POOL_SIZE, 1, 256),
        // Up to one day: longer statements belong in a maintenance job, not in a request.
        (int) ConfigValues.integer(config, ConfigKeys.PG_STATEMENT_TIMEOUT_MS,
            ConfigKeys.DEFAULT_PG_STATEMENT_TIMEOUT_MS, 0, 86_400_000),
        // At least 1 ms (rounded up to 1 s): the driver reads 0 as "wait forever".
        (int) ConfigValues.integer(config, ConfigKeys.PG_CONNECT_TIMEOUT_MS,
            ConfigKeys.DEFAULT_PG_CONNECT_TIMEOUT_MS, 1, 600_000),
        (int) ConfigValues.integer(config, ConfigKeys.PG_MAX_RETRIES,
            ConfigKeys.DEFAULT_PG_MAX_RETRIES, 0, 100),
        ConfigValues.bool(config, ConfigKeys.MIGRATE_ON_START, ConfigKeys.DEFAULT_MIGRATE_ON_START));
  }

  /** Every setting at its documented default, for {@code url}: for tests and tools without a launcher. */
  public static DatabaseConfig defaults(String url) {
    return from(new JsonObject().put(ConfigKeys.DATABASE_URL, url));
  }
}
