package io.pipelit.pipelitd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A daemon stopped in the middle of a write load, gracefully (SIGTERM) and brutally (kill -9), with
 * real processes: nothing acknowledged is lost, the database is intact, and a graceful stop answers
 * every request it accepted and exits 0 in time.
 */
class CrashSafetyIT extends ProcessTestBase {
  private static final int CLIENTS = 16;

  /** What the load saw: acknowledged log ids and how the other answers went. */
  private record Load(Set<Long> acknowledged, AtomicInteger refused, AtomicInteger unavailable, Set<String> unexpected) {}

  private Load startLoad(ExecutorService pool, String base, String key, String executionId, AtomicBoolean running,
      AtomicBoolean stopSent, List<Future<?>> loops) {
    Load load = new Load(ConcurrentHashMap.newKeySet(), new AtomicInteger(), new AtomicInteger(),
        ConcurrentHashMap.newKeySet());
    for (int i = 0; i < CLIENTS; i++) {
      loops.add(pool.submit(() -> {
        while (running.get()) {
          boolean afterStop = stopSent.get();
          try {
            HttpResponse<String> response = call("POST", base + "/api/v1/executions/" + executionId + "/logs/", key,
                "{\"node_id\":\"n\",\"status\":\"completed\"}");
            if (response.statusCode() == 201) {
              load.acknowledged().add(new JsonObject(response.body()).getLong("id"));
            } else if (response.statusCode() == 503 && afterStop) {
              load.unavailable().incrementAndGet();
            } else {
              load.unexpected().add(response.statusCode() + " " + response.body());
            }
          } catch (IOException e) {
            if (!afterStop && !stopSent.get()) {
              load.unexpected().add("I/O before the stop: " + e);
            }
            load.refused().incrementAndGet();
            Thread.sleep(10);
          }
        }
        return null;
      }));
    }
    return load;
  }

  private String[] prepare(String base) throws Exception {
    Result setup = run(Map.of(), "a long enough password\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(0, setup.exit(), setup.stderr());
    String[] lines = setup.stdout().strip().split("\n");
    String key = lines[lines.length - 1].strip();
    call("POST", base + "/api/v1/workflows/", key, "{\"name\":\"load\",\"slug\":\"load\"}");
    String executionId = new JsonObject(call("POST", base + "/api/v1/executions/", key, "{\"workflow_slug\":\"load\"}")
        .body()).getString("execution_id");
    return new String[] {key, executionId};
  }

  private Set<Long> storedLogIdsAndCheckIntegrity() throws Exception {
    Set<Long> stored = new HashSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + workDir.resolve("platform/db.sqlite3"));
         Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("PRAGMA integrity_check")) {
        rows.next();
        assertEquals("ok", rows.getString(1));
      }
      try (ResultSet rows = s.executeQuery("SELECT id FROM execution_logs")) {
        while (rows.next()) {
          stored.add(rows.getLong(1));
        }
      }
    }
    return stored;
  }

  /** What one stop under load left: the load's answers, the run's key and execution, the log, the stop time. */
  private record Stopped(Load load, String key, String executionId, Path log, long stopMillis) {}

  /**
   * Starts the daemon, writes with {@link #CLIENTS} clients for 1.5 s, then stops it with SIGTERM
   * ({@code graceful}) or SIGKILL, waits for the process and for the clients, and returns what they saw.
   */
  private Stopped stopUnderLoad(boolean graceful) throws Exception {
    int port = freePort();
    Path log = workDir.resolve("daemon.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(port)), "run")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String base = "http://127.0.0.1:" + port;
    waitForHealth(base, log);
    String[] prepared = prepare(base);

    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean stopSent = new AtomicBoolean(false);
    List<Future<?>> loops = new ArrayList<>();
    Load load = startLoad(pool, base, prepared[0], prepared[1], running, stopSent, loops);
    Thread.sleep(1_500);
    stopSent.set(true);
    long stopAt = System.nanoTime();
    if (graceful) {
      daemon.destroy(); // SIGTERM
    } else {
      daemon.destroyForcibly(); // SIGKILL: no drain, no checkpoint, the WAL is left as it is
    }
    assertTrue(daemon.waitFor(45, TimeUnit.SECONDS), "no exit within 45 s: " + read(log));
    long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
    running.set(false);
    for (Future<?> loop : loops) {
      loop.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertTrue(load.unexpected().isEmpty(), "unexpected: " + load.unexpected().stream().limit(3).toList());
    return new Stopped(load, prepared[0], prepared[1], log, stopMillis);
  }

  @Test
  void sigtermUnderLoadAnswersEveryAcceptedRequestLosesNothingAndExitsZero() throws Exception {
    Stopped stopped = stopUnderLoad(true);
    Load load = stopped.load();
    assertEquals(0, daemon.exitValue(), read(stopped.log()));
    assertTrue(load.acknowledged().size() > 100, "too little load: " + load.acknowledged().size());
    Set<Long> stored = storedLogIdsAndCheckIntegrity();
    assertTrue(stored.containsAll(load.acknowledged()), "acknowledged writes lost");
    System.out.printf("SIGTERM under load: %d acknowledged before the stop, all present; exit 0 after %d ms%n",
        load.acknowledged().size(), stopped.stopMillis());
  }

  @Test
  void killNineUnderLoadLosesNothingAcknowledgedAndTheRestartFindsAnIntactDatabase() throws Exception {
    Stopped stopped = stopUnderLoad(false);
    Load load = stopped.load();

    // Restart on the same files: SQLite recovers from the WAL; everything acknowledged is there.
    int restartPort = freePort();
    Path restartLog = workDir.resolve("restart.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(restartPort)), "run")
        .redirectErrorStream(true).redirectOutput(restartLog.toFile()).start();
    waitForHealth("http://127.0.0.1:" + restartPort, restartLog);
    JsonObject detail = new JsonObject(call("GET", "http://127.0.0.1:" + restartPort + "/api/v1/executions/"
        + stopped.executionId() + "/", stopped.key(), null).body());
    Set<Long> served = new HashSet<>();
    detail.getJsonArray("logs").forEach(entry -> served.add(((JsonObject) entry).getLong("id")));
    assertTrue(served.containsAll(load.acknowledged()), "acknowledged writes lost after kill -9");
    daemon.destroy();
    assertTrue(daemon.waitFor(45, TimeUnit.SECONDS));
    assertTrue(storedLogIdsAndCheckIntegrity().containsAll(load.acknowledged()));
    System.out.printf("kill -9 under load: %d acknowledged, all present after restart; integrity ok%n",
        load.acknowledged().size());
  }
}
