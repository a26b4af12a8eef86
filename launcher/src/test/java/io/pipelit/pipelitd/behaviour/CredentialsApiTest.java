package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Credentials (§3.11): secrets encrypted at rest (tokens Python's cryptography.fernet opens with the same
 * key), masked in answers, a masked value sent back keeps the secret, owner scoping, bad input.
 */
class CredentialsApiTest extends BackendSuite {
  static final String API_KEY = "sk-live-0123456789abcdefXYZ";
  static final String TOKEN = "ghp_abcdefghijklmnop1234";
  static final String SSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
      + "-----END OPENSSH PRIVATE KEY-----\n";
  static final String WEBHOOK = "whsec-very-secret-42";
  static final String HEADER = "Bearer header-secret-value-77";
  static final String TOOL_SECRET = "tool-secret-abcdef-123";
  static final String C = "/api/v1/credentials/";

  static String alice;
  static String bob;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void users() throws Exception {
    alice = daemon.createNormalUser("alice");
    bob = daemon.createNormalUser("bob");
  }

  static JsonObject llmBody(String name) {
    return new JsonObject().put("name", name).put("credential_type", "llm").put("detail", new JsonObject()
        .put("provider_type", "anthropic").put("api_key", API_KEY).put("base_url", "https://api.example")
        .put("custom_headers", new JsonObject().put("Authorization", HEADER).put("X-Short", "abc")));
  }

  static JsonObject gitBody(String name) {
    return new JsonObject().put("name", name).put("credential_type", "git").put("detail", new JsonObject()
        .put("provider", "gitlab").put("credential_type", "ssh_key").put("ssh_private_key", SSH)
        .put("access_token", TOKEN).put("username", "octo").put("webhook_secret", WEBHOOK));
  }

  static JsonObject toolBody(String name) {
    return new JsonObject().put("name", name).put("credential_type", "tool").put("detail", new JsonObject()
        .put("tool_type", "searxng").put("config", new JsonObject().put("url", "http://searx").put("key", TOOL_SECRET))
        .put("is_preferred", true));
  }

  Response create(String key, JsonObject body) throws Exception {
    Response r = daemon.send("POST", C, key, body.encode());
    assertEquals(201, r.status(), r.toString());
    return r;
  }

