package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Retention on both backends ({@code POST /api/v1/maintenance/prune} and the CLI's in-process address):
 * a dry run changes nothing and reports counts; a real prune removes exactly the finished executions the
 * age and count rules select, with their logs, in bounded batches; on SQLite the file shrinks. A daemon
 * per test: a prune deletes across every workflow.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RetentionTest {
  /**
   * Small batches, so that a test's prune takes several writes, and several candidate pages
   * (20 batches each) in the large test.
   */
  private static final int BATCH = 5;

  @Parameter
  Backend backend;

  private Daemon daemon;
  private ExecutionRows rows;

  private void start() throws Exception {
    start(TestDatabases.freshUrl(backend, Files.createTempDirectory("pipelitd-retention-")));
  }

  private void start(String databaseUrl) throws Exception {
    daemon = Daemon.startOn(databaseUrl, new JsonObject().put(ConfigKeys.RETENTION_BATCH_SIZE, BATCH));
    rows = new ExecutionRows(daemon);
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static Instant daysAgo(int days) {
    return Instant.now().minus(Duration.ofDays(days));
  }

  private JsonObject prune(JsonObject body) throws Exception {
    Response response = daemon.post("/api/v1/maintenance/prune", body);
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private long executions() throws Exception {
    return daemon.count("SELECT COUNT(*) FROM workflow_executions");
  }

  private long logs() throws Exception {
    return daemon.count("SELECT COUNT(*) FROM execution_logs");
  }

  private static JsonObject deleted(long executions, long logs) {
    return new JsonObject().put("workflow_executions", executions).put("execution_logs", logs).put("pending_tasks", 0L);
  }

  @Test
  void dryRunCountsAndRealRunsRemoveExactlyWhatTheRulesSelect() throws Exception {
    start();
    long a = rows.workflow("keep-a");
    long b = rows.workflow("keep-b");
    String c1 = rows.execution(a, "completed", daysAgo(1), daysAgo(1), daysAgo(1), 2, 10);
    String c2 = rows.execution(a, "completed", daysAgo(2), daysAgo(2), daysAgo(2), 2, 10);
    String c3 = rows.execution(a, "failed", daysAgo(3), daysAgo(3), daysAgo(3), 2, 10);
    String c4 = rows.execution(a, "completed", daysAgo(40), daysAgo(40), daysAgo(40), 2, 10);
    String c5 = rows.execution(a, "cancelled", daysAgo(50), null, daysAgo(50), 2, 10);
    // Not finished: never pruned, however old.
    String running = rows.execution(a, "running", daysAgo(60), daysAgo(60), null, 2, 10);
    String pending = rows.execution(a, "pending", daysAgo(60), null, null, 0, 0);
    String interrupted = rows.execution(a, "interrupted", daysAgo(60), daysAgo(60), null, 1, 10);
    String b1 = rows.execution(b, "completed", daysAgo(1), daysAgo(1), daysAgo(1), 1, 10);
    String b2 = rows.execution(b, "completed", daysAgo(5), daysAgo(5), daysAgo(5), 1, 10);
    String b3 = rows.execution(b, "completed", daysAgo(45), daysAgo(45), daysAgo(45), 1, 10);
    long executionsBefore = executions();
    long logsBefore = logs();

    JsonObject dry = prune(new JsonObject().put("dry_run", true).put("older_than_days", 30));
    assertTrue(dry.getBoolean("dry_run"));
    assertEquals(deleted(3, 5), dry.getJsonObject("deleted"), dry.encode());
    assertEquals(0L, dry.getLong("bytes_freed"));
    assertEquals(executionsBefore, executions(), "a dry run deletes nothing");
    assertEquals(logsBefore, logs());

    JsonObject byAge = prune(new JsonObject().put("older_than_days", 30));
    assertFalse(byAge.getBoolean("dry_run"));
    assertEquals(deleted(3, 5), byAge.getJsonObject("deleted"), byAge.encode());
    for (String gone : List.of(c4, c5, b3)) {
      assertFalse(rows.exists(gone), gone);
      assertEquals(0, rows.logs(gone), "its logs went with it");
    }
    for (String kept : List.of(c1, c2, c3, running, pending, interrupted, b1, b2)) {
      assertTrue(rows.exists(kept), kept);
    }
    assertEquals(executionsBefore - 3, executions());
    assertEquals(logsBefore - 5, logs());

    // Count rule: the newest finished execution of each workflow stays.
    JsonObject byCount = prune(new JsonObject().put("keep_per_workflow", 1));
    assertEquals(deleted(3, 5), byCount.getJsonObject("deleted"), byCount.encode());
    for (String gone : List.of(c2, c3, b2)) {
      assertFalse(rows.exists(gone), gone);
    }
    for (String kept : List.of(c1, running, pending, interrupted, b1)) {
      assertTrue(rows.exists(kept), kept);
    }
    assertEquals(2, rows.logs(running));

    // Nothing left to select: a no-op.
    assertEquals(deleted(0, 0), prune(new JsonObject().put("keep_per_workflow", 1).put("older_than_days", 30))
        .getJsonObject("deleted"));
  }

  @Test
  void eitherRuleSelectsAnExecution() throws Exception {
    start();
    long w = rows.workflow("either");
    String old = rows.execution(w, "completed", daysAgo(40), daysAgo(40), daysAgo(40), 0, 0);
    String recent1 = rows.execution(w, "completed", daysAgo(1), daysAgo(1), daysAgo(1), 0, 0);
    String recent2 = rows.execution(w, "completed", daysAgo(2), daysAgo(2), daysAgo(2), 0, 0);
    String recent3 = rows.execution(w, "completed", daysAgo(3), daysAgo(3), daysAgo(3), 0, 0);
    // Older than 30 days OR beyond the 2 newest: old (both rules) and recent3 (count rule).
    JsonObject report = prune(new JsonObject().put("older_than_days", 30).put("keep_per_workflow", 2));
    assertEquals(deleted(2, 0), report.getJsonObject("deleted"));
    assertFalse(rows.exists(old));
    assertFalse(rows.exists(recent3));
    assertTrue(rows.exists(recent1));
    assertTrue(rows.exists(recent2));
  }

  @Test
  void aLargePruneRunsInBatchesAndGivesTheSpaceBack() throws Exception {
    start();
    long w = rows.workflow("bulk");
    List<String> old = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      old.add(rows.execution(w, i % 2 == 0 ? "completed" : "failed", daysAgo(100), daysAgo(100), daysAgo(100), 6,
          4_000));
    }
    String recent = rows.execution(w, "completed", daysAgo(1), daysAgo(1), daysAgo(1), 6, 4_000);
    long fileBefore = backend == Backend.SQLITE ? checkpointedFileSize() : 0;

    List<JsonObject> progress = new CopyOnWriteArrayList<>(); // filled on an event loop
    String address = "test.prune.progress." + System.nanoTime();
    MessageConsumer<JsonObject> consumer = daemon.vertx.eventBus().localConsumer(address,
        message -> progress.add(message.body()));
    Daemon.await(consumer.completion());
    JsonObject report = Daemon.await(daemon.vertx.eventBus().<JsonObject>request(
        StoreAddresses.MAINTENANCE_PRUNE_CLI, new JsonObject().put("body",
            new JsonObject().put("older_than_days", 30).put("progress_address", address)))).body();

    assertEquals(deleted(120, 720), report.getJsonObject("deleted"), report.encode());
    assertEquals(1, executions());
    assertEquals(6, rows.logs(recent));
    // 120 executions in batches of 5 (two pages of 100 candidates): 24 batches, each reported.
    ExecutionRecoveryTest.waitFor(() -> progress.size() == 24);
    assertEquals(120L, progress.get(23).getLong("executions_deleted"));
    assertEquals(120L, progress.get(23).getLong("executions_total"));
    assertEquals(720L, progress.get(23).getLong("logs_deleted"));
    assertTrue(report.getLong("bytes_before") > 0, report.encode());
    if (backend == Backend.SQLITE) {
      assertEquals(2, pragma("auto_vacuum"), "a file pipelitd created has auto_vacuum=INCREMENTAL");
      assertTrue(report.getString("space").startsWith("incremental_vacuum"), report.encode());
      // About 720 logs of 4 kB went: well over 2 MB of pages given back, and the file is smaller by as much.
      assertTrue(report.getLong("bytes_freed") > 2_000_000, report.encode());
      assertEquals(report.getLong("bytes_before") - report.getLong("bytes_after"), report.getLong("bytes_freed"));
      long fileAfter = Files.size(sqliteFile());
      assertTrue(fileAfter < fileBefore - 2_000_000, "file " + fileBefore + " -> " + fileAfter);
    } else {
      assertTrue(report.getString("space").contains("autovacuum"), report.encode());
      assertTrue(report.getLong("bytes_freed") >= 0);
    }
  }

  @Test
  void vacuumConvertsAFileCreatedWithoutIncrementalAutoVacuum() throws Exception {
    if (backend == Backend.POSTGRESQL) {
      start();
      JsonObject report = prune(new JsonObject().put("older_than_days", 30).put("vacuum", true));
      assertTrue(report.getString("space").contains("autovacuum"), report.encode());
      return;
    }
    // A database file as older pipelitd versions (and Pipelit) created it: WAL, no auto_vacuum.
    Path file = Files.createTempDirectory("pipelitd-retention-").resolve("old.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("CREATE TABLE placeholder (x INTEGER)");
      s.execute("DROP TABLE placeholder");
    }
    start("sqlite:///" + file);
    assertEquals(0, pragma("auto_vacuum"));
    long w = rows.workflow("old-file");
    for (int i = 0; i < 60; i++) {
      rows.execution(w, "completed", daysAgo(100), daysAgo(100), daysAgo(100), 4, 4_000);
    }
    JsonObject kept = prune(new JsonObject().put("older_than_days", 30));
    assertEquals(deleted(60, 240), kept.getJsonObject("deleted"));
    assertEquals(0L, kept.getLong("bytes_freed"), "without auto_vacuum the pages stay free in the file");
    assertTrue(kept.getString("space").contains("--vacuum"), kept.encode());

    JsonObject vacuumed = prune(new JsonObject().put("older_than_days", 30).put("vacuum", true));
    assertEquals(deleted(0, 0), vacuumed.getJsonObject("deleted"));
    assertTrue(vacuumed.getString("space").startsWith("VACUUM"), vacuumed.encode());
    assertTrue(vacuumed.getLong("bytes_freed") > 500_000, vacuumed.encode());
    assertEquals(2, pragma("auto_vacuum"), "VACUUM converted the file to incremental auto_vacuum");
  }

  @Test
  void badInputIsRefusedAndChangesNothing() throws Exception {
    start();
    long w = rows.workflow("bad-input");
    rows.execution(w, "completed", daysAgo(100), daysAgo(100), daysAgo(100), 1, 10);
    String normal = daemon.createNormalUser("someone");

    Response forbidden = daemon.send("POST", "/api/v1/maintenance/prune", normal,
        new JsonObject().put("older_than_days", 30).encode());
    assertEquals(403, forbidden.status(), forbidden.body());
    assertEquals(401, daemon.send("POST", "/api/v1/maintenance/prune", null, "{}").status());

    for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("older_than_days", -1),
        new JsonObject().put("keep_per_workflow", 1.5), new JsonObject().put("older_than_days", "30"),
        new JsonObject().put("older_than_days", 30).put("dry_run", "yes"),
        new JsonObject().put("older_than_days", 30).put("vacuum", 1))) {
      Response refused = daemon.post("/api/v1/maintenance/prune", body);
      assertEquals(422, refused.status(), body + " -> " + refused.body());
      assertTrue(refused.json().containsKey("detail"), refused.body());
    }
    Response noRule = daemon.post("/api/v1/maintenance/prune", new JsonObject().put("dry_run", true));
    assertTrue(noRule.detail().contains("older_than_days"), noRule.body());
    assertEquals(1, executions());
    assertEquals(1, logs());
  }

  private Path sqliteFile() {
    return Path.of(daemon.databaseUrl.substring("sqlite:///".length()));
  }

  /** The file's size once the WAL is folded in: what a prune must shrink. */
  private long checkpointedFileSize() throws Exception {
    try (Connection c = daemon.connect(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      r.next();
    }
    return Files.size(sqliteFile());
  }

  private long pragma(String name) throws Exception {
    try (Connection c = daemon.connect(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("PRAGMA " + name)) {
      r.next();
      return r.getLong(1);
    }
  }

}
