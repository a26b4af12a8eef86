package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint routes ({@code /api/v1/checkpoints/...}) over real HTTP, through the event bus to
 * CheckpointVerticle, on each backend: a LangGraph-style client storing and resuming a conversation.
 */
class CheckpointApiTest extends BackendSuite {
  private static final String BASE = "/api/v1/checkpoints/";

  /** Time-ordered ids, as LangGraph's uuid6 are: a fixed prefix and an increasing counter. */
  private static int sequence;

  private static synchronized String nextId() {
    sequence++;
    return String.format("1ef4f797-8335-6428-8001-%012x", sequence);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String thread() {
    return "1:" + UUID.randomUUID();
  }

  private static JsonObject checkpoint(String parent, String state, int step) {
    return new JsonObject().put("parent_checkpoint_id", parent).put("type", "msgpack").put("checkpoint", b64(state))
        .put("metadata", new JsonObject().put("source", step < 0 ? "input" : "loop").put("step", step));
  }

  private Response put(String thread, String id, JsonObject body) throws Exception {
    return daemon.send("PUT", BASE + thread + "/" + id + "?ns=", daemon.adminKey, body.encode());
  }

  @Test
  void aConversationIsStoredAndResumed() throws Exception {
    String t = thread();
    String c1 = nextId();
    String c2 = nextId();
    Response first = put(t, c1, checkpoint(null, "hello", -1));
    assertEquals(201, first.status(), first.body());
    assertEquals(c1, first.json().getString("checkpoint_id"));
    assertEquals(201, put(t, c2, checkpoint(c1, "hello, world", 0)).status());
    Response writes = daemon.post(BASE + t + "/" + c2 + "/writes?ns=", new JsonObject().put("task_id", "task-1")
        .put("writes", new JsonArray()
            .add(new JsonObject().put("channel", "messages").put("type", "msgpack").put("value", b64("m1")))
            .add(new JsonObject().put("channel", "__interrupt__").put("type", "msgpack").put("value", b64("ask")))));
    assertEquals(201, writes.status(), writes.body());

    Response latest = daemon.get(BASE + t + "/latest");
    assertEquals(200, latest.status(), latest.body());
    JsonObject tuple = latest.json();
    assertEquals(t, tuple.getString("thread_id"));
    assertEquals("", tuple.getString("checkpoint_ns"));
    assertEquals(c2, tuple.getString("checkpoint_id"));
    assertEquals(c1, tuple.getString("parent_checkpoint_id"));
    assertEquals("msgpack", tuple.getString("type"));
    assertEquals(b64("hello, world"), tuple.getString("checkpoint"));
    assertEquals(0, tuple.getJsonObject("metadata").getInteger("step"));
    JsonArray pending = tuple.getJsonArray("pending_writes");
    assertEquals(2, pending.size());
    assertEquals(-3, pending.getJsonObject(0).getInteger("idx")); // __interrupt__ first: ordered by task_id, idx
    assertEquals(b64("m1"), pending.getJsonObject(1).getString("value"));

    Response byId = daemon.get(BASE + t + "/" + c1 + "?ns=");
    assertEquals(200, byId.status(), byId.body());
    assertEquals(b64("hello"), byId.json().getString("checkpoint"));

    Response list = daemon.get(BASE + t + "/?ns=&limit=10");
    assertEquals(200, list.status(), list.body());
    assertEquals(2, list.json().getLong("total"));
    List<String> ids = new ArrayList<>();
    list.json().getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getString("checkpoint_id")));
    assertEquals(List.of(c2, c1), ids);

    JsonObject input = daemon.get(BASE + t + "/?metadata.source=input").json();
    assertEquals(1, input.getLong("total"));
    assertEquals(c1, input.getJsonArray("items").getJsonObject(0).getString("checkpoint_id"));
    assertEquals(1, daemon.get(BASE + t + "/?metadata.step=0").json().getLong("total"));
    assertEquals(1, daemon.get(BASE + t + "/?before=" + c2).json().getLong("total"));

