package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Agent memory (Pipelit §1.8, §3.13): the admin routes over real HTTP, and the engine's write addresses
 * over the event bus. Every test names its own agents and fact types, so the tests sharing one daemon
 * never see each other's rows (memory users, which have no filter, live in one test only).
 */
class MemoryApiTest extends BackendSuite {
  private static final Identity ADMIN = new Identity(1, Identity.ADMIN);
  private static final Identity NORMAL = new Identity(2, Identity.NORMAL);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Set<String> FACT_ITEM = Set.of("id", "scope", "agent_id", "user_id", "key", "value",
      "fact_type", "confidence", "times_confirmed", "access_count", "created_at", "updated_at");
  private static final Set<String> EPISODE_ITEM = Set.of("id", "agent_id", "user_id", "trigger_type", "success",
      "error_code", "summary", "started_at", "ended_at", "duration_ms", "created_at");
  private static final Set<String> PROCEDURE_ITEM = Set.of("id", "agent_id", "name", "description",
      "procedure_type", "times_used", "times_succeeded", "times_failed", "success_rate", "is_active", "created_at");
  private static final Set<String> USER_ITEM = Set.of("id", "canonical_id", "display_name", "telegram_id", "email",
      "total_conversations", "last_seen_at", "created_at");

  private static String unique(String prefix) {
    return prefix + "-" + SEQUENCE.incrementAndGet();
  }

  private static JsonObject write(String address, JsonObject request) {
    return (JsonObject) Daemon.await(daemon.vertx.eventBus().request(address, request, ADMIN.toDeliveryOptions()))
        .body();
  }

  private static JsonObject withBody(JsonObject body) {
    return new JsonObject().put("body", body);
  }

  private static ReplyException refused(String address, JsonObject request, Identity identity) {
    try {
      Daemon.await(daemon.vertx.eventBus().request(address, request, identity.toDeliveryOptions()));
    } catch (RuntimeException e) {
      return assertInstanceOf(ReplyException.class, e);
    }
    throw new AssertionError("expected " + address + " to refuse " + request.encode());
  }

  private static void assertInvalid(String address, JsonObject request) {
    assertEquals(ErrorCode.VALIDATION_FAILED.value(), refused(address, request, ADMIN).failureCode(),
        address + " " + request.encode());
  }

