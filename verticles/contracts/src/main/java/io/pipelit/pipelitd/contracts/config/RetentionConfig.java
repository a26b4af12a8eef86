package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;

/**
 * Settings of execution recovery and retention (see {@link ConfigKeys} for each key's meaning).
 *
 * @param zombieThresholdSeconds  age, in seconds, after which a running/pending execution is failed
 * @param recoveryIntervalSeconds seconds between recovery sweeps; 0 = only at start
 * @param maxAgeDays              scheduled prune: finished executions older than this go; 0 = no age rule
 * @param keepPerWorkflow         scheduled prune: finished executions kept per workflow; 0 = no count rule
 * @param scheduleSeconds         seconds between scheduled prunes; 0 = never
 * @param batchSize               rows deleted per write
 */
public record RetentionConfig(long zombieThresholdSeconds, long recoveryIntervalSeconds, long maxAgeDays,
    long keepPerWorkflow, long scheduleSeconds, int batchSize) {

  /** Up to 100 years: more is a typo, and keeps day arithmetic far from overflow. */
  public static final long MAX_AGE_DAYS = 36_500;
  public static final long MAX_KEEP_PER_WORKFLOW = 1_000_000_000;

  /** Reads and validates the settings; a bad value throws {@link ConfigException}. */
  public static RetentionConfig from(JsonObject config) {
    return new RetentionConfig(
        ConfigValues.integer(config, ConfigKeys.ZOMBIE_EXECUTION_THRESHOLD_SECONDS,
            ConfigKeys.DEFAULT_ZOMBIE_EXECUTION_THRESHOLD_SECONDS, 0, 365L * 86_400),
        ConfigValues.integer(config, ConfigKeys.EXECUTION_RECOVERY_INTERVAL_SECONDS,
            ConfigKeys.DEFAULT_EXECUTION_RECOVERY_INTERVAL_SECONDS, 0, 86_400),
        ConfigValues.integer(config, ConfigKeys.RETENTION_MAX_AGE_DAYS, ConfigKeys.DEFAULT_RETENTION_MAX_AGE_DAYS,
            0, MAX_AGE_DAYS),
        ConfigValues.integer(config, ConfigKeys.RETENTION_KEEP_PER_WORKFLOW,
            ConfigKeys.DEFAULT_RETENTION_KEEP_PER_WORKFLOW, 0, MAX_KEEP_PER_WORKFLOW),
        ConfigValues.integer(config, ConfigKeys.RETENTION_SCHEDULE_SECONDS,
            ConfigKeys.DEFAULT_RETENTION_SCHEDULE_SECONDS, 0, 30L * 86_400),
        (int) ConfigValues.integer(config, ConfigKeys.RETENTION_BATCH_SIZE, ConfigKeys.DEFAULT_RETENTION_BATCH_SIZE,
            1, 100_000));
  }
}
