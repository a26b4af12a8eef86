package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Workflow routes over real HTTP against the deployed verticles and a real SQLite file. */
class WorkflowApiTest extends BackendSuite {

  private static JsonObject workflow(String slug) {
    return new JsonObject().put("name", "Workflow " + slug).put("slug", slug);
  }

  @Test
  void createReturnsWorkflowOutWithPipelitDefaults() throws Exception {
    Response created = daemon.post("/api/v1/workflows/", workflow("defaults"));
    assertEquals(201, created.status(), created.body());
    JsonObject body = created.json();
    assertEquals("defaults", body.getString("slug"));
    assertEquals("Workflow defaults", body.getString("name"));
    assertEquals("", body.getString("description"));
    assertTrue(body.getBoolean("is_active"));
    assertFalse(body.getBoolean("is_public"));
    assertFalse(body.getBoolean("is_default"));
    assertEquals(600, body.getInteger("max_execution_seconds"));
    assertEquals(0, body.getInteger("node_count"));
    assertEquals(0, body.getInteger("edge_count"));
    assertNull(body.getValue("tags"));
    assertNotNull(body.getString("created_at"));
    assertTrue(body.getString("created_at").endsWith("+00:00"), body.getString("created_at"));
    assertTrue(created.contentType().startsWith("application/json"));
  }

  @Test
  void slugCollisionsGetNumberedSuffixes() throws Exception {
    assertEquals("dup", daemon.post("/api/v1/workflows/", workflow("dup")).json().getString("slug"));
    assertEquals("dup-1", daemon.post("/api/v1/workflows/", workflow("dup")).json().getString("slug"));
    assertEquals("dup-2", daemon.post("/api/v1/workflows/", workflow("dup")).json().getString("slug"));
  }

  @Test
  void listIsPaginatedWithTotal() throws Exception {
    for (int i = 0; i < 3; i++) {
      daemon.post("/api/v1/workflows/", workflow("page-" + i));
    }
    JsonObject all = daemon.get("/api/v1/workflows/?limit=1000").json();
    long total = all.getLong("total");
    assertTrue(total >= 3);
    assertEquals(total, all.getJsonArray("items").size());
    JsonObject page = daemon.get("/api/v1/workflows/?limit=2&offset=1").json();
    assertEquals(2, page.getJsonArray("items").size());
    assertEquals(total, page.getLong("total"));
    assertEquals(all.getJsonArray("items").getJsonObject(1).getLong("id"),
        page.getJsonArray("items").getJsonObject(0).getLong("id"));
  }

  @Test
  void detailIncludesNodesAndEdgesAndBothSlashSpellingsWork() throws Exception {
    daemon.post("/api/v1/workflows/", workflow("detail"));
    daemon.post("/api/v1/workflows/detail/nodes/", new JsonObject().put("node_id", "a").put("component_type", "agent"));
    daemon.post("/api/v1/workflows/detail/nodes/", new JsonObject().put("node_id", "b").put("component_type", "code"));
    daemon.post("/api/v1/workflows/detail/edges/", new JsonObject().put("source_node_id", "a").put("target_node_id", "b"));
    for (String path : new String[] {"/api/v1/workflows/detail/", "/api/v1/workflows/detail"}) {
      Response response = daemon.get(path);
      assertEquals(200, response.status(), path + " " + response.body());
      JsonObject detail = response.json();
      assertEquals(2, detail.getJsonArray("nodes").size());
      assertEquals(1, detail.getJsonArray("edges").size());
      assertEquals(2, detail.getInteger("node_count"));
      assertEquals(1, detail.getInteger("edge_count"));
    }
  }

  @Test
  void patchAppliesOnlyTheFieldsSentAndPublishesAnEvent() throws Exception {
    daemon.post("/api/v1/workflows/", workflow("patchme").put("description", "keep"));
    JsonObject patched = daemon.patch("/api/v1/workflows/patchme/",
        new JsonObject().put("name", "Renamed").put("tags", new JsonArray().add("x"))).json();
    assertEquals("Renamed", patched.getString("name"));
    assertEquals("keep", patched.getString("description"));
    assertEquals(new JsonArray().add("x"), patched.getJsonArray("tags"));
  }

