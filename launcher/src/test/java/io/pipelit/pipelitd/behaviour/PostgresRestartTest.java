package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarts in the middle of a write load: while it is down requests answer 503 with a clear
 * detail and /health says degraded; afterwards the daemon serves again without being restarted, and
 * every write it acknowledged is in the database.
 */
class PostgresRestartTest {
  private static final int CLIENTS = 16;

  @Test
  void serverRestartUnderLoadLosesNothingAcknowledgedAndServiceResumes() throws Exception {
    Path data = Files.createTempDirectory("pipelitd-pg-restart-");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    EmbeddedPostgres server = start(data, port);
    String url = "postgresql://postgres@localhost:" + port + "/postgres";
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try (Daemon daemon = Daemon.startOn(url, new JsonObject())) {
      daemon.post("/api/v1/workflows/", new JsonObject().put("name", "w").put("slug", "w"));
      String executionId = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "w"))
          .json().getString("execution_id");
      Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
      Set<String> unexpected = ConcurrentHashMap.newKeySet();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Future<Integer>> loops = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        loops.add(clients.submit(() -> {
          int unavailable = 0;
          while (running.get()) {
            Response response = daemon.post("/api/v1/executions/" + executionId + "/logs/",
                new JsonObject().put("node_id", "n").put("status", "completed"));
            if (response.status() == 201) {
              acknowledged.add(response.json().getLong("id"));
            } else if (response.status() == 503 && response.detail().contains("unavailable")) {
              unavailable++;
              Thread.sleep(20);
            } else {
              unexpected.add(response.toString());
            }
          }
          return unavailable;
        }));
      }
      Thread.sleep(1_000);
      int beforeStop = acknowledged.size();
      server.close(); // a fast shutdown: connections are cut
      Thread.sleep(500);
      Response degraded = daemon.send("GET", "/health", null, null);
      assertEquals(200, degraded.status());
      assertEquals("degraded", degraded.json().getString("status"));
      assertEquals(false, degraded.json().getBoolean("database"));
      Thread.sleep(1_000);
      server = start(data, port);
      long deadline = System.currentTimeMillis() + 30_000;
      int atRestart = acknowledged.size();
      while (acknowledged.size() < atRestart + 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      running.set(false);
      int unavailableAnswers = 0;
      for (Future<Integer> loop : loops) {
        unavailableAnswers += loop.get(60, TimeUnit.SECONDS);
      }
      assertTrue(unexpected.isEmpty(), "unexpected answers: " + unexpected.stream().limit(3).toList());
      assertTrue(beforeStop > 0, "no write before the stop");
      assertTrue(unavailableAnswers > 0, "the outage was never seen");
      assertTrue(acknowledged.size() >= atRestart + 200, "service did not resume after the restart");
      assertEquals("ok", daemon.send("GET", "/health", null, null).json().getString("status"));

      try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null);
           PreparedStatement s = c.prepareStatement("SELECT id FROM execution_logs")) {
        Set<Long> stored = new java.util.HashSet<>();
        try (ResultSet rows = s.executeQuery()) {
          while (rows.next()) {
            stored.add(rows.getLong(1));
          }
        }
        assertTrue(stored.containsAll(acknowledged), "acknowledged writes lost: "
            + acknowledged.stream().filter(id -> !stored.contains(id)).limit(5).toList());
      }
    } finally {
      clients.shutdownNow();
      server.close();
    }
  }

  private static EmbeddedPostgres start(Path data, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
  }
}
