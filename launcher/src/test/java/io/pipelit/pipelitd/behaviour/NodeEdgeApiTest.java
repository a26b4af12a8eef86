package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Node and edge routes (Pipelit §3.5, §3.6) over real HTTP. */
class NodeEdgeApiTest extends BackendSuite {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** A fresh workflow per test; returns its base path. */
  private static String freshWorkflow() throws Exception {
    String slug = "wf-" + SEQUENCE.incrementAndGet();
    assertEquals(201, daemon.post("/api/v1/workflows/", new JsonObject().put("name", slug).put("slug", slug)).status());
    return "/api/v1/workflows/" + slug;
  }

  private static JsonObject node(String id, String type) {
    return new JsonObject().put("node_id", id).put("component_type", type);
  }

  @Test
  void createNodeWithConfigShapedByType() throws Exception {
    String wf = freshWorkflow();
    Response model = daemon.post(wf + "/nodes/", node("model", "ai_model").put("label", "GPT")
        .put("config", new JsonObject().put("model_name", "gpt-4o").put("temperature", 0.2).put("max_tokens", 512)
            .put("system_prompt", "ignored? no: kept for every type on patch only").put("priority", 9)));
    assertEquals(201, model.status(), model.body());
    JsonObject out = model.json();
    assertEquals("model", out.getString("node_id"));
    assertEquals("GPT", out.getString("label"));
    assertEquals("ai_model", out.getString("component_type"));
    JsonObject config = out.getJsonObject("config");
    assertEquals("gpt-4o", config.getString("model_name"));
    assertEquals(0.2, config.getDouble("temperature"));
    assertEquals(512, config.getInteger("max_tokens"));
    assertNull(config.getValue("system_prompt"), "ai_model keeps no prompt on create");
    assertEquals(0, config.getInteger("priority"), "trigger fields are defaults for non-triggers");
    assertTrue(config.getBoolean("is_active"));
    assertEquals(new JsonObject(), config.getJsonObject("trigger_config"));
    assertTrue(out.containsKey("schedule_job"));
    assertNull(out.getValue("schedule_job"));

    JsonObject agent = daemon.post(wf + "/nodes/", node("agent", "agent")
        .put("config", new JsonObject().put("system_prompt", "Be brief.").put("model_name", "dropped")
            .put("extra_config", new JsonObject().put("conversation_memory", true)))).json();
    assertEquals("Be brief.", agent.getJsonObject("config").getString("system_prompt"));
    assertEquals("", agent.getJsonObject("config").getString("model_name"));
    assertTrue(agent.getJsonObject("config").getJsonObject("extra_config").getBoolean("conversation_memory"));

    JsonObject trigger = daemon.post(wf + "/nodes/", node("chat", "trigger_chat")
        .put("config", new JsonObject().put("priority", 10).put("trigger_config", new JsonObject().put("a", 1)))).json();
    assertEquals(10, trigger.getJsonObject("config").getInteger("priority"));
    assertEquals(1, trigger.getJsonObject("config").getJsonObject("trigger_config").getInteger("a"));
  }

  @Test
  void generatedNodeIdsAndDuplicateIds() throws Exception {
    String wf = freshWorkflow();
    JsonObject generated = daemon.post(wf + "/nodes/", new JsonObject().put("component_type", "switch")).json();
    assertTrue(generated.getString("node_id").matches("switch_[0-9a-f]{8}"), generated.getString("node_id"));
    assertEquals(201, daemon.post(wf + "/nodes/", node("same", "code")).status());
    Response duplicate = daemon.post(wf + "/nodes/", node("same", "code"));
    assertEquals(409, duplicate.status());
    assertEquals("Node with id 'same' already exists.", duplicate.detail());
    assertEquals(2, daemon.get(wf + "/nodes/").array().size());
  }

  @Test
  void humanConfirmationForcesInterruptBefore() throws Exception {
    String wf = freshWorkflow();
    JsonObject created = daemon.post(wf + "/nodes/", node("ask", "human_confirmation").put("interrupt_before", false)).json();
    assertTrue(created.getBoolean("interrupt_before"));
    JsonObject patched = daemon.patch(wf + "/nodes/ask/", new JsonObject().put("interrupt_before", false)).json();
    assertTrue(patched.getBoolean("interrupt_before"));
  }

