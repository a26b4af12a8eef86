package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite only: the write queue belongs to the SQLite single writer (PostgreSQL has no queue).
 * A full write queue answers 503 with Retry-After and a JSON detail, fast, and only writes that were
 * answered 201 are in the database (none lost, none half-done).
 */
class OverloadTest {
  @TempDir
  Path folder;

  @Test
  void fullQueueAnswers503WithRetryAfterAndLosesNothingAcknowledged() throws Exception {
    JsonObject tiny = new JsonObject().put(ConfigKeys.WRITE_QUEUE_CAPACITY, 1).put(ConfigKeys.WRITE_BATCH_SIZE, 1)
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, "FULL");
    try (Daemon daemon = Daemon.start(Backend.SQLITE, folder, tiny)) {
      daemon.post("/api/v1/workflows/", new JsonObject().put("name", "w").put("slug", "w"));
      String executionId = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "w"))
          .json().getString("execution_id");
      int created = 0;
      int overloaded = 0;
      // Bounded: bursts of 200 concurrent appends until the queue has overflowed at least once.
      for (int round = 0; round < 20 && overloaded == 0; round++) {
        List<CompletableFuture<Response>> burst = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          burst.add(daemon.sendAsync("POST", "/api/v1/executions/" + executionId + "/logs/", daemon.adminKey,
              "{\"node_id\":\"n\",\"status\":\"completed\"}"));
        }
        for (CompletableFuture<Response> future : burst) {
          Response response = future.get();
          if (response.status() == 201) {
            created++;
          } else {
            assertEquals(503, response.status(), response.body());
            assertEquals("1", response.retryAfter());
            assertTrue(response.detail().contains("queue"), response.detail());
            overloaded++;
          }
        }
      }
      assertTrue(overloaded > 0, "the queue never overflowed");
      assertEquals(created, daemon.count("SELECT COUNT(*) FROM execution_logs"));
    }
  }
}