    assertEquals(204, daemon.delete(BASE + t + "/").status());
    Response gone = daemon.get(BASE + t + "/latest");
    assertEquals(404, gone.status(), gone.body());
    assertEquals(0, daemon.get(BASE + t + "/").json().getLong("total"));
  }

  @Test
  void pruneRouteWithDryRun() throws Exception {
    String t = thread();
    String parent = null;
    for (int i = 0; i < 5; i++) {
      String id = nextId();
      assertEquals(201, put(t, id, checkpoint(parent, "s" + i, i - 1)).status());
      parent = id;
    }
    JsonObject rule = new JsonObject().put("keep_last", 2).put("thread_ids", new JsonArray().add(t));
    Response dry = daemon.post(BASE + "prune", rule.copy().put("dry_run", true));
    assertEquals(200, dry.status(), dry.body());
    // 5 checkpoints, keep the newest 2 and the root: 2 go.
    assertEquals(2, dry.json().getLong("deleted_checkpoints"));
    assertEquals(5, daemon.get(BASE + t + "/").json().getLong("total"));
    Response done = daemon.post(BASE + "prune/", rule);
    assertEquals(200, done.status(), done.body());
    assertEquals(2, done.json().getLong("deleted_checkpoints"));
    assertEquals(1, done.json().getLong("threads"));
    assertEquals(3, daemon.get(BASE + t + "/").json().getLong("total"));
  }

  @Test
  void pipelitsAdminListingAndBatchDelete() throws Exception {
    String t = thread();
    String c1 = nextId();
    assertEquals(201, put(t, c1, checkpoint(null, "abc", -1)).status());
    Response listed = daemon.get("/api/v1/memories/checkpoints/?thread_id=" + t);
    assertEquals(200, listed.status(), listed.body());
    JsonObject item = listed.json().getJsonArray("items").getJsonObject(0);
    assertEquals(1, listed.json().getLong("total"));
    assertEquals("input", item.getString("source"));
    assertEquals(-1, item.getInteger("step"));
    assertEquals(3, item.getInteger("blob_size"));
    Response deleted = daemon.post("/api/v1/memories/checkpoints/batch-delete/",
        new JsonObject().put("thread_ids", new JsonArray().add(t)));
    assertEquals(204, deleted.status(), deleted.body());
    assertEquals(0, daemon.get("/api/v1/memories/checkpoints/?thread_id=" + t).json().getLong("total"));
  }

  @Test
  void checkpointsLargerThanTheGeneralBodyLimitGoThroughUpToTheirOwnLimit() throws Exception {
    // 12 MiB of state (16 MiB of base64): over PIPELITD_HTTP_MAX_BODY_BYTES (10 MiB), under
    // CHECKPOINTS_MAX_BYTES (64 MiB).
    byte[] state = new byte[12 * 1024 * 1024];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(state);
    String t = thread();
    String id = nextId();
    JsonObject body = new JsonObject().put("type", "msgpack").put("checkpoint", Base64.getEncoder().encodeToString(state));
    Response stored = put(t, id, body);
    assertEquals(201, stored.status(), stored.body());
    Response read = daemon.get(BASE + t + "/latest");
    assertEquals(200, read.status());
    assertEquals(state.length, read.json().getInteger("blob_size"));
    // Other routes keep the general limit: BadInputTest covers it.
  }

  @Test
  void normalUsersGet403AndAnonymousCallers401() throws Exception {
    String key = daemon.createNormalUser("cp-normal-" + backend.name().toLowerCase());
    String t = thread();
    String id = nextId();
    String body = checkpoint(null, "x", -1).encode();
    assertEquals(403, daemon.send("PUT", BASE + t + "/" + id, key, body).status());
    assertEquals(403, daemon.send("GET", BASE + t + "/latest", key, null).status());
    assertEquals(403, daemon.send("GET", BASE + t + "/", key, null).status());
    assertEquals(403, daemon.send("DELETE", BASE + t + "/", key, null).status());
    assertEquals(403, daemon.send("POST", BASE + "prune", key, "{\"keep_last\":1}").status());
    assertEquals(401, daemon.send("GET", BASE + t + "/latest", null, null).status());
    assertEquals(404, daemon.get(BASE + t + "/latest").status(), "a refused put stored something");
  }

  @Test
  void badInputGets4xxAndStoresNothing() throws Exception {
    String t = thread();
    String id = nextId();
    Response notBase64 = put(t, id, checkpoint(null, "x", -1).put("checkpoint", "%%%"));
    assertEquals(422, notBase64.status(), notBase64.body());
    assertTrue(notBase64.detail().contains("checkpoint"), notBase64.body());
    assertEquals(422, put(t, id, new JsonObject().put("checkpoint", b64("x"))).status());
    assertEquals(422, daemon.send("PUT", BASE + t + "/" + id, daemon.adminKey, "not json").status());
    assertEquals(422, daemon.get(BASE + t + "/?limit=0").status());
    assertEquals(422, daemon.post(BASE + "prune", new JsonObject()).status());
    assertEquals(404, daemon.get(BASE + t + "/latest").status());
  }
}
