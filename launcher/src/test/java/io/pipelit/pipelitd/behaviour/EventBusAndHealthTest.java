package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The event-bus face of the store, change events, and /health. */
class EventBusAndHealthTest extends BackendSuite {
  static final Identity ADMIN = new Identity(1, Identity.ADMIN);

  private static Object request(String address, JsonObject body, Identity identity) {
    return Daemon.await(daemon.vertx.eventBus().request(address, body, identity == null
        ? new io.vertx.core.eventbus.DeliveryOptions() : identity.toDeliveryOptions())).body();
  }

  @Test
  void healthNeedsNoKey() throws Exception {
    Response health = daemon.send("GET", "/health", null, null);
    assertEquals(200, health.status());
    JsonObject body = health.json();
    assertEquals("ok", body.getString("status"));
    assertEquals("test", body.getString("version"));
    assertEquals(true, body.getBoolean("database"));
    assertEquals(0, body.getInteger("write_queue"));
  }

  @Test
  void readyNeedsNoKeyAndReportsTheChecks() throws Exception {
    Response ready = daemon.send("GET", "/ready", null, null);
    assertEquals(200, ready.status(), ready.body());
    JsonObject checks = ready.json().getJsonObject("checks");
    assertEquals(true, checks.getBoolean("database"));
    assertEquals(true, checks.getBoolean("writer"));
    assertEquals(true, checks.getBoolean("migrations"));
    assertTrue(Integer.parseInt(checks.getString("schema_version")) >= 1, checks.encode());
  }

  @Test
  void eventBusRequestsAnswerLikeHttp() throws Exception {
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Bus").put("slug", "bus"));
    JsonObject viaBus = (JsonObject) request(StoreAddresses.WORKFLOWS_LIST, new JsonObject().put("limit", 10), ADMIN);
    JsonObject viaHttp = daemon.get("/api/v1/workflows/?limit=10").json();
    assertEquals(viaHttp, viaBus);
    Object nodes = request(StoreAddresses.NODES_LIST, new JsonObject().put("slug", "bus"), ADMIN);
    assertInstanceOf(JsonArray.class, nodes);
    JsonObject created = (JsonObject) request(StoreAddresses.EXECUTIONS_CREATE,
        new JsonObject().put("body", new JsonObject().put("workflow_slug", "bus")), ADMIN);
    JsonObject log = (JsonObject) request(StoreAddresses.EXECUTIONS_APPEND_LOG, new JsonObject()
        .put("execution_id", created.getString("execution_id"))
        .put("body", new JsonObject().put("node_id", "x").put("status", "completed")), ADMIN);
    assertTrue(log.getLong("id") > 0);
  }

  @Test
  void eventBusFailuresCarryAnErrorCode() {
    ReplyException noIdentity = failure(StoreAddresses.WORKFLOWS_LIST, new JsonObject(), null);
    assertEquals(ErrorCode.UNAUTHENTICATED.value(), noIdentity.failureCode());
    ReplyException missing = failure(StoreAddresses.WORKFLOWS_GET, new JsonObject().put("slug", "ghost"), ADMIN);
    assertEquals(ErrorCode.NOT_FOUND.value(), missing.failureCode());
    assertEquals("Workflow not found.", missing.getMessage());
    ReplyException invalid = failure(StoreAddresses.WORKFLOWS_CREATE,
        new JsonObject().put("body", new JsonObject().put("name", "x")), ADMIN);
    assertEquals(ErrorCode.VALIDATION_FAILED.value(), invalid.failureCode());
    ReplyException notAnObjectBody = failure(StoreAddresses.WORKFLOWS_CREATE, new JsonObject().put("body", 5), ADMIN);
    assertEquals(ErrorCode.VALIDATION_FAILED.value(), notAnObjectBody.failureCode());
  }

  private static ReplyException failure(String address, JsonObject body, Identity identity) {
    try {
      request(address, body, identity);
    } catch (RuntimeException e) {
      return assertInstanceOf(ReplyException.class, e);
    }
    throw new AssertionError("expected a failure from " + address);
  }

  @Test
  void changeEventsArePublishedAfterCommitInOrder() throws Exception {
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Watched").put("slug", "watched"));
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    daemon.vertx.eventBus().<JsonObject>consumer(EventAddresses.workflow("watched"), m -> events.add(m.body()))
        .completion().await(10, TimeUnit.SECONDS); // throws TimeoutException: the test declares Exception
    List<JsonObject> all = new CopyOnWriteArrayList<>(); // the same events on pipelit.events.all
    daemon.vertx.eventBus().<JsonObject>consumer(EventAddresses.ALL, m -> {
      if ("watched".equals(m.body().getString("workflow_slug"))) {
        all.add(m.body());
      }
    }).completion().await(10, TimeUnit.SECONDS);
    daemon.post("/api/v1/workflows/watched/nodes/", new JsonObject().put("node_id", "a").put("component_type", "agent"));
    daemon.patch("/api/v1/workflows/watched/nodes/a/", new JsonObject().put("label", "A"));
    daemon.post("/api/v1/workflows/watched/edges/", new JsonObject().put("source_node_id", "a"));
    daemon.patch("/api/v1/workflows/watched/", new JsonObject().put("description", "d"));
    daemon.delete("/api/v1/workflows/watched/nodes/a/");
    long deadline = System.currentTimeMillis() + 10_000;
    while ((events.size() < 5 || all.size() < 5) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(List.of("node_created", "node_updated", "edge_created", "workflow_updated", "node_deleted"),
        events.stream().map(e -> e.getString("type")).toList());
    assertEquals("a", events.get(4).getJsonObject("data").getString("node_id"));
    // Each address numbers its own events, one apart, from this process's origin.
    for (List<JsonObject> stream : List.of(events, all)) {
      for (int i = 1; i < stream.size(); i++) {
        assertEquals(stream.get(i - 1).getLong(EventAddresses.SEQ) + 1, stream.get(i).getLong(EventAddresses.SEQ));
        assertEquals(stream.get(0).getString(EventAddresses.ORIGIN), stream.get(i).getString(EventAddresses.ORIGIN));
      }
    }
    assertEquals(1L, events.get(0).getLong(EventAddresses.SEQ), "the first event on a fresh workflow's address");
    assertEquals(withoutNumbers(events), withoutNumbers(all), "the same bodies on pipelit.events.all");
  }

  private static List<JsonObject> withoutNumbers(List<JsonObject> stream) {
    return stream.stream().map(e -> {
      JsonObject copy = e.copy();
      copy.remove(EventAddresses.SEQ);
      return copy;
    }).toList();
  }
}
