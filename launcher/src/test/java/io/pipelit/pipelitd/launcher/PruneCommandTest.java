package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.storage.Timestamps;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipelitd prune} in-process against a SQLite file in a temp folder: usage errors (exit 2, nothing
 * touched), a dry run, a real prune on a file no daemon serves, and a prune through a running daemon's
 * HTTP API (with and without an admin key). The rules themselves are covered on both backends by
 * the behaviour suite's RetentionTest.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PruneCommandTest {

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {}

  private Outcome execute(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, dir);
    int code = Main.execute(args, context);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Outcome execute(String... args) {
    return execute(Map.of(), args);
  }

  private Path database() {
    return dir.resolve("platform/db.sqlite3");
  }

  private Connection connect() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + database());
  }

  private long count(String sql) throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** An admin (setup), a workflow, and finished executions: two 40 days old and one recent, 3 logs each. */
  private String seed() throws Exception {
    Outcome setup = execute("setup", "--username", "root", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, setup.exitCode(), setup.err());
    List<String> lines = setup.out().lines().toList();
    try (Connection c = connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO workflows (name, slug, owner_id) VALUES ('w', 'w', (SELECT MIN(id) FROM user_profiles))");
      }
      for (int days : new int[] {40, 41, 1}) {
        String id = UUID.randomUUID().toString();
        String at = Timestamps.format(Instant.now().minus(Duration.ofDays(days)));
        try (PreparedStatement s = c.prepareStatement("INSERT INTO workflow_executions (execution_id, workflow_id,"
            + " user_profile_id, thread_id, status, started_at, completed_at) SELECT ?, id, owner_id, 't', 'completed',"
            + " ?, ? FROM workflows WHERE slug = 'w'")) {
          s.setString(1, id);
          s.setString(2, at);
          s.setString(3, at);
          s.executeUpdate();
        }
        for (int i = 0; i < 3; i++) {
          try (PreparedStatement s = c.prepareStatement(
              "INSERT INTO execution_logs (execution_id, node_id, status) VALUES (?, 'n', 'completed')")) {
            s.setString(1, id);
            s.executeUpdate();
          }
        }
      }
    }
    return lines.get(lines.size() - 1); // the admin key
  }

  @Test
  void badInputIsAUsageErrorAndTouchesNothing() {
    for (String[] args : List.of(new String[] {"prune"}, new String[] {"prune", "--dry-run"},
        new String[] {"prune", "--older-than", "0"}, new String[] {"prune", "--older-than", "abc"},
        new String[] {"prune", "--keep-per-workflow", "-3"}, new String[] {"prune", "--older-than", "99999999"},
        new String[] {"prune", "--older-than", "30", "--bogus"})) {
      Outcome outcome = execute(args);
      assertEquals(ExitCodes.USAGE, outcome.exitCode(), String.join(" ", args) + ": " + outcome.err());
      assertTrue(outcome.err().startsWith("pipelitd: "), outcome.err());
    }
    assertTrue(execute("prune").err().contains("--older-than DAYS and/or --keep-per-workflow N"));
    assertTrue(execute("prune", "--older-than", "0").err().contains("--older-than must be"));
    assertTrue(!database().toFile().exists(), "a refused command opens no database");

    Outcome badConfig = execute(Map.of("PIPELITD_RETENTION_BATCH_SIZE", "0"), "prune", "--older-than", "30");
    assertEquals(ExitCodes.USAGE, badConfig.exitCode(), badConfig.err());
    assertTrue(badConfig.err().contains("PIPELITD_RETENTION_BATCH_SIZE"), badConfig.err());
    Outcome badThreshold = execute(Map.of("ZOMBIE_EXECUTION_THRESHOLD_SECONDS", "soon"), "prune", "--older-than",
        "30");
    assertEquals(ExitCodes.USAGE, badThreshold.exitCode(), badThreshold.err());
    assertTrue(badThreshold.err().contains("ZOMBIE_EXECUTION_THRESHOLD_SECONDS"), badThreshold.err());
    assertTrue(!database().toFile().exists(), "a refused command opens no database");
  }

  @Test
  void dryRunThenPruneOnAFileNoDaemonServes() throws Exception {
    seed();
    Outcome dry = execute("prune", "--dry-run", "--older-than", "30");
    assertEquals(ExitCodes.OK, dry.exitCode(), dry.err());
    assertTrue(dry.out().startsWith("Dry run: nothing deleted"), dry.out());
    assertTrue(dry.out().matches("(?s).*workflow_executions +2 rows.*"), dry.out());
    assertTrue(dry.out().matches("(?s).*execution_logs +6 rows.*"), dry.out());
    assertEquals(3, count("SELECT COUNT(*) FROM workflow_executions"));
    assertEquals(9, count("SELECT COUNT(*) FROM execution_logs"));

    Outcome pruned = execute("prune", "--older-than", "30", "--json");
    assertEquals(ExitCodes.OK, pruned.exitCode(), pruned.err());
    JsonObject report = new JsonObject(pruned.out().strip());
    assertEquals(2L, report.getJsonObject("deleted").getLong("workflow_executions"));
    assertEquals(6L, report.getJsonObject("deleted").getLong("execution_logs"));
    assertTrue(report.getLong("bytes_freed") >= 0, report.encode());
    assertEquals(1, count("SELECT COUNT(*) FROM workflow_executions"));
    assertEquals(3, count("SELECT COUNT(*) FROM execution_logs"));

    Outcome text = execute("prune", "--keep-per-workflow", "1");
    assertEquals(ExitCodes.OK, text.exitCode(), text.err());
    assertTrue(text.out().startsWith("Removed:"), text.out());
    assertTrue(text.out().contains("Bytes freed: "), text.out());
    assertEquals(1, count("SELECT COUNT(*) FROM workflow_executions"));
  }

  @Test
  void withADaemonServingTheFileThePruneRunsInTheDaemon() throws Exception {
    String adminKey = seed();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Map<String, String> env = new HashMap<>(Map.of("PIPELITD_HTTP_PORT", String.valueOf(port)));
    CompletableFuture<Void> stop = new CompletableFuture<>();
    CompletableFuture<Daemon> ready = new CompletableFuture<>();
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.execute(new String[] {"run"},
        LaunchContext.of(System.out, System.err, new ByteArrayInputStream(new byte[0]), env, dir)
            .withStopSignal(stop).withReadyListener(ready::complete)));
    try {
      ready.get(120, TimeUnit.SECONDS);

      Outcome noKey = execute(env, "prune", "--older-than", "30");
      assertEquals(ExitCodes.FAILURE, noKey.exitCode(), noKey.err());
      assertTrue(noKey.err().contains("PIPELITD_API_KEY"), noKey.err());

      Map<String, String> wrongKey = new HashMap<>(env);
      wrongKey.put(PruneCommand.API_KEY_ENV, "not-a-key");
      Outcome refused = execute(wrongKey, "prune", "--older-than", "30");
      assertEquals(ExitCodes.FAILURE, refused.exitCode(), refused.err());
      assertTrue(refused.err().contains("HTTP 401"), refused.err());
      assertEquals(3, count("SELECT COUNT(*) FROM workflow_executions"));

      Map<String, String> withKey = new HashMap<>(env);
      withKey.put(PruneCommand.API_KEY_ENV, adminKey);
      Outcome pruned = execute(withKey, "prune", "--older-than", "30", "--json");
      assertEquals(ExitCodes.OK, pruned.exitCode(), pruned.err());
      assertEquals(2L, new JsonObject(pruned.out().strip()).getJsonObject("deleted").getLong("workflow_executions"));
      assertEquals(1, count("SELECT COUNT(*) FROM workflow_executions"));
    } finally {
      stop.complete(null);
      assertEquals(ExitCodes.OK, run.get(120, TimeUnit.SECONDS));
    }
  }
}
