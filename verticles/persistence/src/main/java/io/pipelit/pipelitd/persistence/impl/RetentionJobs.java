package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.ScheduledJobs;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.config.RetentionConfig;
import io.pipelit.pipelitd.storage.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background jobs of the execution tables and their on-demand forms: the recovery sweep (at start,
 * then every {@code PIPELITD_EXECUTION_RECOVERY_INTERVAL_SECONDS}), the scheduled prune (every
 * {@code PIPELITD_RETENTION_SCHEDULE_SECONDS} when a rule is configured), the prune requests of the API
 * and the CLI, and the threshold's hot reload from {@link EventAddresses#SETTINGS}.
 */
public final class RetentionJobs {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionJobs.class);
  /** The settings field Pipelit hot-reloads (§3.15). */
  static final String THRESHOLD_FIELD = "zombie_execution_threshold_seconds";

  private final Vertx vertx;
  private final RetentionConfig config;
  private final ExecutionRecovery recovery;
  private final ExecutionPruner pruner;
  private volatile long thresholdSeconds;
  private long recoveryTimer = -1;
  private long pruneTimer = -1;

  public RetentionJobs(Vertx vertx, Database db, StoreEvents events, ExecutionStore executions,
      RetentionConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.recovery = new ExecutionRecovery(db, events, executions);
    this.pruner = new ExecutionPruner(db);
    this.thresholdSeconds = config.zombieThresholdSeconds();
  }

  /** Runs a first recovery sweep now and starts the timers (call on the verticle's context). */
  public void start() {
    recoverNow();
    if (config.recoveryIntervalSeconds() > 0) {
      recoveryTimer = vertx.setPeriodic(config.recoveryIntervalSeconds() * 1000, id -> {
        if (ScheduledJobs.mayRun(vertx)) { // in a cluster, one node sweeps
          recoverNow();
        }
      });
    }
    ExecutionPruner.Rules rules = new ExecutionPruner.Rules(config.maxAgeDays(), config.keepPerWorkflow());
    if (config.scheduleSeconds() > 0 && rules.any()) {
      pruneTimer = vertx.setPeriodic(config.scheduleSeconds() * 1000, id -> scheduledPrune(rules));
    }
  }

  /** Cancels the timers; a sweep or prune in flight finishes (its writes are queued before close). */
  public void stop() {
    vertx.cancelTimer(recoveryTimer);
    vertx.cancelTimer(pruneTimer);
  }

  /** Follows the settings events: a new {@code zombie_execution_threshold_seconds} applies at the next sweep. */
  public MessageConsumer<Object> followSettings() {
    return vertx.eventBus().consumer(EventAddresses.SETTINGS, message -> {
      if (message.body() instanceof JsonObject settings) {
        applySettings(settings);
      }
    });
  }

  /** Takes the threshold of a settings object (as published, or as GET /settings answers it). */
  public void applySettings(JsonObject settings) {
    // The settings object itself, or wrapped as GET /settings answers it ({"config": {...}}).
    Object value = settings.containsKey(THRESHOLD_FIELD) ? settings.getValue(THRESHOLD_FIELD)
        : settings.getJsonObject("config", new JsonObject()).getValue(THRESHOLD_FIELD);
    if (value == null) {
      return;
    }
    if (value instanceof Number number && number.longValue() >= 0 && number.doubleValue() == number.longValue()) {
      if (number.longValue() != thresholdSeconds) {
        LOG.info("zombie execution threshold changed from {} s to {} s", thresholdSeconds, number.longValue());
        thresholdSeconds = number.longValue();
      }
    } else {
      LOG.warn("ignoring settings: {} must be a whole number >= 0 (got {})", THRESHOLD_FIELD, value);
    }
  }


  /** One sweep now; answers {@code {"recovered": n}}. Failures are logged and answered, never thrown. */
  public Future<JsonObject> recoverNow() {
    long threshold = thresholdSeconds;
    return recovery.sweep(threshold)
        .onSuccess(count -> {
          if (count > 0) {
            LOG.warn("recovered {} stuck execution(s) as failed (zombie threshold {} s)", count, threshold);
          }
        })
        .onFailure(e -> LOG.warn("execution recovery sweep failed: {}", e.toString()))
        .map(count -> new JsonObject().put("recovered", count));
  }

  private void scheduledPrune(ExecutionPruner.Rules rules) {
    if (!ScheduledJobs.mayRun(vertx)) {
      return; // another cluster node runs the scheduled jobs
    }
    pruner.prune(rules, false, false, config.batchSize(), progress -> { })
        .onSuccess(report -> LOG.info("scheduled prune: {}", report.encode()))
        .onFailure(e -> LOG.warn("scheduled prune did not run: {}", e.getMessage()));
  }

  /** {@code POST /api/v1/maintenance/prune}: administrators only. */
  public Future<JsonObject> prune(Identity identity, JsonObject request) {
    if (!identity.isAdmin()) {
      throw new StoreException(ErrorCode.FORBIDDEN, "Only administrators can prune executions.");
    }
    return pruneTrusted(request);
  }

  /**
   * A prune as asked in {@code request.body}: {@code dry_run}, {@code older_than_days},
   * {@code keep_per_workflow} (each absent = the configured rule), {@code vacuum}, and
   * {@code progress_address}, a local address that receives the progress after each batch.
   */
  public Future<JsonObject> pruneTrusted(JsonObject request) {
    JsonObject body = RequestFields.body(request);
    boolean dryRun = RequestFields.optionalBool(body, "dry_run", false);
    boolean vacuum = RequestFields.optionalBool(body, "vacuum", false);
    long days = RequestFields.optionalLong(body, "older_than_days", 0, RetentionConfig.MAX_AGE_DAYS,
        config.maxAgeDays());
    long keep = RequestFields.optionalLong(body, "keep_per_workflow", 0, RetentionConfig.MAX_KEEP_PER_WORKFLOW,
        config.keepPerWorkflow());
    String progressAddress = RequestFields.optionalString(body, "progress_address", 200, null);
    ExecutionPruner.Rules rules = new ExecutionPruner.Rules(days, keep);
    return pruner.prune(rules, dryRun, vacuum, config.batchSize(), progress -> {
      if (progressAddress != null) {
        vertx.eventBus().send(progressAddress, progress);
      }
    }).onSuccess(report -> {
      if (!dryRun) {
        LOG.info("prune: {}", report.encode());
      }
    });
  }
}
