package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets a clear 4xx JSON answer and changes nothing: every request below is checked against a
 * fingerprint of the whole database taken before it.
 */
class BadInputTest extends BackendSuite {
  static String executionId;
  static long edgeId;

  /** Tables whose every row is compared; api_keys.last_used_at legitimately moves, so it is left out. */
  private static final List<String> TABLES = List.of("user_profiles", "credentials", "workflows",
      "component_configs", "workflow_nodes", "workflow_edges", "workflow_executions", "execution_logs");

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void seed() throws Exception {
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Base").put("slug", "base"));
    daemon.post("/api/v1/workflows/base/nodes/", new JsonObject().put("node_id", "n1").put("component_type", "agent"));
    edgeId = daemon.post("/api/v1/workflows/base/edges/", new JsonObject().put("source_node_id", "n1")
        .put("target_node_id", "n1")).json().getLong("id");
    executionId = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "base"))
        .json().getString("execution_id");
  }

  static String fingerprint() throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      for (String table : TABLES) {
        try (ResultSet rows = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
          ResultSetMetaData meta = rows.getMetaData();
          while (rows.next()) {
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              digest.update(String.valueOf(rows.getObject(i)).getBytes());
              digest.update((byte) 0);
            }
          }
        }
      }
      try (ResultSet rows = s.executeQuery(
          "SELECT COUNT(*), SUM(CASE WHEN is_active THEN 1 ELSE 0 END) FROM api_keys")) {
        rows.next();
        digest.update((rows.getLong(1) + ":" + rows.getString(2)).getBytes());
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static Stream<Arguments> badRequests() {
    String big = "{\"name\":\"" + "x".repeat(11 * 1024 * 1024) + "\",\"slug\":\"big\"}";
    String e = "/api/v1/executions/";
    return Stream.of(
        // method, path, body, expected status
        Arguments.of("POST", "/api/v1/workflows/", "{not json", 422),
        Arguments.of("POST", "/api/v1/workflows/", "[1,2,3]", 422),
        Arguments.of("POST", "/api/v1/workflows/", "\"just a string\"", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":\"x\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":5,\"slug\":\"typed\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":\"x\",\"slug\":\"a/b\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":\"x\",\"slug\":\"ok\",\"is_active\":\"yes\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":\"x\",\"slug\":\"ok\",\"max_execution_seconds\":0}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":\"x\",\"slug\":\"ok\",\"tags\":[1]}", 422),
        Arguments.of("POST", "/api/v1/workflows/", "{\"name\":\"x\",\"slug\":\"ok\",\"error_handler_workflow_id\":999}", 422),
        Arguments.of("POST", "/api/v1/workflows/", big, 413),
        Arguments.of("PATCH", "/api/v1/workflows/base/", "{\"name\":null}", 422),
        Arguments.of("PATCH", "/api/v1/workflows/base/", "{\"max_execution_seconds\":-1}", 422),
        Arguments.of("PATCH", "/api/v1/workflows/nope/", "{\"name\":\"x\"}", 404),
        Arguments.of("DELETE", "/api/v1/workflows/nope/", null, 404),
        Arguments.of("POST", "/api/v1/workflows/batch-delete/", "{\"slugs\":\"base\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/batch-delete/", "{}", 422),
        Arguments.of("GET", "/api/v1/workflows/?limit=-1", null, 422),
        Arguments.of("GET", "/api/v1/workflows/?limit=0", null, 422),
        Arguments.of("GET", "/api/v1/workflows/?limit=1000000", null, 422),
        Arguments.of("GET", "/api/v1/workflows/?limit=abc", null, 422),
        Arguments.of("GET", "/api/v1/workflows/?offset=-5", null, 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/", "{}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/", "{\"component_type\":\"teleporter\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/", "{\"component_type\":\"agent\",\"position_x\":1.5}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/", "{\"component_type\":\"agent\",\"config\":[]}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/",
            "{\"component_type\":\"ai_model\",\"config\":{\"temperature\":\"hot\"}}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/",
            "{\"component_type\":\"ai_model\",\"config\":{\"llm_credential_id\":42}}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/nodes/", "{\"node_id\":\"n1\",\"component_type\":\"agent\"}", 409),
        Arguments.of("POST", "/api/v1/workflows/nope/nodes/", "{\"component_type\":\"agent\"}", 404),
        Arguments.of("PATCH", "/api/v1/workflows/base/nodes/n1/", "{\"component_type\":\"warp\"}", 422),
        Arguments.of("PATCH", "/api/v1/workflows/base/nodes/n1/", "{\"config\":{\"extra_config\":5}}", 422),
        Arguments.of("PATCH", "/api/v1/workflows/base/nodes/ghost/", "{\"label\":\"x\"}", 404),
        Arguments.of("POST", "/api/v1/workflows/base/edges/", "{}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/edges/", "{\"source_node_id\":\"n1\",\"edge_label\":\"bogus\"}", 422),
        Arguments.of("POST", "/api/v1/workflows/base/edges/", "{\"source_node_id\":\"n1\",\"priority\":\"high\"}", 422),
        Arguments.of("PATCH", "/api/v1/workflows/base/edges/" + 0 + "/", "{\"priority\":1}", 404),
        Arguments.of("POST", e, "{}", 422),
        Arguments.of("POST", e, "{\"workflow_slug\":\"nope\"}", 404),
        Arguments.of("POST", e, "{\"workflow_slug\":\"base\",\"trigger_node_id\":\"ghost\"}", 422),
        Arguments.of("PATCH", e + "EXEC/", "{\"status\":\"completed\"}", 409),
        Arguments.of("PATCH", e + "EXEC/", "{\"status\":7}", 422),
        Arguments.of("PATCH", e + "EXEC/", "{\"total_tokens\":-3}", 422),
        Arguments.of("PATCH", e + "EXEC/", "{\"total_cost_usd\":\"free\"}", 422),
        Arguments.of("PATCH", e + "EXEC/", "{\"total_tokens\":99999999999999999999999}", 422),
        Arguments.of("PATCH", e + "EXEC/", "{\"llm_calls\":18446744073709551617}", 422),
        Arguments.of("POST", e + "EXEC/logs/",
            "{\"node_id\":\"n1\",\"status\":\"completed\",\"duration_ms\":18446744073709551616}", 422),
        Arguments.of("PATCH", e + "EXEC/", "{\"completed_at\":\"soon\"}", 422),
        Arguments.of("POST", e + "EXEC/logs/", "{\"status\":\"completed\"}", 422),
        Arguments.of("POST", e + "EXEC/logs/", "{\"node_id\":\"n1\"}", 422),
        Arguments.of("POST", e + "EXEC/logs/", "{\"node_id\":\"n1\",\"status\":\"exploded\"}", 422),
        Arguments.of("POST", e + "EXEC/logs/", "{\"node_id\":\"n1\",\"status\":\"completed\",\"duration_ms\":-1}", 422),
        Arguments.of("POST", e + "EXEC/logs/", "{\"node_id\":\"n1\",\"status\":\"completed\",\"metadata\":[]}", 422),
        Arguments.of("POST", e + "unknown/logs/", "{\"node_id\":\"n1\",\"status\":\"completed\"}", 404),
        Arguments.of("POST", e + "batch-delete/", "{\"execution_ids\":[1,2]}", 422),
        Arguments.of("GET", e + "?limit=5000", null, 422),
        Arguments.of("DELETE", "/api/v1/workflows/base/edges/notanumber/", null, 404));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("badRequests")
  void badRequestGetsA4xxJsonAnswerAndChangesNothing(String method, String path, String body, int expected)
      throws Exception {
    String before = fingerprint();
    Response response = daemon.send(method, path.replace("EXEC", executionId), daemon.adminKey, body);
    assertEquals(expected, response.status(), response.body().length() > 300 ? "(long body)" : response.body());
    assertTrue(response.contentType().startsWith("application/json"), response.contentType());
    assertNotNull(new JsonObject(response.body()).getValue("detail"), response.body());
    assertEquals(before, fingerprint(), "the database changed");
  }

  @Test
  void missingOrWrongKeyIs401AndChangesNothing() throws Exception {
    String before = fingerprint();
    String create = "{\"name\":\"x\",\"slug\":\"sneaky\"}";
    Response none = daemon.send("POST", "/api/v1/workflows/", null, create);
    assertEquals(401, none.status());
    assertEquals("Not authenticated", none.detail());
    Response wrong = daemon.send("POST", "/api/v1/workflows/", "not-a-real-key", create);
    assertEquals(401, wrong.status());
    assertEquals("Invalid or missing API key.", wrong.detail());
    assertEquals(401, daemon.send("GET", "/api/v1/executions/" + executionId + "/", "x".repeat(5000), null).status());
    assertEquals(before, fingerprint());
  }

  @Test
  void revokedAndExpiredKeysAreRefused() throws Exception {
    String key = daemon.createNormalUser("revoked-user");
    assertEquals(200, daemon.send("GET", "/api/v1/workflows/", key, null).status());
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE api_keys SET is_active = FALSE"
          + " WHERE user_id = (SELECT id FROM user_profiles WHERE username = 'revoked-user')");
    }
    Response revoked = daemon.send("GET", "/api/v1/workflows/", key, null);
    assertEquals(401, revoked.status());
    assertEquals("API key has been revoked.", revoked.detail());
    String other = daemon.createNormalUser("expired-user");
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE api_keys SET is_active = TRUE, expires_at = '2020-01-01 00:00:00.000000'"
          + " WHERE user_id = (SELECT id FROM user_profiles WHERE username = 'expired-user')");
    }
    Response expired = daemon.send("GET", "/api/v1/workflows/", other, null);
    assertEquals(401, expired.status());
    assertEquals("API key has expired.", expired.detail());
  }

  @Test
  void unknownFieldsAreIgnoredAsPipelitDoes() throws Exception {
    Response response = daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Extra").put("slug", "extra")
        .put("color", "blue").put("owner_id", 999));
    assertEquals(201, response.status(), response.body());
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM workflows WHERE slug = 'extra' AND owner_id = 1"));
  }
}