  /** The raw stored text of a column of a child table, read over a second connection. */
  static String raw(String table, String column, long baseId) throws Exception {
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT " + column + " FROM " + table + " WHERE base_credentials_id = ?")) {
      s.setLong(1, baseId);
      try (ResultSet rows = s.executeQuery()) {
        assertTrue(rows.next(), "no " + table + " row for credential " + baseId);
        return rows.getString(1);
      }
    }
  }

  @Test
  void secretsAreFernetTokensAtRestThatPythonDecryptsWithTheSameKey() throws Exception {
    long llm = create(alice, llmBody("llm-at-rest")).json().getLong("id");
    long git = create(alice, gitBody("git-at-rest")).json().getLong("id");
    long tool = create(alice, toolBody("tool-at-rest")).json().getLong("id");

    List<String> tokens = List.of(raw("llm_credentials", "api_key", llm), raw("llm_credentials", "custom_headers", llm),
        raw("git_credentials", "ssh_private_key", git), raw("git_credentials", "access_token", git),
        raw("git_credentials", "webhook_secret", git), raw("tool_credentials", "config", tool));
    for (String token : tokens) {
      assertTrue(token.startsWith("gAAAAA"), "a Fernet token: " + token);
      for (String secret : List.of(API_KEY, TOKEN, "OPENSSH", WEBHOOK, "header-secret", TOOL_SECRET)) {
        assertFalse(token.contains(secret), "no plaintext at rest");
      }
    }
    List<String> plain = FernetPython.decrypt(daemon.fieldKey, tokens);
    assertEquals(API_KEY, plain.get(0));
    assertEquals(new JsonObject().put("Authorization", HEADER).put("X-Short", "abc"), new JsonObject(plain.get(1)));
    assertEquals(SSH, plain.get(2));
    assertEquals(TOKEN, plain.get(3));
    assertEquals(WEBHOOK, plain.get(4));
    assertEquals(new JsonObject().put("url", "http://searx").put("key", TOOL_SECRET), new JsonObject(plain.get(5)));
  }

  @Test
  void answersMaskSecretsAsPipelitDoes() throws Exception {
    JsonObject llm = create(alice, llmBody("llm-mask")).json();
    assertEquals("llm", llm.getString("credential_type"));
    JsonObject d = llm.getJsonObject("detail");
    assertEquals("sk-l****fXYZ", d.getString("api_key"));
    assertEquals("anthropic", d.getString("provider_type"));
    assertEquals("https://api.example", d.getString("base_url"));
    assertEquals("", d.getString("organization_id"));
    assertEquals("Bear****e-77", d.getJsonObject("custom_headers").getString("Authorization"));
    assertEquals("****", d.getJsonObject("custom_headers").getString("X-Short"));
    assertTrue(llm.getString("created_at") != null && llm.getString("updated_at") != null);

    JsonObject git = create(alice, gitBody("git-mask")).json().getJsonObject("detail");
    assertEquals(new JsonObject().put("provider", "gitlab").put("credential_type", "ssh_key").put("username", "octo")
        .put("ssh_private_key", "****").put("access_token", "ghp_****1234"), git);

    JsonObject tool = create(alice, toolBody("tool-mask")).json().getJsonObject("detail");
    assertEquals(TOOL_SECRET, tool.getJsonObject("config").getString("key"), "tool config is returned in full");
    assertEquals(true, tool.getBoolean("is_preferred"));

    JsonObject empty = create(alice, new JsonObject().put("name", "defaults").put("credential_type", "git"))
        .json().getJsonObject("detail");
    assertEquals("", empty.getString("access_token"));
    assertEquals("", empty.getString("ssh_private_key"));
    assertEquals("github", empty.getString("provider"));
    assertEquals("token", empty.getString("credential_type"));
    JsonObject emptyLlm = create(alice, new JsonObject().put("name", "d2").put("credential_type", "llm"))
        .json().getJsonObject("detail");
    assertEquals("****", emptyLlm.getString("api_key"));
    assertEquals("openai_compatible", emptyLlm.getString("provider_type"));
    assertEquals(new JsonObject(), emptyLlm.getJsonObject("custom_headers"));

    JsonObject gateway = create(alice, new JsonObject().put("name", "tg-bot").put("credential_type", "gateway")
        .put("detail", new JsonObject().put("adapter_type", "telegram"))).json().getJsonObject("detail");
    assertEquals(new JsonObject().put("gateway_credential_id", "tg-bot").put("adapter_type", "telegram"), gateway);
  }

  @Test
  void patchingBackTheMaskedAnswerKeepsTheSecretAndANewValueReplacesIt() throws Exception {
    JsonObject llm = create(alice, llmBody("llm-patch")).json();
    long id = llm.getLong("id");
    // Echo the whole answer back, as a UI form would.
    Response echoed = daemon.send("PATCH", C + id + "/", alice, new JsonObject().put("name", "renamed")
        .put("detail", llm.getJsonObject("detail")).encode());
    assertEquals(200, echoed.status(), echoed.toString());
    assertEquals("renamed", echoed.json().getString("name"));
    FieldKeyring keyring = FieldKeyring.parse(daemon.fieldKey);
    assertEquals(API_KEY, keyring.decrypt(raw("llm_credentials", "api_key", id)).value());
    assertEquals(HEADER, new JsonObject(keyring.decrypt(raw("llm_credentials", "custom_headers", id)).value())
        .getString("Authorization"));

    Response changed = daemon.send("PATCH", C + id + "/", alice, new JsonObject().put("detail",
        new JsonObject().put("api_key", "sk-new-key-9876543210")).encode());
    assertEquals("sk-n****3210", changed.json().getJsonObject("detail").getString("api_key"));
    assertEquals("sk-new-key-9876543210", keyring.decrypt(raw("llm_credentials", "api_key", id)).value());
    assertEquals("https://api.example", changed.json().getJsonObject("detail").getString("base_url"),
        "keys not sent are unchanged");

    JsonObject git = create(alice, gitBody("git-patch")).json();
    long gitId = git.getLong("id");
    Response gitEcho = daemon.send("PATCH", C + gitId + "/", alice,
        new JsonObject().put("detail", git.getJsonObject("detail")).encode());
    assertEquals(200, gitEcho.status(), gitEcho.toString());
    assertEquals(SSH, keyring.decrypt(raw("git_credentials", "ssh_private_key", gitId)).value());
    assertEquals(TOKEN, keyring.decrypt(raw("git_credentials", "access_token", gitId)).value());
    Response cleared = daemon.send("PATCH", C + gitId + "/", alice,
        new JsonObject().put("detail", new JsonObject().put("ssh_private_key", "")).encode());
    assertEquals("", cleared.json().getJsonObject("detail").getString("ssh_private_key"));
    assertEquals("", raw("git_credentials", "ssh_private_key", gitId));
  }

  @Test
  void ownersSeeTheirOwnAdminsSeeAllOthersGet404() throws Exception {
    long mine = create(alice, llmBody("alice-own")).json().getLong("id");
    long bobs = create(bob, toolBody("bob-own")).json().getLong("id");

    JsonArray aliceItems = daemon.send("GET", C + "?limit=1000", alice, null).json().getJsonArray("items");
    assertTrue(aliceItems.stream().anyMatch(o -> ((JsonObject) o).getLong("id") == mine));
    assertTrue(aliceItems.stream().noneMatch(o -> ((JsonObject) o).getLong("id") == bobs));
    JsonObject adminList = daemon.send("GET", C + "?limit=1000", daemon.adminKey, null).json();
    assertTrue(adminList.getJsonArray("items").stream().anyMatch(o -> ((JsonObject) o).getLong("id") == bobs));
    assertTrue(adminList.getLong("total") >= 2);

    for (String[] call : new String[][] {{"GET", null}, {"PATCH", "{\"name\":\"stolen\"}"}, {"DELETE", null}}) {
      Response r = daemon.send(call[0], C + bobs + "/", alice, call[1]);
      assertEquals(404, r.status(), call[0] + " " + r);
      assertEquals("Credential not found.", r.detail());
    }
    daemon.send("POST", C + "batch-delete/", alice, new JsonObject().put("ids", new JsonArray().add(bobs)).encode());
    assertEquals(200, daemon.send("GET", C + bobs + "/", bob, null).status(), "batch-delete skips others' ids");

    assertEquals(200, daemon.send("GET", C + mine + "/", daemon.adminKey, null).status());
    assertEquals(200, daemon.send("PATCH", C + bobs + "/", daemon.adminKey, "{\"name\":\"by-admin\"}").status());
    assertEquals(204, daemon.send("DELETE", C + bobs + "/", bob, null).status());
    assertEquals(404, daemon.send("GET", C + bobs + "/", bob, null).status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM tool_credentials WHERE base_credentials_id = " + bobs),
        "the child row goes with the credential");

    long a = create(alice, gitBody("batch-a")).json().getLong("id");
    long b = create(alice, gitBody("batch-b")).json().getLong("id");
    Response batch = daemon.send("POST", C + "batch-delete/", alice,
        new JsonObject().put("ids", new JsonArray().add(a).add(b).add(999_999)).encode());
    assertEquals(204, batch.status(), batch.toString());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM credentials WHERE id IN (" + a + ", " + b + ")"));
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM git_credentials WHERE base_credentials_id IN (" + a + ", " + b + ")"));
    assertEquals(401, daemon.send("GET", C, null, null).status());
  }

  @Test
  void aSecretNoKeyOpensIsAnErrorNeverHandedOutAsTheSecret() throws Exception {
    long id = create(alice, llmBody("undecryptable")).json().getLong("id");
    String original = raw("llm_credentials", "api_key", id);
    String foreign = FieldKeyring.parse(FieldKeyring.generateKey()).encrypt("another key's secret");
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "UPDATE llm_credentials SET api_key = ? WHERE base_credentials_id = ?")) {
      s.setString(1, foreign);
      s.setLong(2, id);
      assertEquals(1, s.executeUpdate());
    }
    try {
      Response r = daemon.send("GET", C + id + "/", alice, null);
      assertEquals(500, r.status(), r.toString());
      assertFalse(r.body().contains(foreign.substring(0, 20)), r.body());
      assertFalse(r.body().contains("gAAAAA"), r.body());
    } finally {
      try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
          "UPDATE llm_credentials SET api_key = ? WHERE base_credentials_id = ?")) {
        s.setString(1, original);
        s.setLong(2, id);
        s.executeUpdate();
      }
    }
    assertEquals(200, daemon.send("GET", C + id + "/", alice, null).status());
  }

  @Test
  void nodesMayUseTheirOwnersCredentialsOnly() throws Exception {
    long mine = create(alice, llmBody("for-node")).json().getLong("id");
    long bobs = create(bob, llmBody("bob-for-node")).json().getLong("id");
    Response wf = daemon.send("POST", "/api/v1/workflows/", alice,
        new JsonObject().put("name", "Creds").put("slug", "creds-flow").encode());
    assertEquals(201, wf.status(), wf.toString());
    String nodes = "/api/v1/workflows/creds-flow/nodes/";
    Response ok = daemon.send("POST", nodes, alice, new JsonObject().put("component_type", "ai_model")
        .put("config", new JsonObject().put("llm_credential_id", mine)).encode());
    assertEquals(201, ok.status(), ok.toString());
    Response others = daemon.send("POST", nodes, alice, new JsonObject().put("component_type", "ai_model")
        .put("config", new JsonObject().put("llm_credential_id", bobs)).encode());
    assertEquals(422, others.status(), others.toString());
  }

  // --- bad input --------------------------------------------------------------------------------

  static final List<String> TABLES = List.of("credentials", "llm_credentials", "git_credentials",
      "gateway_credentials", "tool_credentials");

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
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static Stream<Arguments> badRequests() {
    List<Arguments> cases = new ArrayList<>();
    String[][] table = {
        {"POST", C, "{not json", "422"},
        {"POST", C, "[]", "422"},
        {"POST", C, "{}", "422"},
        {"POST", C, "{\"name\":\"x\"}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"telegram\"}", "422"},
        {"POST", C, "{\"name\":\"\",\"credential_type\":\"llm\"}", "422"},
        {"POST", C, "{\"name\":5,\"credential_type\":\"llm\"}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"llm\",\"detail\":[]}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"llm\",\"detail\":{\"api_key\":7}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"llm\",\"detail\":{\"custom_headers\":{\"A\":1}}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"llm\",\"detail\":{\"custom_headers\":\"A\"}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"git\",\"detail\":{\"provider\":\"svn\"}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"git\",\"detail\":{\"credential_type\":\"pw\"}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"tool\",\"detail\":{\"config\":[1]}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"tool\",\"detail\":{\"is_preferred\":\"yes\"}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"gateway\",\"detail\":{}}", "422"},
        {"POST", C, "{\"name\":\"x\",\"credential_type\":\"gateway\",\"detail\":{\"adapter_type\":\"telegram\","
            + "\"token\":\"123:abc\"}}", "422"},
        {"PATCH", C + "ID/", "{\"name\":null}", "422"},
        {"PATCH", C + "ID/", "{\"detail\":5}", "422"},
        {"PATCH", C + "ID/", "{\"detail\":{\"api_key\":[]}}", "422"},
        {"PATCH", C + "999999/", "{\"name\":\"x\"}", "404"},
        {"PATCH", C + "abc/", "{\"name\":\"x\"}", "404"},
        {"GET", C + "999999/", null, "404"},
        {"GET", C + "abc/", null, "404"},
        {"DELETE", C + "999999/", null, "404"},
        {"DELETE", C + "abc/", null, "404"},
        {"POST", C + "batch-delete/", "{}", "422"},
        {"POST", C + "batch-delete/", "{\"ids\":\"1\"}", "422"},
        {"POST", C + "batch-delete/", "{\"ids\":[\"a\"]}", "422"},
        {"POST", C + "batch-delete/", "{\"ids\":[1.5]}", "422"},
        {"GET", C + "?limit=0", null, "422"},
        {"POST", C + "ID/test/", null, "404"},
        {"GET", C + "ID/models/", null, "404"},
        {"GET", C + "?offset=-1", null, "422"},
    };
    for (String[] row : table) {
      cases.add(Arguments.of(row[0], row[1], row[2], Integer.parseInt(row[3])));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @MethodSource("badRequests")
  void badRequestGetsA4xxJsonAnswerAndChangesNothing(String method, String path, String body, int expected)
      throws Exception {
    long id = create(alice, llmBody("target")).json().getLong("id");
    String before = fingerprint();
    Response r = daemon.send(method, path.replace("ID", String.valueOf(id)), alice, body);
    assertEquals(expected, r.status(), r.toString());
    assertTrue(r.contentType() != null && r.contentType().startsWith("application/json"), r.toString());
    assertFalse(r.detail().isBlank());
    assertEquals(before, fingerprint(), "the database is unchanged");
  }
}