  private static JsonObject fact(String scope, String agentId, String userId, String key, Object value, String type) {
    return write(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("scope", scope)
        .put("agent_id", agentId).put("user_id", userId).put("key", key).put("value", value).put("fact_type", type)));
  }

  private static JsonObject episode(String agentId, String startedAt) {
    return write(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", agentId)
        .put("trigger_type", "manual").put("started_at", startedAt)));
  }

  private static JsonObject procedure(String agentId, String name) {
    return write(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(new JsonObject().put("agent_id", agentId)
        .put("name", name).put("procedure_type", "prompt_template")
        .put("procedure_content", new JsonObject().put("template", "Say {x}"))))
        .getJsonObject("procedure");
  }

  private static JsonObject memoryUser(JsonObject body) {
    return write(StoreAddresses.MEMORY_USERS_UPSERT, withBody(body));
  }

  private static JsonObject list(String path) throws Exception {
    Response response = daemon.get(path);
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("id")));
    return ids;
  }

  private static Response batchDelete(String kind, JsonArray ids) throws Exception {
    return daemon.post("/api/v1/memories/" + kind + "/batch-delete/", new JsonObject().put("ids", ids));
  }

  @Test
  void aFactIsOverwrittenByTheSameScopeAgentUserAndKey() {
    String agent = unique("agent");
    JsonObject first = fact("user", agent, "telegram:1", "language", "en", "user_preference");
    assertTrue(first.getBoolean("created"));
    JsonObject created = first.getJsonObject("fact");
    assertTrue(created.getString("id").matches("[0-9a-f-]{36}"), created.encode());
    assertEquals(1, created.getInteger("times_confirmed"));
    assertEquals(1.0, created.getDouble("confidence"));
    assertEquals(0, created.getInteger("access_count"));

    JsonObject second = write(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("scope", "user")
        .put("agent_id", agent).put("user_id", "telegram:1").put("key", "language")
        .put("value", new JsonObject().put("primary", "fr")).put("fact_type", "correction").put("confidence", 0.75)));
    assertEquals(false, second.getBoolean("created"));
    JsonObject overwritten = second.getJsonObject("fact");
    assertEquals(created.getString("id"), overwritten.getString("id"));
    assertEquals(2, overwritten.getInteger("times_confirmed"));
    assertEquals(new JsonObject().put("primary", "fr"), overwritten.getJsonObject("value"));
    assertEquals("correction", overwritten.getString("fact_type"));
    assertEquals(0.75, overwritten.getDouble("confidence"));
    assertEquals(created.getString("created_at"), overwritten.getString("created_at"));

    // Another user, no user, or another scope is another fact; a null user matches a null user.
    assertTrue(fact("user", agent, "telegram:2", "language", "de", "user_preference").getBoolean("created"));
    JsonObject agentWide = fact("agent", agent, null, "language", "en", "self_knowledge");
    assertTrue(agentWide.getBoolean("created"));
    JsonObject again = fact("agent", agent, null, "language", "es", "self_knowledge");
    assertEquals(false, again.getBoolean("created"));
    assertEquals(agentWide.getJsonObject("fact").getString("id"), again.getJsonObject("fact").getString("id"));
  }

  @Test
  void concurrentWritersOfOneFactLeaveOneRow() throws Exception {
    String agent = unique("racer");
    List<io.vertx.core.Future<io.vertx.core.eventbus.Message<Object>>> racers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      racers.add(daemon.vertx.eventBus().request(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject()
          .put("scope", "user").put("agent_id", agent).put("user_id", "u").put("key", "mood").put("value", i)
          .put("fact_type", "user_preference")), ADMIN.toDeliveryOptions()));
    }
    Daemon.await(io.vertx.core.Future.all(racers));
    long created = racers.stream().filter(r -> ((JsonObject) r.result().body()).getBoolean("created")).count();
    assertEquals(1, created, "exactly one writer inserts, the others overwrite");
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_facts WHERE agent_id = '" + agent + "'"));
    assertEquals(100, daemon.count("SELECT times_confirmed FROM memory_facts WHERE agent_id = '" + agent + "'"));
  }

  @Test
  void readsOfFactsAreCounted() throws Exception {
    String agent = unique("reader");
    String id = fact("agent", agent, null, "sky", "blue", "world_knowledge").getJsonObject("fact").getString("id");
    JsonObject touched = write(StoreAddresses.MEMORY_FACTS_TOUCH,
        withBody(new JsonObject().put("ids", new JsonArray().add(id).add("no-such-fact"))));
    assertEquals(1, touched.getInteger("updated"));
    write(StoreAddresses.MEMORY_FACTS_TOUCH, withBody(new JsonObject().put("ids", new JsonArray().add(id))));
    JsonObject item = list("/api/v1/memories/facts/?fact_type=world_knowledge&limit=1000").getJsonArray("items")
        .stream().map(JsonObject.class::cast).filter(f -> id.equals(f.getString("id"))).findFirst().orElseThrow();
    assertEquals(2, item.getInteger("access_count"));
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_facts WHERE id = '" + id
        + "' AND last_accessed IS NOT NULL"));
  }

  @Test
  void factsAreListedByScopeAndTypeNewestChangeFirst() throws Exception {
    String type = unique("fact-type");
    String agent = unique("lister");
    String a = fact("session", agent, "u", "a", 1, type).getJsonObject("fact").getString("id");
    String b = fact("user", agent, "u", "b", 2, type).getJsonObject("fact").getString("id");
    String c = fact("user", agent, "u", "c", 3, type).getJsonObject("fact").getString("id");

    JsonObject all = list("/api/v1/memories/facts/?fact_type=" + type);
    assertEquals(3, all.getLong("total"));
    assertEquals(List.of(c, b, a), ids(all));
    JsonObject item = all.getJsonArray("items").getJsonObject(0);
    assertEquals(FACT_ITEM, item.fieldNames());
    assertEquals("c", item.getString("key"));
    assertEquals(3, item.getInteger("value"));
    assertEquals("user", item.getString("scope"));
    assertEquals(agent, item.getString("agent_id"));

    fact("session", agent, "u", "a", 10, type); // overwriting a fact moves it to the top
    assertEquals(List.of(a, c, b), ids(list("/api/v1/memories/facts/?fact_type=" + type)));

    JsonObject users = list("/api/v1/memories/facts/?fact_type=" + type + "&scope=user");
    assertEquals(2, users.getLong("total"));
    assertEquals(List.of(c, b), ids(users));
    JsonObject page = list("/api/v1/memories/facts/?fact_type=" + type + "&limit=1&offset=1");
    assertEquals(3, page.getLong("total"), "total counts every match, not the page");
    assertEquals(List.of(c), ids(page));
    assertEquals(0, list("/api/v1/memories/facts/?fact_type=" + type + "&scope=global").getLong("total"));
  }

  @Test
  void factsAreDeletedInBatches() throws Exception {
    String type = unique("doomed");
    String keep = fact("agent", "x", null, "keep", true, type).getJsonObject("fact").getString("id");
    String gone = fact("agent", "x", null, "gone", false, type).getJsonObject("fact").getString("id");
    Response deleted = batchDelete("facts", new JsonArray().add(gone).add("unknown-id"));
    assertEquals(204, deleted.status(), deleted.body());
    assertEquals("", deleted.body());
    assertEquals(List.of(keep), ids(list("/api/v1/memories/facts/?fact_type=" + type)));
  }

  @Test
  void episodesAreRecordedAmendedAndListedLatestStartFirst() throws Exception {
    String agent = unique("workflow");
    String early = episode(agent, "2026-03-01T10:00:00").getString("id");
    String late = episode(agent, "2026-03-01T12:00:00+00:00").getString("id");
    JsonObject middle = write(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", agent)
        .put("user_id", "telegram:9").put("session_id", "s-1").put("trigger_type", "telegram")
        .put("trigger_input", new JsonObject().put("text", "hi")).put("started_at", "2026-03-01T11:00:00")
        .put("conversation", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))));
    assertEquals(false, middle.getBoolean("success"));
    assertEquals("", middle.getString("error_message"));
    assertEquals(new JsonArray(), middle.getJsonArray("actions_taken"));
    assertEquals("2026-03-01T11:00:00.000000+00:00", middle.getString("started_at"));
    assertNull(middle.getValue("ended_at"));

    JsonObject done = write(StoreAddresses.MEMORY_EPISODES_UPDATE, new JsonObject().put("id", middle.getString("id"))
        .put("body", new JsonObject().put("success", true).put("ended_at", "2026-03-01T11:00:02")
            .put("duration_ms", 2000).put("summary", "greeted").put("final_output", "hello")
            .put("actions_taken", new JsonArray().add(new JsonObject().put("node_id", "agent_1")))));
    assertEquals(true, done.getBoolean("success"));
    assertEquals(2000, done.getInteger("duration_ms"));
    assertEquals("hello", done.getString("final_output"));
    assertEquals("telegram:9", done.getString("user_id"), "fields not given are kept");
    assertEquals(1, done.getJsonArray("conversation").size());

    JsonObject all = list("/api/v1/memories/episodes/?agent_id=" + agent);
    assertEquals(3, all.getLong("total"));
    assertEquals(List.of(late, middle.getString("id"), early), ids(all));
    JsonObject item = all.getJsonArray("items").getJsonObject(1);
    assertEquals(EPISODE_ITEM, item.fieldNames());
    assertEquals(true, item.getBoolean("success"));
    assertEquals("greeted", item.getString("summary"));
    assertEquals("2026-03-01T11:00:02.000000+00:00", item.getString("ended_at"));
    assertEquals("telegram", item.getString("trigger_type"));
    JsonObject second = list("/api/v1/memories/episodes/?agent_id=" + agent + "&limit=2&offset=1");
    assertEquals(List.of(middle.getString("id"), early), ids(second));
    assertEquals(0, list("/api/v1/memories/episodes/?agent_id=" + unique("nobody")).getLong("total"));

    assertEquals(ErrorCode.NOT_FOUND.value(), refused(StoreAddresses.MEMORY_EPISODES_UPDATE,
        new JsonObject().put("id", "no-such-episode").put("body", new JsonObject().put("success", true)), ADMIN)
        .failureCode());
  }

  @Test
  void episodesKeepLivingWhenTheirWorkflowRunIsDeleted() throws Exception {
    String slug = unique("remembered");
    JsonObject workflow = daemon.post("/api/v1/workflows/", new JsonObject().put("name", slug).put("slug", slug))
        .json();
    String executionId = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", slug)).json()
        .getString("execution_id");
    JsonObject recorded = write(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject()
        .put("agent_id", "workflow:" + workflow.getLong("id")).put("workflow_id", workflow.getLong("id"))
        .put("execution_id", executionId)));
    assertEquals(workflow.getLong("id"), recorded.getLong("workflow_id"));
    assertEquals(executionId, recorded.getString("execution_id"));

    assertEquals(204, daemon.post("/api/v1/executions/batch-delete/",
        new JsonObject().put("execution_ids", new JsonArray().add(executionId))).status());
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_episodes WHERE id = '" + recorded.getString("id")
        + "' AND execution_id IS NULL AND workflow_id IS NOT NULL"));
    assertEquals(204, daemon.delete("/api/v1/workflows/" + slug + "/").status());
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_episodes WHERE id = '" + recorded.getString("id")
        + "' AND workflow_id IS NULL"));
  }

  @Test
  void deletingEpisodesLeavesTheirFactsWithoutASource() throws Exception {
    String agent = unique("learner");
    String type = unique("learnt");
    String source = episode(agent, "2026-03-02T09:00:00").getString("id");
    String other = episode(agent, "2026-03-02T10:00:00").getString("id");
    JsonObject learnt = write(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", "name")
        .put("value", "Ada").put("fact_type", type).put("agent_id", agent).put("source_episode_id", source)
        .put("source_description", "told in chat"))).getJsonObject("fact");
    assertEquals(source, learnt.getString("source_episode_id"));

    assertEquals(204, batchDelete("episodes", new JsonArray().add(source)).status());
    assertEquals(List.of(other), ids(list("/api/v1/memories/episodes/?agent_id=" + agent)));
    assertEquals(List.of(learnt.getString("id")), ids(list("/api/v1/memories/facts/?fact_type=" + type)),
        "the fact outlives its episode");
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_facts WHERE id = '" + learnt.getString("id")
        + "' AND source_episode_id IS NULL AND source_description = 'told in chat'"));
  }

  @Test
  void proceduresAreTaughtUsedListedAndDeleted() throws Exception {
    String agent = unique("cook");
    JsonObject parent = procedure(agent, "greet");
    JsonObject taught = write(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(new JsonObject().put("agent_id", agent)
        .put("name", "greet-better").put("procedure_type", "tool_sequence").put("description", "politely")
        .put("procedure_content", new JsonArray().add("lookup").add("reply")).put("source", "evolved")
        .put("parent_procedure_id", parent.getString("id")).put("trigger_conditions", new JsonObject().put("on", "hi"))));
    assertTrue(taught.getBoolean("created"));
    JsonObject child = taught.getJsonObject("procedure");
    assertEquals(0.5, child.getDouble("success_rate"), "never used: 0.5");
    assertEquals("evolved", child.getString("source"));
    assertEquals(true, child.getBoolean("is_active"));

    JsonObject revised = write(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(new JsonObject().put("agent_id", agent)
        .put("name", "greet").put("procedure_type", "code_snippet").put("procedure_content", "print('hi')")
        .put("is_active", false)));
    assertEquals(false, revised.getBoolean("created"));
    assertEquals(parent.getString("id"), revised.getJsonObject("procedure").getString("id"));
    assertEquals("code_snippet", revised.getJsonObject("procedure").getString("procedure_type"));
    assertEquals(false, revised.getJsonObject("procedure").getBoolean("is_active"));

    String childId = child.getString("id");
    write(StoreAddresses.MEMORY_PROCEDURES_RECORD_USE, new JsonObject().put("id", childId)
        .put("body", new JsonObject().put("success", true).put("duration_ms", 100)));
    write(StoreAddresses.MEMORY_PROCEDURES_RECORD_USE, new JsonObject().put("id", childId)
        .put("body", new JsonObject().put("success", true).put("duration_ms", 200)));
    JsonObject used = write(StoreAddresses.MEMORY_PROCEDURES_RECORD_USE, new JsonObject().put("id", childId)
        .put("body", new JsonObject().put("success", false).put("duration_ms", 600)));
    assertEquals(3, used.getInteger("times_used"));
    assertEquals(2, used.getInteger("times_succeeded"));
    assertEquals(1, used.getInteger("times_failed"));
    assertEquals(2.0 / 3, used.getDouble("success_rate"), 1e-9);
    assertEquals(300.0, used.getDouble("avg_duration_ms"), 1e-9);
    assertNotNull(used.getString("last_used_at"));

    JsonObject all = list("/api/v1/memories/procedures/?agent_id=" + agent);
    assertEquals(2, all.getLong("total"));
    assertEquals(List.of(childId, parent.getString("id")), ids(all), "newest first");
    JsonObject item = all.getJsonArray("items").getJsonObject(0);
    assertEquals(PROCEDURE_ITEM, item.fieldNames());
    assertEquals(2.0 / 3, item.getDouble("success_rate"), 1e-9);
    assertEquals("politely", item.getString("description"));
    assertEquals(List.of(parent.getString("id")),
        ids(list("/api/v1/memories/procedures/?agent_id=" + agent + "&offset=1")));

    assertEquals(204, batchDelete("procedures", new JsonArray().add(parent.getString("id"))).status());
    assertEquals(List.of(childId), ids(list("/api/v1/memories/procedures/?agent_id=" + agent)));
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_procedures WHERE id = '" + childId
        + "' AND parent_procedure_id IS NULL"));
    assertEquals(ErrorCode.NOT_FOUND.value(), refused(StoreAddresses.MEMORY_PROCEDURES_RECORD_USE,
        new JsonObject().put("id", parent.getString("id")).put("body", new JsonObject().put("success", true)), ADMIN)
        .failureCode());
  }

  @Test
  void memoryUsersAreIdentifiedListedMostRecentlySeenFirstAndDeleted() throws Exception {
    JsonArray existing = new JsonArray(ids(list("/api/v1/memories/users/?limit=1000")).stream()
        .map(Object.class::cast).toList());
    assertEquals(204, batchDelete("users", existing).status());

    JsonObject ada = memoryUser(new JsonObject().put("canonical_id", "telegram:100").put("display_name", "Ada")
        .put("telegram_id", "100").put("email", "ada@example.org"));
    assertTrue(ada.getBoolean("created"));
    String adaId = ada.getJsonObject("user").getString("id");
    assertEquals(0, ada.getJsonObject("user").getInteger("total_conversations"));
    assertEquals(new JsonObject(), ada.getJsonObject("user").getJsonObject("preferences_cache"));
    String bob = memoryUser(new JsonObject().put("canonical_id", "telegram:200").put("telegram_id", "200"))
        .getJsonObject("user").getString("id");
    String eve = memoryUser(new JsonObject().put("canonical_id", "email:eve").put("merged_into_id", bob))
        .getJsonObject("user").getString("id");
    assertEquals(List.of(eve, bob, adaId), ids(list("/api/v1/memories/users/")));

    JsonObject seen = memoryUser(new JsonObject().put("canonical_id", "telegram:100").put("conversation", true)
        .put("preferences_cache", new JsonObject().put("tone", "brief")));
    assertEquals(false, seen.getBoolean("created"));
    JsonObject user = seen.getJsonObject("user");
    assertEquals(adaId, user.getString("id"));
    assertEquals(1, user.getInteger("total_conversations"));
    assertNotNull(user.getString("last_conversation_at"));
    assertEquals("Ada", user.getString("display_name"), "fields not given are kept");
    assertEquals("brief", user.getJsonObject("preferences_cache").getString("tone"));
    assertNotEquals(ada.getJsonObject("user").getString("last_seen_at"), user.getString("last_seen_at"));

    JsonObject all = list("/api/v1/memories/users/");
    assertEquals(3, all.getLong("total"));
    assertEquals(List.of(adaId, eve, bob), ids(all));
    JsonObject item = all.getJsonArray("items").getJsonObject(0);
    assertEquals(USER_ITEM, item.fieldNames());
    assertEquals("ada@example.org", item.getString("email"));
    assertEquals("100", item.getString("telegram_id"));
    assertEquals(List.of(eve), ids(list("/api/v1/memories/users/?limit=1&offset=1")));

    ReplyException taken = refused(StoreAddresses.MEMORY_USERS_UPSERT, withBody(new JsonObject()
        .put("canonical_id", "telegram:300").put("telegram_id", "100")), ADMIN);
    assertEquals(ErrorCode.CONFLICT.value(), taken.failureCode());
    assertEquals(3, daemon.count("SELECT COUNT(*) FROM memory_users"));

    assertEquals(204, batchDelete("users", new JsonArray().add(bob)).status());
    assertEquals(List.of(adaId, eve), ids(list("/api/v1/memories/users/")));
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_users WHERE id = '" + eve
        + "' AND merged_into_id IS NULL"));
  }

  @Test
  void normalUsersAreRefusedEverywhereAndChangeNothing() throws Exception {
    String key = daemon.createNormalUser(unique("curious"));
    String type = unique("guarded");
    String id = fact("agent", "guarded", null, "secret", "x", type).getJsonObject("fact").getString("id");
    for (String kind : List.of("facts", "episodes", "procedures", "users")) {
      Response listed = daemon.send("GET", "/api/v1/memories/" + kind + "/", key, null);
      assertEquals(403, listed.status(), kind + ": " + listed.body());
      assertEquals("Admin access required.", listed.detail());
      Response deleted = daemon.send("POST", "/api/v1/memories/" + kind + "/batch-delete/", key,
          new JsonObject().put("ids", new JsonArray().add(id)).encode());
      assertEquals(403, deleted.status(), kind + ": " + deleted.body());
      assertEquals("Admin access required.", deleted.detail());
    }
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM memory_facts WHERE id = '" + id + "'"));
    assertEquals(401, daemon.send("GET", "/api/v1/memories/facts/", null, null).status());

    JsonObject anyBody = withBody(new JsonObject().put("ids", new JsonArray().add(id)));
    for (String address : List.of(StoreAddresses.MEMORY_FACTS_UPSERT, StoreAddresses.MEMORY_FACTS_TOUCH,
        StoreAddresses.MEMORY_EPISODES_RECORD, StoreAddresses.MEMORY_EPISODES_UPDATE,
        StoreAddresses.MEMORY_PROCEDURES_UPSERT, StoreAddresses.MEMORY_PROCEDURES_RECORD_USE,
        StoreAddresses.MEMORY_USERS_UPSERT, StoreAddresses.MEMORY_FACTS_BATCH_DELETE)) {
      ReplyException refused = refused(address, anyBody.copy().put("id", id), NORMAL);
      assertEquals(ErrorCode.FORBIDDEN.value(), refused.failureCode(), address);
    }
    assertEquals(0, daemon.count("SELECT access_count FROM memory_facts WHERE id = '" + id + "'"));
  }

  @Test
  void badInputIsRefusedWithA4xxAndChangesNothing() throws Exception {
    String type = unique("stable");
    String id = fact("agent", "stable", null, "k", "v", type).getJsonObject("fact").getString("id");
    long[] before = counts();

    for (String kind : List.of("facts", "episodes", "procedures", "users")) {
      String path = "/api/v1/memories/" + kind + "/batch-delete/";
      for (String body : List.of("{\"ids\": \"" + id + "\"}", "{\"ids\": [1, 2]}", "{\"ids\": [[\"" + id + "\"]]}",
          "{}", "{\"ids\": null}", "[\"" + id + "\"]", "not json")) {
        Response refused = daemon.send("POST", path, daemon.adminKey, body);
        assertEquals(422, refused.status(), path + " " + body + ": " + refused.body());
        assertNotNull(refused.detail());
      }
      for (String query : List.of("?limit=-1", "?limit=0", "?limit=abc", "?offset=-1", "?limit=1.5")) {
        Response refused = daemon.get("/api/v1/memories/" + kind + "/" + query);
        assertEquals(422, refused.status(), kind + query + ": " + refused.body());
        assertTrue(refused.detail().contains("limit") || refused.detail().contains("offset"), refused.detail());
      }
    }

    // Facts
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("value", 1).put("fact_type", "t")));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", "k").put("fact_type", "t")));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", "k").put("value", 1)));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", "k").put("value", 1)
        .put("fact_type", "t").put("scope", "planet")));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", "k").put("value", 1)
        .put("fact_type", "t").put("confidence", 2)));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", 5).put("value", 1)
        .put("fact_type", "t")));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, withBody(new JsonObject().put("key", "k").put("value", 1)
        .put("fact_type", "t").put("source_episode_id", "no-such-episode")));
    assertInvalid(StoreAddresses.MEMORY_FACTS_UPSERT, new JsonObject().put("body", "not an object"));
    assertInvalid(StoreAddresses.MEMORY_FACTS_TOUCH, withBody(new JsonObject().put("ids", id)));
    // Episodes
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject()));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("workflow_id", "seven")));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("workflow_id", 987654321)));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("execution_id", "no-such-execution")));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("conversation", "hello")));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("success", "yes")));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("duration_ms", -5)));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("started_at", "yesterday")));
    assertInvalid(StoreAddresses.MEMORY_EPISODES_RECORD, withBody(new JsonObject().put("agent_id", "a")
        .put("success", null)));
    // Procedures
    JsonObject procedure = new JsonObject().put("agent_id", "a").put("name", "n").put("procedure_type", "prompt_template")
        .put("procedure_content", "x");
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(procedure.copy().put("procedure_type", "spell")));
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(procedure.copy().putNull("procedure_content")));
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(procedure.copy().put("trigger_conditions", "x")));
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(procedure.copy().put("source", "dreamt")));
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(procedure.copy().put("is_active", "no")));
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_UPSERT, withBody(procedure.copy()
        .put("parent_procedure_id", "no-such-procedure")));
    assertInvalid(StoreAddresses.MEMORY_PROCEDURES_RECORD_USE, new JsonObject().put("id", "p").put("body",
        new JsonObject()));
    // Memory users
    assertInvalid(StoreAddresses.MEMORY_USERS_UPSERT, withBody(new JsonObject()));
    assertInvalid(StoreAddresses.MEMORY_USERS_UPSERT, withBody(new JsonObject().put("canonical_id", "c:1")
        .put("preferences_cache", "x")));
    assertInvalid(StoreAddresses.MEMORY_USERS_UPSERT, withBody(new JsonObject().put("canonical_id", "c:1")
        .put("conversation", 1)));
    assertInvalid(StoreAddresses.MEMORY_USERS_UPSERT, withBody(new JsonObject().put("canonical_id", "c:1")
        .put("merged_into_id", "no-such-user")));

    assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(counts()), "nothing changed");
    assertEquals(List.of(id), ids(list("/api/v1/memories/facts/?fact_type=" + type)));
  }

  private static long[] counts() throws Exception {
    return new long[] {
        daemon.count("SELECT COUNT(*) FROM memory_facts"),
        daemon.count("SELECT COUNT(*) FROM memory_episodes"),
        daemon.count("SELECT COUNT(*) FROM memory_procedures"),
        daemon.count("SELECT COUNT(*) FROM memory_users"),
        daemon.count("SELECT COALESCE(SUM(times_confirmed + access_count), 0) FROM memory_facts")};
  }
}
