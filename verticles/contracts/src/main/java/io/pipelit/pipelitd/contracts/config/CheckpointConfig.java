package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;

/**
 * Settings of the checkpoint store (LangGraph conversation memory). The SQLite writer and read pool,
 * and the PostgreSQL pool, reuse the main database's tuning keys ({@link DatabaseConfig}).
 *
 * @param url                  the raw {@code CHECKPOINTS_DATABASE_URL} (may hold a password: never log it)
 * @param maxBytes             largest checkpoint (or batch of writes) accepted, bytes; larger gets 413
 * @param pruneScheduleSeconds seconds between scheduled prunes; 0 when off
 * @param keepLast             scheduled prune: checkpoints kept per thread and namespace; 0 = no count rule
 * @param maxAgeSeconds        scheduled prune: age beyond which checkpoints may go; 0 = no age rule
 */
public record CheckpointConfig(String url, long maxBytes, long pruneScheduleSeconds, long keepLast,
    long maxAgeSeconds) {

  /** Reads and validates the checkpoint settings; a bad value throws {@link ConfigException}. */
  public static CheckpointConfig from(JsonObject config) {
    CheckpointConfig result = new CheckpointConfig(
        ConfigValues.string(config, ConfigKeys.CHECKPOINTS_DATABASE_URL,
            ConfigKeys.DEFAULT_CHECKPOINTS_DATABASE_URL),
        // At least 1 KiB; at most 1 GiB, SQLite's default maximum BLOB size.
        ConfigValues.integer(config, ConfigKeys.CHECKPOINTS_MAX_BYTES, ConfigKeys.DEFAULT_CHECKPOINTS_MAX_BYTES,
            1_024, 1_000_000_000L),
        // Up to 30 days between prunes.
        ConfigValues.integer(config, ConfigKeys.CHECKPOINTS_PRUNE_SCHEDULE_SECONDS,
            ConfigKeys.DEFAULT_CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, 0, 30L * 86_400),
        ConfigValues.integer(config, ConfigKeys.CHECKPOINTS_KEEP_LAST, ConfigKeys.DEFAULT_CHECKPOINTS_KEEP_LAST,
            0, 1_000_000),
        ConfigValues.integer(config, ConfigKeys.CHECKPOINTS_MAX_AGE_SECONDS,
            ConfigKeys.DEFAULT_CHECKPOINTS_MAX_AGE_SECONDS, 0, 100L * 365 * 86_400));
    if (result.pruneScheduleSeconds > 0 && result.keepLast == 0 && result.maxAgeSeconds == 0) {
      throw new ConfigException(ConfigKeys.CHECKPOINTS_PRUNE_SCHEDULE_SECONDS,
          "needs " + ConfigKeys.CHECKPOINTS_KEEP_LAST + " or " + ConfigKeys.CHECKPOINTS_MAX_AGE_SECONDS
              + " (a prune without a rule would delete nothing)");
    }
    return result;
  }
}
