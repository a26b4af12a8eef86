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
      // Set-up writes may meet the queue's one slot taken (the key's last-use stamp is a write too):
      // like any client, they retry a 503 after its Retry-After.
      accepted(daemon, "/api/v1/workflows/", new JsonObject().put("name", "w").put("slug", "w"));
      String executionId = accepted(daemon, "/api/v1/executions/", new JsonObject().put("workflow_slug", "w"))
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

  /** POSTs until the answer is not 503 (at most 50 tries, Retry-After apart); asserts a 201. */
  private static Response accepted(Daemon daemon, String path, JsonObject body) throws Exception {
    Response response = daemon.post(path, body);
    for (int attempt = 1; response.status() == 503 && attempt < 50; attempt++) {
      Thread.sleep(Long.parseLong(response.retryAfter()) * 100); // a tenth of it: the test's queue drains fast
      response = daemon.post(path, body);
    }
    assertEquals(201, response.status(), response.body());
    return response;
  }
}