  @Test
  void patchToATakenSlugIsAConflictNotA500() throws Exception {
    daemon.post("/api/v1/workflows/", workflow("taken"));
    daemon.post("/api/v1/workflows/", workflow("mover"));
    Response response = daemon.patch("/api/v1/workflows/mover/", new JsonObject().put("slug", "taken"));
    assertEquals(409, response.status());
    assertTrue(response.detail().contains("taken"));
    assertEquals(200, daemon.get("/api/v1/workflows/mover/").status());
    Response renamed = daemon.patch("/api/v1/workflows/mover/", new JsonObject().put("slug", "moved"));
    assertEquals(200, renamed.status());
    assertEquals(404, daemon.get("/api/v1/workflows/mover/").status());
    assertEquals(200, daemon.get("/api/v1/workflows/moved/").status());
  }

  @Test
  void deleteRemovesNodesEdgesExecutionsLogsAndComponentConfigs() throws Exception {
    daemon.post("/api/v1/workflows/", workflow("doomed"));
    daemon.post("/api/v1/workflows/doomed/nodes/", new JsonObject().put("node_id", "m").put("component_type", "ai_model"));
    daemon.post("/api/v1/workflows/doomed/nodes/", new JsonObject().put("node_id", "a").put("component_type", "agent"));
    daemon.post("/api/v1/workflows/doomed/edges/", new JsonObject().put("source_node_id", "m")
        .put("target_node_id", "a").put("edge_label", "llm"));
    String executionId = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "doomed"))
        .json().getString("execution_id");
    assertEquals(201, daemon.post("/api/v1/executions/" + executionId + "/logs/",
        new JsonObject().put("node_id", "a").put("status", "completed")).status());
    long configsBefore = daemon.count("SELECT COUNT(*) FROM component_configs");

    assertEquals(204, daemon.delete("/api/v1/workflows/doomed/").status());

    assertEquals(404, daemon.get("/api/v1/workflows/doomed/").status());
    assertEquals(configsBefore - 2, daemon.count("SELECT COUNT(*) FROM component_configs"));
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM workflow_executions WHERE execution_id = '" + executionId + "'"));
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM execution_logs WHERE execution_id = '" + executionId + "'"));
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM component_configs c WHERE NOT EXISTS"
        + " (SELECT 1 FROM workflow_nodes n WHERE n.component_config_id = c.id)"));
    assertEquals(404, daemon.delete("/api/v1/workflows/doomed/").status());
  }

  @Test
  void batchDeleteSkipsUnknownSlugs() throws Exception {
    daemon.post("/api/v1/workflows/", workflow("batch-a"));
    daemon.post("/api/v1/workflows/", workflow("batch-b"));
    Response response = daemon.post("/api/v1/workflows/batch-delete/",
        new JsonObject().put("slugs", new JsonArray().add("batch-a").add("batch-b").add("never-was")));
    assertEquals(204, response.status());
    assertEquals("", response.body());
    assertEquals(404, daemon.get("/api/v1/workflows/batch-a/").status());
    assertEquals(404, daemon.get("/api/v1/workflows/batch-b/").status());
  }

  @Test
  void normalUsersSeeOnlyTheirOwnWorkflows() throws Exception {
    String alice = daemon.createNormalUser("alice-wf");
    String bob = daemon.createNormalUser("bob-wf");
    assertEquals(201, daemon.send("POST", "/api/v1/workflows/", alice, workflow("alice-only").encode()).status());
    assertEquals(200, daemon.send("GET", "/api/v1/workflows/alice-only/", alice, null).status());
    Response foreign = daemon.send("GET", "/api/v1/workflows/alice-only/", bob, null);
    assertEquals(404, foreign.status());
    assertEquals("Workflow not found.", foreign.detail());
    assertEquals(404, daemon.send("PATCH", "/api/v1/workflows/alice-only/", bob, "{\"name\":\"x\"}").status());
    assertEquals(404, daemon.send("DELETE", "/api/v1/workflows/alice-only/", bob, null).status());
    assertEquals(204, daemon.send("POST", "/api/v1/workflows/batch-delete/", bob,
        "{\"slugs\":[\"alice-only\"]}").status());
    assertEquals(200, daemon.send("GET", "/api/v1/workflows/alice-only/", alice, null).status());
    JsonObject bobsList = daemon.send("GET", "/api/v1/workflows/", bob, null).json();
    assertEquals(0, bobsList.getLong("total"));
    // The admin sees everyone's.
    assertEquals(200, daemon.get("/api/v1/workflows/alice-only/").status());
  }
}
