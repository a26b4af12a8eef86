package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Execution routes (Pipelit §3.7) and what an engine needs to record a run, over real HTTP. */
class ExecutionApiTest extends BackendSuite {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static String freshWorkflow() throws Exception {
    String slug = "run-" + SEQUENCE.incrementAndGet();
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", slug).put("slug", slug));
    return slug;
  }

  private static String newExecution(String slug) throws Exception {
    Response created = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", slug)
        .put("trigger_payload", new JsonObject().put("text", "hi")));
    assertEquals(201, created.status(), created.body());
    return created.json().getString("execution_id");
  }

  private static Response patch(String id, JsonObject body) throws Exception {
    return daemon.patch("/api/v1/executions/" + id + "/", body);
  }

  @Test
  void recordAWholeRun() throws Exception {
    String slug = freshWorkflow();
    Response created = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", slug)
        .put("trigger_payload", new JsonObject().put("text", "hi")));
    JsonObject execution = created.json();
    assertEquals("pending", execution.getString("status"));
    assertEquals(slug, execution.getString("workflow_slug"));
    assertTrue(execution.getString("execution_id").matches("[0-9a-f-]{36}"));
    assertNull(execution.getValue("started_at"));
    assertEquals(0.0, execution.getDouble("total_cost_usd"));
    String id = execution.getString("execution_id");

    JsonObject running = patch(id, new JsonObject().put("status", "running")).json();
    assertEquals("running", running.getString("status"));
    assertNotNull(running.getString("started_at"), "entering running stamps started_at");

    Response log = daemon.post("/api/v1/executions/" + id + "/logs/", new JsonObject().put("node_id", "agent_1")
        .put("status", "completed").put("output", new JsonObject().put("output", "hello"))
        .put("metadata", new JsonObject().put("token_usage", new JsonObject().put("total", 12))).put("duration_ms", 87));
    assertEquals(201, log.status(), log.body());
    assertEquals("agent_1", log.json().getString("node_id"));
    daemon.post("/api/v1/executions/" + id + "/logs/", new JsonObject().put("node_id", "agent_2").put("status", "failed")
        .put("error", "boom").put("error_code", "ValueError"));

    JsonObject done = patch(id, new JsonObject().put("status", "completed")
        .put("final_output", new JsonObject().put("output", "hello")).put("total_tokens", 12)
        .put("total_cost_usd", 0.001234).put("llm_calls", 1)).json();
    assertEquals("completed", done.getString("status"));
    assertNotNull(done.getString("completed_at"));
    assertEquals(12, done.getInteger("total_tokens"));
    assertEquals(0.001234, done.getDouble("total_cost_usd"), 1e-9);

    JsonObject detail = daemon.get("/api/v1/executions/" + id + "/").json();
    assertEquals(new JsonObject().put("output", "hello"), detail.getJsonObject("final_output"));
    assertEquals(new JsonObject().put("text", "hi"), detail.getJsonObject("trigger_payload"));
    JsonArray logs = detail.getJsonArray("logs");
    assertEquals(2, logs.size());
    assertEquals("agent_1", logs.getJsonObject(0).getString("node_id"));
    assertEquals(87, logs.getJsonObject(0).getInteger("duration_ms"));
    assertEquals(12, logs.getJsonObject(0).getJsonObject("metadata").getJsonObject("token_usage").getInteger("total"));
    assertEquals("ValueError", logs.getJsonObject(1).getString("error_code"));
    assertEquals(new JsonObject(), logs.getJsonObject(1).getJsonObject("metadata"));

    // Pipelit's status answer (§3.9): the outcome without the logs.
    JsonObject status = daemon.get("/api/v1/executions/" + id + "/status/").json();
    assertEquals(new JsonObject().put("execution_id", id).put("workflow", slug).put("status", "completed")
        .put("started_at", done.getString("started_at")).put("completed_at", done.getString("completed_at"))
        .put("final_output", new JsonObject().put("output", "hello")).put("error_message", detail.getValue("error_message")),
        status);
  }

  @Test
  void onlyLegalStatusTransitions() throws Exception {
    String id = newExecution(freshWorkflow());
    assertEquals(409, patch(id, new JsonObject().put("status", "completed")).status(), "pending cannot complete");
    assertEquals(200, patch(id, new JsonObject().put("status", "running")).status());
    assertEquals(200, patch(id, new JsonObject().put("status", "interrupted")).status());
    assertEquals(200, patch(id, new JsonObject().put("status", "running")).status());
    assertEquals(200, patch(id, new JsonObject().put("status", "failed").put("error_message", "x")).status());
    Response again = patch(id, new JsonObject().put("status", "running"));
    assertEquals(409, again.status());
    assertTrue(again.detail().contains("failed"), again.detail());
    assertEquals(422, patch(id, new JsonObject().put("status", "exploded")).status());
    assertEquals("failed", daemon.get("/api/v1/executions/" + id + "/").json().getString("status"));
  }

  @Test
  void concurrentTransitionsFromOneStateLetExactlyOneWin() throws Exception {
    String id = newExecution(freshWorkflow());
    patch(id, new JsonObject().put("status", "running"));
    List<String> finals = List.of("completed", "failed", "cancelled"); // all final: one winner only
    List<CompletableFuture<Response>> racers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      racers.add(daemon.sendAsync("PATCH", "/api/v1/executions/" + id + "/", daemon.adminKey,
          new JsonObject().put("status", finals.get(i % finals.size())).encode()));
    }
    java.util.Set<String> accepted = new java.util.HashSet<>();
    for (CompletableFuture<Response> racer : racers) {
      Response response = racer.get(60, TimeUnit.SECONDS);
      if (response.status() == 200) {
        accepted.add(response.json().getString("status")); // the winner, or a repeat of its status
      } else {
        assertEquals(409, response.status(), response.body());
      }
    }
    assertEquals(1, accepted.size(), "exactly one final status may win: " + accepted);
    assertEquals(accepted.iterator().next(), daemon.get("/api/v1/executions/" + id + "/").json().getString("status"));
  }

  @Test
  void explicitTimestampsAreKept() throws Exception {
    String id = newExecution(freshWorkflow());
    JsonObject running = patch(id, new JsonObject().put("status", "running")
        .put("started_at", "2026-03-01T10:00:00")).json();
    assertEquals("2026-03-01T10:00:00.000000+00:00", running.getString("started_at"));
    JsonObject offset = patch(id, new JsonObject().put("started_at", "2026-03-01T12:00:00+02:00")).json();
    assertEquals("2026-03-01T10:00:00.000000+00:00", offset.getString("started_at"));
    assertEquals(422, patch(id, new JsonObject().put("started_at", "yesterday")).status());
  }

  @Test
  void cancelIsANoOpOnceFinished() throws Exception {
    String id = newExecution(freshWorkflow());
    JsonObject cancelled = daemon.post("/api/v1/executions/" + id + "/cancel/", null).json();
    assertEquals("cancelled", cancelled.getString("status"));
    assertNotNull(cancelled.getString("completed_at"));
    Response again = daemon.post("/api/v1/executions/" + id + "/cancel/", null);
    assertEquals(200, again.status());
    assertEquals(cancelled.getString("completed_at"), again.json().getString("completed_at"));
    assertEquals(404, daemon.post("/api/v1/executions/does-not-exist/cancel/", null).status());
  }

  @Test
  void listFiltersByWorkflowAndStatus() throws Exception {
    String slug = freshWorkflow();
    String first = newExecution(slug);
    newExecution(slug);
    patch(first, new JsonObject().put("status", "running"));
    JsonObject all = daemon.get("/api/v1/executions/?workflow_slug=" + slug).json();
    assertEquals(2, all.getLong("total"));
    assertEquals(first, all.getJsonArray("items").getJsonObject(0).getString("execution_id"),
        "started executions come first (started_at DESC)");
    JsonObject running = daemon.get("/api/v1/executions/?workflow_slug=" + slug + "&status=running").json();
    assertEquals(1, running.getLong("total"));
    assertEquals(0, daemon.get("/api/v1/executions/?workflow_slug=" + slug + "&status=completed").json().getLong("total"));
  }

  @Test
  void batchDeleteRemovesExecutionsAndLogs() throws Exception {
    String slug = freshWorkflow();
    String a = newExecution(slug);
    String b = newExecution(slug);
    daemon.post("/api/v1/executions/" + a + "/logs/", new JsonObject().put("node_id", "n").put("status", "completed"));
    assertEquals(204, daemon.post("/api/v1/executions/batch-delete/",
        new JsonObject().put("execution_ids", new JsonArray().add(a).add("unknown"))).status());
    assertEquals(404, daemon.get("/api/v1/executions/" + a + "/").status());
    assertEquals(200, daemon.get("/api/v1/executions/" + b + "/").status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM execution_logs WHERE execution_id = '" + a + "'"));
  }

  @Test
  void unknownWorkflowOrExecution() throws Exception {
    Response noWorkflow = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "nope"));
    assertEquals(404, noWorkflow.status());
    assertEquals("Workflow not found.", noWorkflow.detail());
    assertEquals(404, daemon.get("/api/v1/executions/nope/").status());
    assertEquals("Execution not found.", daemon.get("/api/v1/executions/nope/").detail());
    assertEquals(404, daemon.post("/api/v1/executions/nope/logs/",
        new JsonObject().put("node_id", "n").put("status", "completed")).status());
    assertEquals(404, patch("nope", new JsonObject().put("status", "running")).status());
  }

  /** A workflow {@code slug} created with {@code key}, and an execution of it: the execution's id. */
  private static String executionOwnedBy(String key, String slug) throws Exception {
    daemon.send("POST", "/api/v1/workflows/", key, "{\"name\":\"a\",\"slug\":\"" + slug + "\"}");
    return daemon.send("POST", "/api/v1/executions/", key, "{\"workflow_slug\":\"" + slug + "\"}")
        .json().getString("execution_id");
  }

  @Test
  void otherUsersExecutionsAreInvisible() throws Exception {
    String alice = daemon.createNormalUser("alice-exec");
    String bob = daemon.createNormalUser("bob-exec");
    String id = executionOwnedBy(alice, "alice-runs");
    assertEquals(404, daemon.send("POST", "/api/v1/executions/", bob, "{\"workflow_slug\":\"alice-runs\"}").status());
    assertEquals(404, daemon.send("GET", "/api/v1/executions/" + id + "/", bob, null).status());
    assertEquals(404, daemon.send("GET", "/api/v1/executions/" + id + "/status/", bob, null).status());
    assertEquals(404, daemon.send("PATCH", "/api/v1/executions/" + id + "/", bob, "{\"status\":\"running\"}").status());
    assertEquals(404, daemon.send("POST", "/api/v1/executions/" + id + "/cancel/", bob, null).status());
    assertEquals(404, daemon.send("POST", "/api/v1/executions/" + id + "/logs/", bob,
        "{\"node_id\":\"n\",\"status\":\"completed\"}").status());
    assertEquals(204, daemon.send("POST", "/api/v1/executions/batch-delete/", bob,
        "{\"execution_ids\":[\"" + id + "\"]}").status());
    assertEquals(0, daemon.send("GET", "/api/v1/executions/", bob, null).json().getLong("total"));
    assertEquals("pending", daemon.send("GET", "/api/v1/executions/" + id + "/", alice, null).json().getString("status"));
  }

  /**
   * The SQLite writer runs queued appends together (one scope check per execution and caller, one
   * statement batch); an append out of its caller's scope among them must fail alone, and every other
   * one get the id of its own row.
   */
  @Test
  void concurrentAppendsInAndOutOfScopeEachGetTheirOwnAnswer() throws Exception {
    String alice = daemon.createNormalUser("alice-burst");
    String bob = daemon.createNormalUser("bob-burst");
    String id = executionOwnedBy(alice, "alice-burst");
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<Response>> answers = new ArrayList<>();
      for (int i = 0; i < 240; i++) {
        String key = i % 3 == 2 ? bob : alice;
        String body = "{\"node_id\":\"n" + i + "\",\"status\":\"completed\"}";
        answers.add(CompletableFuture.supplyAsync(() -> {
          try {
            return daemon.send("POST", "/api/v1/executions/" + id + "/logs/", key, body);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, clients));
      }
      Set<Long> ids = new HashSet<>();
      for (int i = 0; i < answers.size(); i++) {
        Response answer = answers.get(i).get(2, TimeUnit.MINUTES);
        if (i % 3 == 2) {
          assertEquals(404, answer.status(), answer.body());
          assertEquals("Execution not found.", answer.detail());
        } else {
          assertEquals(201, answer.status(), answer.body());
          assertEquals("n" + i, answer.json().getString("node_id"));
          long logId = answer.json().getLong("id");
          assertTrue(ids.add(logId), "id " + logId + " answered twice");
          assertEquals(1, daemon.count("SELECT COUNT(*) FROM execution_logs WHERE id = " + logId
              + " AND node_id = 'n" + i + "' AND execution_id = '" + id + "'"), "row " + logId + " is append " + i);
        }
      }
      assertEquals(160, daemon.count("SELECT COUNT(*) FROM execution_logs WHERE execution_id = '" + id + "'"));
    } finally {
      clients.shutdownNow();
    }
  }
}
