package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pipelit.pipelitd.contracts.BackupAddresses;
import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of the table, in both spellings (with and without the trailing slash): the store
 * address, the exact store request, the identity headers and the success answer. The expectations are
 * written out here independently of {@link ApiRoutes}, so a typo in the table fails a test.
 */
class RouteMappingTest extends HttpApiTestBase {

  /**
   * One route exercised once.
   *
   * @param method  HTTP method
   * @param path    path without trailing slash
   * @param query   query string with its '?', or ""
   * @param body    request body, or null for none
   * @param address expected store address
   * @param request expected store request
   * @param status  expected success status
   */
  record Case(String method, String path, String query, String body, String address, JsonObject request,
      int status) {
    @Override
    public String toString() {
      return method + " " + path + query;
    }
  }

  private static final JsonObject WORKFLOW_IN = new JsonObject().put("name", "My flow").put("slug", "my-flow");
  private static final JsonObject NODE_IN = new JsonObject().put("component_type", "agent")
      .put("config", new JsonObject().put("system_prompt", "Be brief."));
  private static final JsonObject EDGE_IN = new JsonObject().put("source_node_id", "a").put("target_node_id", "b");

  static List<Case> cases() {
    String wf = "/api/v1/workflows";
    String ex = "/api/v1/executions";
    String ck = "/api/v1/checkpoints";
    String cr = "/api/v1/credentials";
    String ws = "/api/v1/workspaces";
    String st = "/api/v1/settings";
    String sc = "/api/v1/schedules";
    return List.of(
        new Case("GET", ws, "", null, StoreAddresses.WORKSPACES_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("POST", ws, "", "{\"name\":\"w\"}", StoreAddresses.WORKSPACES_CREATE,
            obj("body", obj("name", "w")), 201),
        new Case("POST", ws + "/batch-delete", "", "{\"ids\":[1]}", StoreAddresses.WORKSPACES_BATCH_DELETE,
            obj("body", obj("ids", new JsonArray().add(1))), 204),
        new Case("GET", ws + "/3", "", null, StoreAddresses.WORKSPACES_GET, obj("workspace_id", 3L), 200),
        new Case("PATCH", ws + "/3", "", "{\"allow_network\":true}", StoreAddresses.WORKSPACES_UPDATE,
            obj("workspace_id", 3L, "body", obj("allow_network", true)), 200),
        new Case("DELETE", ws + "/3", "", null, StoreAddresses.WORKSPACES_DELETE, obj("workspace_id", 3L), 204),
        new Case("POST", ws + "/3/reset", "", null, StoreAddresses.WORKSPACES_RESET, obj("workspace_id", 3L), 200),
        new Case("POST", ws + "/3/reset-rootfs", "", null, StoreAddresses.WORKSPACES_RESET_ROOTFS,
            obj("workspace_id", 3L), 200),
        new Case("GET", st, "", null, StoreAddresses.SETTINGS_GET, obj(), 200),
        new Case("PATCH", st, "", "{\"log_level\":\"INFO\"}", StoreAddresses.SETTINGS_UPDATE,
            obj("body", obj("log_level", "INFO")), 200),
        new Case("POST", st + "/recheck-environment", "", null, StoreAddresses.SETTINGS_RECHECK_ENVIRONMENT, obj(),
            200),
        new Case("GET", cr, "", null, StoreAddresses.CREDENTIALS_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("POST", cr, "", "{\"name\":\"k\"}", StoreAddresses.CREDENTIALS_CREATE,
            obj("body", obj("name", "k")), 201),
        new Case("POST", cr + "/batch-delete", "", "{\"ids\":[1]}", StoreAddresses.CREDENTIALS_BATCH_DELETE,
            obj("body", obj("ids", new JsonArray().add(1))), 204),
        new Case("GET", cr + "/7", "", null, StoreAddresses.CREDENTIALS_GET, obj("credential_id", 7L), 200),
        new Case("PATCH", cr + "/7", "", "{\"name\":\"n\"}", StoreAddresses.CREDENTIALS_UPDATE,
            obj("credential_id", 7L, "body", obj("name", "n")), 200),
        new Case("DELETE", cr + "/7", "", null, StoreAddresses.CREDENTIALS_DELETE, obj("credential_id", 7L), 204),
        new Case("GET", wf, "", null, StoreAddresses.WORKFLOWS_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("GET", wf, "?limit=10&offset=20", null, StoreAddresses.WORKFLOWS_LIST,
            obj("limit", 10, "offset", 20), 200),
        new Case("POST", wf, "", WORKFLOW_IN.encode(), StoreAddresses.WORKFLOWS_CREATE, obj("body", WORKFLOW_IN), 201),
        new Case("POST", wf + "/batch-delete", "", "{\"slugs\":[\"a\",\"b\"]}", StoreAddresses.WORKFLOWS_BATCH_DELETE,
            obj("body", obj("slugs", new JsonArray().add("a").add("b"))), 204),
        new Case("GET", wf + "/my-flow", "", null, StoreAddresses.WORKFLOWS_GET, obj("slug", "my-flow"), 200),
        new Case("PATCH", wf + "/my-flow", "", "{\"description\":\"x\"}", StoreAddresses.WORKFLOWS_UPDATE,
            obj("slug", "my-flow", "body", obj("description", "x")), 200),
        new Case("DELETE", wf + "/my-flow", "", null, StoreAddresses.WORKFLOWS_DELETE, obj("slug", "my-flow"), 204),

        new Case("GET", wf + "/my-flow/nodes", "", null, StoreAddresses.NODES_LIST, obj("slug", "my-flow"), 200),
        new Case("POST", wf + "/my-flow/nodes", "", NODE_IN.encode(), StoreAddresses.NODES_CREATE,
            obj("slug", "my-flow", "body", NODE_IN), 201),
        new Case("PATCH", wf + "/my-flow/nodes/agent_1f2e", "", "{\"label\":\"L\"}", StoreAddresses.NODES_UPDATE,
            obj("slug", "my-flow", "node_id", "agent_1f2e", "body", obj("label", "L")), 200),
        new Case("DELETE", wf + "/my-flow/nodes/agent_1f2e", "", null, StoreAddresses.NODES_DELETE,
            obj("slug", "my-flow", "node_id", "agent_1f2e"), 204),

        new Case("GET", wf + "/my-flow/edges", "", null, StoreAddresses.EDGES_LIST, obj("slug", "my-flow"), 200),
        new Case("POST", wf + "/my-flow/edges", "", EDGE_IN.encode(), StoreAddresses.EDGES_CREATE,
            obj("slug", "my-flow", "body", EDGE_IN), 201),
        new Case("PATCH", wf + "/my-flow/edges/42", "", "{\"priority\":3}", StoreAddresses.EDGES_UPDATE,
            obj("slug", "my-flow", "edge_id", 42, "body", obj("priority", 3)), 200),
        new Case("DELETE", wf + "/my-flow/edges/42", "", null, StoreAddresses.EDGES_DELETE,
            obj("slug", "my-flow", "edge_id", 42), 204),

        new Case("GET", ex, "", null, StoreAddresses.EXECUTIONS_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("GET", ex, "?workflow_slug=my-flow&status=running&limit=5&offset=1", null,
            StoreAddresses.EXECUTIONS_LIST,
            obj("workflow_slug", "my-flow", "status", "running", "limit", 5, "offset", 1), 200),
        new Case("GET", ex, "?status=", null, StoreAddresses.EXECUTIONS_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("POST", ex, "", "{\"workflow_slug\":\"my-flow\"}", StoreAddresses.EXECUTIONS_CREATE,
            obj("body", obj("workflow_slug", "my-flow")), 201),
        new Case("POST", ex + "/batch-delete", "", "{\"execution_ids\":[\"e1\"]}",
            StoreAddresses.EXECUTIONS_BATCH_DELETE, obj("body", obj("execution_ids", new JsonArray().add("e1"))), 204),
        new Case("GET", ex + "/e-123", "", null, StoreAddresses.EXECUTIONS_GET, obj("execution_id", "e-123"), 200),
        new Case("GET", ex + "/e-123/status", "", null, StoreAddresses.EXECUTIONS_STATUS, obj("execution_id", "e-123"),
            200),
        new Case("PATCH", ex + "/e-123", "", "{\"status\":\"completed\"}", StoreAddresses.EXECUTIONS_UPDATE,
            obj("execution_id", "e-123", "body", obj("status", "completed")), 200),
        new Case("POST", ex + "/e-123/cancel", "", null, StoreAddresses.EXECUTIONS_CANCEL,
            obj("execution_id", "e-123"), 200),
        new Case("POST", ex + "/e-123/logs", "", "{\"node_id\":\"n\",\"status\":\"success\"}",
            StoreAddresses.EXECUTIONS_APPEND_LOG,
            obj("execution_id", "e-123", "body", obj("node_id", "n", "status", "success")), 201),

        new Case("POST", wf + "/my-flow/nodes/clock/schedule/start", "", null, StoreAddresses.NODE_SCHEDULE_START,
            obj("slug", "my-flow", "node_id", "clock"), 200),
        new Case("POST", wf + "/my-flow/nodes/clock/schedule/pause", "", null, StoreAddresses.NODE_SCHEDULE_PAUSE,
            obj("slug", "my-flow", "node_id", "clock"), 200),
        new Case("POST", wf + "/my-flow/nodes/clock/schedule/stop", "", null, StoreAddresses.NODE_SCHEDULE_STOP,
            obj("slug", "my-flow", "node_id", "clock"), 200),
        new Case("GET", sc, "", null, StoreAddresses.SCHEDULES_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("GET", sc, "?status=paused&workflow_id=3&limit=5", null, StoreAddresses.SCHEDULES_LIST,
            obj("status", "paused", "workflow_id", "3", "limit", 5, "offset", 0), 200),
        new Case("POST", sc, "", "{\"name\":\"n\"}", StoreAddresses.SCHEDULES_CREATE, obj("body", obj("name", "n")), 201),
        new Case("POST", sc + "/batch-delete", "", "{\"schedule_ids\":[\"j1\"]}", StoreAddresses.SCHEDULES_BATCH_DELETE,
            obj("body", obj("schedule_ids", new JsonArray().add("j1"))), 204),
        new Case("GET", sc + "/j-1", "", null, StoreAddresses.SCHEDULES_GET, obj("job_id", "j-1"), 200),
        new Case("PATCH", sc + "/j-1", "", "{\"name\":\"m\"}", StoreAddresses.SCHEDULES_UPDATE,
            obj("job_id", "j-1", "body", obj("name", "m")), 200),
        new Case("DELETE", sc + "/j-1", "", null, StoreAddresses.SCHEDULES_DELETE, obj("job_id", "j-1"), 204),
        new Case("POST", sc + "/j-1/pause", "", null, StoreAddresses.SCHEDULES_PAUSE, obj("job_id", "j-1"), 200),
        new Case("POST", sc + "/j-1/resume", "", null, StoreAddresses.SCHEDULES_RESUME, obj("job_id", "j-1"), 200),

        new Case("POST", "/api/v1/maintenance/prune", "", "{\"older_than_days\":30,\"dry_run\":true}",
            StoreAddresses.MAINTENANCE_PRUNE, obj("body", obj("older_than_days", 30, "dry_run", true)), 200),
        new Case("POST", ck + "/prune", "", "{\"keep_last\":2}", CheckpointAddresses.PRUNE,
            obj("body", obj("keep_last", 2)), 200),
        new Case("GET", ck + "/stats", "?thread_id=t1&limit=5", null, CheckpointAddresses.STATS,
            obj("thread_id", "t1", "limit", "5"), 200),
        new Case("GET", ck + "/1:7/latest", "?ns=", null, CheckpointAddresses.GET_TUPLE,
            obj("thread_id", "1:7", "ns", ""), 200),
        new Case("GET", ck + "/1:7", "?ns=sub&before=c9&limit=10&metadata.source=loop&metadata.step=3", null,
            CheckpointAddresses.LIST, obj("thread_id", "1:7", "ns", "sub", "before", "c9", "limit", "10",
                "filter", obj("source", "loop", "step", 3)), 200),
        new Case("DELETE", ck + "/1:7", "", null, CheckpointAddresses.DELETE_THREAD, obj("thread_id", "1:7"), 204),
        new Case("POST", ck + "/1:7/copy", "", "{\"target_thread_id\":\"1:8\"}", CheckpointAddresses.COPY_THREAD,
            obj("thread_id", "1:7", "body", obj("target_thread_id", "1:8")), 201),
        new Case("GET", ck + "/1:7/c1", "", null, CheckpointAddresses.GET_TUPLE,
            obj("thread_id", "1:7", "checkpoint_id", "c1"), 200),
        new Case("PUT", ck + "/1:7/c1", "?ns=", "{\"type\":\"msgpack\"}", CheckpointAddresses.PUT,
            obj("thread_id", "1:7", "checkpoint_id", "c1", "ns", "", "body", obj("type", "msgpack")), 201),
        new Case("POST", ck + "/1:7/c1/writes", "?ns=a", "{\"task_id\":\"t\"}", CheckpointAddresses.PUT_WRITES,
            obj("thread_id", "1:7", "checkpoint_id", "c1", "ns", "a", "body", obj("task_id", "t")), 201),
        new Case("GET", "/api/v1/memories/checkpoints", "?thread_id=1:7&limit=5", null, CheckpointAddresses.ADMIN_LIST,
            obj("thread_id", "1:7", "limit", 5, "offset", 0), 200),
        new Case("POST", "/api/v1/memories/checkpoints/batch-delete", "", "{\"thread_ids\":[\"1:7\"]}",
            CheckpointAddresses.BATCH_DELETE, obj("body", obj("thread_ids", new JsonArray().add("1:7"))), 204),
        // Agent memory (§3.13)
        new Case("GET", "/api/v1/memories/facts", "?scope=user&fact_type=correction&limit=5", null,
            StoreAddresses.MEMORY_FACTS_LIST, obj("scope", "user", "fact_type", "correction", "limit", 5, "offset", 0),
            200),
        new Case("POST", "/api/v1/memories/facts/batch-delete", "", "{\"ids\":[\"f\"]}",
            StoreAddresses.MEMORY_FACTS_BATCH_DELETE, obj("body", obj("ids", new JsonArray().add("f"))), 204),
        new Case("GET", "/api/v1/memories/episodes", "?agent_id=workflow:3&offset=2", null,
            StoreAddresses.MEMORY_EPISODES_LIST, obj("agent_id", "workflow:3", "limit", 50, "offset", 2), 200),
        new Case("POST", "/api/v1/memories/episodes/batch-delete", "", "{\"ids\":[\"e\"]}",
            StoreAddresses.MEMORY_EPISODES_BATCH_DELETE, obj("body", obj("ids", new JsonArray().add("e"))), 204),
        new Case("GET", "/api/v1/memories/procedures", "?agent_id=a", null,
            StoreAddresses.MEMORY_PROCEDURES_LIST, obj("agent_id", "a", "limit", 50, "offset", 0), 200),
        new Case("POST", "/api/v1/memories/procedures/batch-delete", "", "{\"ids\":[\"p\"]}",
            StoreAddresses.MEMORY_PROCEDURES_BATCH_DELETE, obj("body", obj("ids", new JsonArray().add("p"))), 204),
        new Case("GET", "/api/v1/memories/users", "", null,
            StoreAddresses.MEMORY_USERS_LIST, obj("limit", 50, "offset", 0), 200),
        new Case("POST", "/api/v1/memories/users/batch-delete", "", "{\"ids\":[\"u\"]}",
            StoreAddresses.MEMORY_USERS_BATCH_DELETE, obj("body", obj("ids", new JsonArray().add("u"))), 204),
        new Case("POST", "/api/v1/backups", "", null, BackupAddresses.CREATE, new JsonObject(), 201),
        new Case("GET", "/api/v1/backups", "", null, BackupAddresses.LIST, new JsonObject(), 200));
  }

  static Stream<Arguments> casesInBothSpellings() {
    return cases().stream().flatMap(c -> Stream.of(Arguments.of(c, true), Arguments.of(c, false)));
  }

  @ParameterizedTest(name = "{0} (trailing slash: {1})")
  @MethodSource("casesInBothSpellings")
  void routeForwardsItsRequestAndAnswers(Case c, boolean trailingSlash) {
    Object reply = cannedReply(c.address());
    // Checkpoint routes refuse non-admin keys before reading the body (HttpApiVerticle.adminBeforeBody).
    String role = c.path().startsWith("/api/v1/checkpoints") ? Identity.ADMIN : Identity.NORMAL;
    store.user(7, role).reply(c.address(), reply);

    Response response = call(c.method(), c.path() + (trailingSlash ? "/" : "") + c.query(), c.body());

    assertEquals(c.status(), response.status(), response.body());
    FakeStore.Call call = store.onlyCall(c.address());
    assertEquals(c.request(), call.json());
    assertEquals("7", call.headers().get(StoreHeaders.USER_ID));
    assertEquals(role, call.headers().get(StoreHeaders.USER_ROLE));
    if (c.status() == 204) {
      assertEquals("", response.body());
    } else {
      assertEquals("application/json", response.contentType());
      assertEquals(reply, Json.decodeValue(response.body()));
    }
  }

  @Test
  void theCasesCoverEveryRouteOfTheTable() {
    Set<String> tested = cases().stream().map(c -> c.method() + " " + c.address()).collect(Collectors.toSet());
    Set<String> declared = ApiRoutes.ALL.stream().map(r -> r.method().name() + " " + r.address())
        .collect(Collectors.toSet());
    assertEquals(declared, tested);
    // 38 + 11 workspaces/settings + 8 memory + 11 schedules + POST /maintenance/prune + 2 backups
    assertEquals(72, ApiRoutes.ALL.size()); // + GET /executions/{id}/status/
  }

  @Test
  void percentEncodedPathParametersArriveDecoded() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_GET, new JsonObject());

    assertEquals(200, get("/api/v1/workflows/my%20flow%C3%A9/").status());

    assertEquals("my flow\u00e9", store.onlyCall(StoreAddresses.WORKFLOWS_GET).json().getString("slug"));
  }

  @Test
  void getOnBatchDeleteReadsTheWorkflowOfThatSlug() {
    // GET .../batch-delete/ is a workflow named "batch-delete", as in Pipelit (route order).
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_GET, new JsonObject());

    assertEquals(200, get("/api/v1/workflows/batch-delete/").status());

    assertEquals("batch-delete", store.onlyCall(StoreAddresses.WORKFLOWS_GET).json().getString("slug"));
  }

  @Test
  void anAdminIdentityIsForwardedAsAdmin() {
    store.user(1, Identity.ADMIN).reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject());

    assertEquals(200, get("/api/v1/workflows/").status());

    FakeStore.Call call = store.onlyCall(StoreAddresses.WORKFLOWS_LIST);
    assertEquals("1", call.headers().get(StoreHeaders.USER_ID));
    assertEquals(Identity.ADMIN, call.headers().get(StoreHeaders.USER_ROLE));
    // The authentication request itself carries the key and no identity.
    FakeStore.Call auth = store.onlyCall(StoreAddresses.AUTHENTICATE);
    assertEquals(new JsonObject().put("key", FakeStore.GOOD_KEY), auth.json());
    assertNull(auth.headers().get(StoreHeaders.USER_ID));
  }

  private static Object cannedReply(String address) {
    if (address.equals(StoreAddresses.NODES_LIST) || address.equals(StoreAddresses.EDGES_LIST)) {
      return new JsonArray().add(new JsonObject().put("id", 1).put("from", address));
    }
    return new JsonObject().put("from", address).put("nested", new JsonObject().put("n", 1.5));
  }

  private static JsonObject obj(Object... keysAndValues) {
    JsonObject json = new JsonObject();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      json.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return json;
  }
}