  @Test
  void patchNodeAppliesFieldsAndRenamingKeepsEdgesConnected() throws Exception {
    String wf = freshWorkflow();
    daemon.post(wf + "/nodes/", node("a", "agent"));
    daemon.post(wf + "/nodes/", node("b", "code"));
    daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "a").put("target_node_id", "b"));
    Response patched = daemon.patch(wf + "/nodes/a/", new JsonObject().put("node_id", "a2").put("position_x", 40)
        .put("config", new JsonObject().put("system_prompt", "new").put("input_template", "{{ text }}")));
    assertEquals(200, patched.status(), patched.body());
    JsonObject node = patched.json();
    assertEquals("a2", node.getString("node_id"));
    assertEquals(40, node.getInteger("position_x"));
    assertEquals("new", node.getJsonObject("config").getString("system_prompt"));
    assertEquals("{{ text }}", node.getJsonObject("config").getString("input_template"));
    JsonArray edges = daemon.get(wf + "/edges/").array();
    assertEquals("a2", edges.getJsonObject(0).getString("source_node_id"));
    assertEquals(404, daemon.patch(wf + "/nodes/a/", new JsonObject().put("label", "x")).status());
    assertEquals(409, daemon.patch(wf + "/nodes/a2/", new JsonObject().put("node_id", "b")).status());
  }

  @Test
  void deleteNodeRemovesItsEdgesConfigAndModelLinks() throws Exception {
    String wf = freshWorkflow();
    daemon.post(wf + "/nodes/", node("model", "ai_model"));
    daemon.post(wf + "/nodes/", node("agent", "agent"));
    daemon.post(wf + "/nodes/", node("other", "code"));
    daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "model").put("target_node_id", "agent")
        .put("edge_label", "llm"));
    daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "agent").put("target_node_id", "other"));
    JsonArray nodes = daemon.get(wf + "/nodes/").array();
    long modelConfigLink = nodes.stream().map(JsonObject.class::cast).filter(n -> n.getString("node_id").equals("agent"))
        .findFirst().orElseThrow().getJsonObject("config").getLong("llm_model_config_id");
    assertTrue(modelConfigLink > 0);
    long configs = daemon.count("SELECT COUNT(*) FROM component_configs");

    assertEquals(204, daemon.delete(wf + "/nodes/model/").status());

    assertEquals(configs - 1, daemon.count("SELECT COUNT(*) FROM component_configs"));
    JsonArray edges = daemon.get(wf + "/edges/").array();
    assertEquals(1, edges.size());
    JsonObject agent = daemon.get(wf + "/nodes/").array().stream().map(JsonObject.class::cast)
        .filter(n -> n.getString("node_id").equals("agent")).findFirst().orElseThrow();
    assertNull(agent.getJsonObject("config").getValue("llm_model_config_id"));
    assertEquals(404, daemon.delete(wf + "/nodes/model/").status());
  }

  @Test
  void llmEdgeLinksAndUnlinksConfigs() throws Exception {
    String wf = freshWorkflow();
    daemon.post(wf + "/nodes/", node("model", "ai_model"));
    daemon.post(wf + "/nodes/", node("agent", "agent"));
    JsonObject edge = daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "model")
        .put("target_node_id", "agent").put("edge_label", "llm")).json();
    assertEquals("llm", edge.getString("edge_label"));
    assertEquals("direct", edge.getString("edge_type"));
    assertEquals(0, edge.getInteger("priority"));
    assertTrue(agentLink(wf) != null);
    assertEquals(204, daemon.delete(wf + "/edges/" + edge.getLong("id") + "/").status());
    assertNull(agentLink(wf));
  }

  private static Long agentLink(String wf) throws Exception {
    return daemon.get(wf + "/nodes/").array().stream().map(JsonObject.class::cast)
        .filter(n -> n.getString("node_id").equals("agent")).findFirst().orElseThrow()
        .getJsonObject("config").getLong("llm_model_config_id");
  }

  @Test
  void conditionalEdgesFollowPipelitRules() throws Exception {
    String wf = freshWorkflow();
    daemon.post(wf + "/nodes/", node("sw", "switch"));
    daemon.post(wf + "/nodes/", node("ag", "agent"));
    JsonObject conditional = new JsonObject().put("source_node_id", "sw").put("target_node_id", "ag")
        .put("edge_type", "conditional");
    assertEquals(422, daemon.post(wf + "/edges/", conditional).status(), "needs a condition_value");
    assertEquals(422, daemon.post(wf + "/edges/", conditional.copy().put("condition_value", "yes")
        .put("source_node_id", "ag")).status(), "source must be a switch");
    assertEquals(422, daemon.post(wf + "/edges/", conditional.copy().put("condition_value", "yes")
        .put("target_node_id", "")).status(), "needs a target");
    Response ok = daemon.post(wf + "/edges/", conditional.copy().put("condition_value", "yes"));
    assertEquals(201, ok.status(), ok.body());
    assertEquals("yes", ok.json().getString("condition_value"));
    assertEquals(1, daemon.get(wf + "/edges/").array().size());
  }

  @Test
  void edgesToUnknownNodesAreAcceptedAsInPipelit() throws Exception {
    String wf = freshWorkflow();
    Response edge = daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "ghost"));
    assertEquals(201, edge.status());
    assertEquals("", edge.json().getString("target_node_id"));
  }

  @Test
  void patchAndDeleteEdge() throws Exception {
    String wf = freshWorkflow();
    long id = daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "a").put("target_node_id", "b"))
        .json().getLong("id");
    JsonObject patched = daemon.patch(wf + "/edges/" + id + "/", new JsonObject().put("priority", 5)
        .put("edge_label", "tool")).json();
    assertEquals(5, patched.getInteger("priority"));
    assertEquals("tool", patched.getString("edge_label"));
    assertEquals("a", patched.getString("source_node_id"));
    assertEquals(422, daemon.patch(wf + "/edges/" + id + "/", new JsonObject().put("edge_type", "sideways")).status());
    assertEquals(404, daemon.patch(wf + "/edges/999999/", new JsonObject().put("priority", 1)).status());
    assertEquals(404, daemon.patch(wf + "/edges/abc/", new JsonObject().put("priority", 1)).status());
    assertEquals(204, daemon.delete(wf + "/edges/" + id).status());
    assertEquals(0, daemon.get(wf + "/edges/").array().size());
  }

  @Test
  void unknownWorkflowAnswers404OnEveryNodeAndEdgeRoute() throws Exception {
    String base = "/api/v1/workflows/nope";
    assertEquals(404, daemon.get(base + "/nodes/").status());
    assertEquals(404, daemon.post(base + "/nodes/", node("x", "agent")).status());
    assertEquals(404, daemon.patch(base + "/nodes/x/", new JsonObject()).status());
    assertEquals(404, daemon.delete(base + "/nodes/x/").status());
    assertEquals(404, daemon.get(base + "/edges/").status());
    assertEquals(404, daemon.post(base + "/edges/", new JsonObject().put("source_node_id", "x")).status());
    assertEquals(404, daemon.delete(base + "/edges/1/").status());
  }

  @Test
  void otherUsersNodesAreInvisible() throws Exception {
    String alice = daemon.createNormalUser("alice-nodes");
    String bob = daemon.createNormalUser("bob-nodes");
    daemon.send("POST", "/api/v1/workflows/", alice, "{\"name\":\"a\",\"slug\":\"alice-graph\"}");
    assertEquals(201, daemon.send("POST", "/api/v1/workflows/alice-graph/nodes/", alice,
        node("n", "agent").encode()).status());
    assertEquals(404, daemon.send("GET", "/api/v1/workflows/alice-graph/nodes/", bob, null).status());
    assertEquals(404, daemon.send("POST", "/api/v1/workflows/alice-graph/nodes/", bob, node("m", "agent").encode()).status());
    assertEquals(404, daemon.send("DELETE", "/api/v1/workflows/alice-graph/nodes/n/", bob, null).status());
    assertEquals(1, daemon.send("GET", "/api/v1/workflows/alice-graph/nodes/", alice, null).array().size());
    assertFalse(daemon.send("GET", "/api/v1/workflows/alice-graph/", alice, null).json().isEmpty());
  }
}
