package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Execution recovery on both backends: executions left running or pending by a crashed engine are failed
 * once older than the zombie threshold, at start and periodically; fresh, interrupted and finished ones
 * are left alone; the threshold hot-reloads from the settings events. Each test runs its own daemon, as
 * the threshold and the sweep interval are part of its configuration.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ExecutionRecoveryTest {
  @Parameter
  Backend backend;

  private Daemon daemon;

  private Daemon start(long thresholdSeconds, long intervalSeconds) throws Exception {
    daemon = Daemon.start(backend, Files.createTempDirectory("pipelitd-recovery-"), new JsonObject()
        .put(ConfigKeys.ZOMBIE_EXECUTION_THRESHOLD_SECONDS, thresholdSeconds)
        .put(ConfigKeys.EXECUTION_RECOVERY_INTERVAL_SECONDS, intervalSeconds));
    return daemon;
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private int sweep() {
    return Daemon.await(daemon.vertx.eventBus().<JsonObject>request(StoreAddresses.MAINTENANCE_RECOVER_CLI,
        new JsonObject())).body().getInteger("recovered");
  }

  @Test
  void stuckRunningAndPendingExecutionsAreFailedAndOthersAreLeftAlone() throws Exception {
    start(3600, 0); // one hour; no periodic sweep: the test sweeps on demand
    ExecutionRows rows = new ExecutionRows(daemon);
    long workflow = rows.workflow("recovery");
    Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
    Instant tenMinutesAgo = Instant.now().minus(Duration.ofMinutes(10));
    String stuckRunning = rows.execution(workflow, "running", twoHoursAgo, twoHoursAgo, null, 1, 10);
    String stuckPending = rows.execution(workflow, "pending", twoHoursAgo, null, null, 0, 0);
    String freshRunning = rows.execution(workflow, "running", tenMinutesAgo, tenMinutesAgo, null, 0, 0);
    String freshPending = rows.execution(workflow, "pending", null, null, null, 0, 0); // created now
    String oldInterrupted = rows.execution(workflow, "interrupted", twoHoursAgo, twoHoursAgo, null, 0, 0);
    String oldCompleted = rows.execution(workflow, "completed", twoHoursAgo, twoHoursAgo, twoHoursAgo, 0, 0);
    String oldCancelled = rows.execution(workflow, "cancelled", twoHoursAgo, null, twoHoursAgo, 0, 0);
    assertNotNull(rows.column("created_at", freshPending), "an insert without created_at gets one");

    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = daemon.vertx.eventBus()
        .consumer(EventAddresses.workflow("recovery"), message -> events.add(message.body()));
    Daemon.await(consumer.completion());

    assertEquals(2, sweep());
    for (String id : List.of(stuckRunning, stuckPending)) {
      JsonObject execution = daemon.get("/api/v1/executions/" + id + "/").json();
      assertEquals("failed", execution.getString("status"), id);
      assertNotNull(execution.getString("completed_at"), id);
      assertTrue(execution.getString("error_message").startsWith("Execution recovered as failed"),
          execution.getString("error_message"));
    }
    assertTrue(rows.column("error_message", stuckPending).contains("pending"));
    assertTrue(rows.column("error_message", stuckRunning).contains("running"));
    assertEquals(1, rows.logs(stuckRunning), "recovery keeps the logs");
    assertEquals("running", rows.status(freshRunning));
    assertEquals("pending", rows.status(freshPending));
    assertEquals("interrupted", rows.status(oldInterrupted));
    assertEquals("completed", rows.status(oldCompleted));
    assertEquals("cancelled", rows.status(oldCancelled));
    assertEquals(0, sweep(), "a second sweep finds nothing");

    // One execution_updated event per recovered execution, after the commit, as the store publishes them.
    waitFor(() -> events.size() >= 2);
    assertEquals(2, events.size(), events.toString());
    for (JsonObject event : events) {
      assertEquals("execution_updated", event.getString("type"));
      assertEquals("failed", event.getJsonObject("data").getString("status"));
    }

    // Hot reload: a settings event lowering the threshold to 5 minutes makes the 10-minute-old run a zombie.
    daemon.vertx.eventBus().publish(EventAddresses.SETTINGS,
        new JsonObject().put("zombie_execution_threshold_seconds", 300));
    waitFor(() -> sweep() == 1);
    assertEquals("failed", rows.status(freshRunning));
    assertEquals("pending", rows.status(freshPending));
  }

  @Test
  void sweepsRunAtStartAndPeriodicallyNotOnlyOnce() throws Exception {
    start(3600, 1); // a sweep every second
    ExecutionRows rows = new ExecutionRows(daemon);
    long workflow = rows.workflow("periodic");
    Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
    // Written after the start-up sweep: only a later, periodic sweep can find them.
    String stuckRunning = rows.execution(workflow, "running", twoHoursAgo, twoHoursAgo, null, 0, 0);
    String stuckPending = rows.execution(workflow, "pending", twoHoursAgo, null, null, 0, 0);
    String fresh = rows.execution(workflow, "running", null, Instant.now(), null, 0, 0);
    waitFor(() -> "failed".equals(rows.status(stuckRunning)) && "failed".equals(rows.status(stuckPending)));
    assertEquals("running", rows.status(fresh));
  }

  @Test
  void aRestartedStoreFailsWhatACrashLeftBehind() throws Exception {
    start(3600, 0);
    ExecutionRows rows = new ExecutionRows(daemon);
    long workflow = rows.workflow("restart");
    String left = rows.execution(workflow, "running", null, Instant.now().minus(Duration.ofHours(3)), null, 0, 0);
    String url = daemon.databaseUrl;
    String fieldKey = daemon.fieldKey;
    daemon.close();
    daemon = null;
    // Only the start-up sweep can see it: no periodic sweep is configured.
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put(ConfigKeys.DATABASE_URL, url)
          .put(ConfigKeys.FIELD_ENCRYPTION_KEY, fieldKey)
          .put(ConfigKeys.SQLITE_SYNCHRONOUS, "NORMAL")
          .put(ConfigKeys.ZOMBIE_EXECUTION_THRESHOLD_SECONDS, 3600)
          .put(ConfigKeys.EXECUTION_RECOVERY_INTERVAL_SECONDS, 0);
      vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(config))
          .await(60, TimeUnit.SECONDS);
      waitFor(() -> "failed".equals(rows.status(left)));
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Polls a condition (a sweep runs on a timer), for at most 60 s. */
  static void waitFor(Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(100);
    }
  }
}
