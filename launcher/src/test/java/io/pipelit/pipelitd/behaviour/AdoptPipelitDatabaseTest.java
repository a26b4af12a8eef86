package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.launcher.LaunchContext;
import io.pipelit.pipelitd.launcher.Main;
import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adopting a database Pipelit made (issue 8, reference §1.13, §1.14, §5), both kinds, built here from the
 * reference's DDL with rows in every table: the dry run reports and writes nothing; the adoption keeps a
 * snapshot, hashes the API keys (the same tokens still work), seals plaintext secrets, keeps Pipelit's
 * Fernet tokens, keeps every row, reports the Alembic leftovers, and the result serves and copies to
 * PostgreSQL. Also LangGraph's checkpoints.db, refusals, and recognition when the daemon starts.
 */
@ParameterizedClass(name = "[{0}]")
@ValueSource(strings = {"create-all", "alembic"})
class AdoptPipelitDatabaseTest {
  static final String KEY1 = "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"; // 43 chars like token_urlsafe(32)
  static final String KEY2 = "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6L";
  static final String LLM_KEY = "sk-pipelit-llm-secret";
  static final String GIT_TOKEN = "ghp_pipelit_token";
  static final String HEADERS = "{\"X-Org\": \"o-1\", \"Authorization\": \"Bearer h\"}";
  static final String TOOL_CONFIG = "{\"url\": \"http://searx\", \"key\": \"tool-secret\"}";

  @Parameter
  String kind;

  @TempDir
  Path folder;

  String fieldKey = FieldKeyring.generateKey();

  Path database() {
    return folder.resolve("platform/db.sqlite3");
  }

  String url() {
    return "sqlite:///" + database();
  }

  /** A Pipelit database of this test's kind, with rows in every table; returns the Fernet ciphertexts. */
  Map<String, String> buildPipelitDatabase(Path file, String alembicRevision) throws Exception {
    Files.createDirectories(file.getParent());
    FieldKeyring pipelitKeyring = FieldKeyring.parse(fieldKey); // Pipelit's tokens are Fernet tokens of the same key
    Map<String, String> sealed = new LinkedHashMap<>();
    sealed.put("totp", pipelitKeyring.encrypt("JBSWY3DPEHPK3PXP"));
    sealed.put("llm", pipelitKeyring.encrypt(LLM_KEY));
    sealed.put("git", pipelitKeyring.encrypt(GIT_TOKEN));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA foreign_keys = ON");
      for (String script : List.of(kind + ".sql", "common.sql")) {
        try (InputStream in = getClass().getResourceAsStream("/pipelit/" + script)) {
          for (String ddl : new String(in.readAllBytes(), StandardCharsets.UTF_8).split(";\\s*\\n")) {
            String sql = ddl.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + "\n" + b).strip();
            if (!sql.isEmpty()) {
              s.execute(sql);
            }
          }
        }
      }
      boolean alembic = kind.equals("alembic");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO user_profiles (id, username, password_hash, first_name,"
          + " last_name, external_user_id, github_username, gitlab_username, created_at, role, created_by_agent_id,"
          + " totp_secret, mfa_enabled, totp_last_used_at) VALUES (?, ?, '', ?, '', ?, '', '', ?, ?, ?, ?, ?, ?)")) {
        p.setInt(1, 1); p.setString(2, "admin"); p.setString(3, "Ada"); p.setString(4, "cli-user");
        p.setString(5, "2026-03-01 10:00:00.123456"); p.setString(6, "admin"); p.setObject(7, null);
        p.setString(8, sealed.get("totp")); p.setInt(9, 1); p.setLong(10, 59_000_000L);
        p.executeUpdate();
        p.setInt(1, 2); p.setString(2, "bob"); p.setString(3, "Bob"); p.setString(4, "4242");
        p.setString(5, "2026-03-02 11:00:00"); p.setString(6, "normal"); p.setInt(7, 1);
        p.setObject(8, null); p.setInt(9, 0); p.setObject(10, null);
        p.executeUpdate();
      }
      if (alembic) {
        s.executeUpdate("UPDATE user_profiles SET telegram_user_id = 4242 WHERE id = 2");
        s.executeUpdate("INSERT INTO alembic_version VALUES ('" + alembicRevision + "')");
        s.executeUpdate("INSERT INTO epics (id, title, tags, workflow_id, user_profile_id, budget_usd) VALUES"
            + " ('ep-1', 'An epic', '[\"x\"]', NULL, 1, 1.5)");
        s.executeUpdate("INSERT INTO tasks (id, epic_id, title, depends_on) VALUES ('tk-1', 'ep-1', 'A task', '[]')");
      }
      s.executeUpdate("INSERT INTO api_keys (id, user_id, \"key\", name, prefix, created_at, last_used_at, expires_at,"
          + " is_active) VALUES (1, 1, '" + KEY1 + "', 'default', '" + KEY1.substring(0, 8) + "', '2026-03-01 10:00:01',"
          + " NULL, NULL, 1), (2, 2, '" + KEY2 + "', 'session', '', '2026-03-02 11:00:01.5', '2026-03-03 09:00:00',"
          + " '2027-01-01 00:00:00', 1)");
      s.executeUpdate("INSERT INTO credentials (id, user_profile_id, name, credential_type) VALUES (1, 1, 'openai', 'llm'),"
          + " (2, 1, 'github', 'git'), (3, 1, 'tg', 'gateway'), (4, 2, 'searx', 'tool')");
      s.executeUpdate("INSERT INTO llm_credentials VALUES (1, 1, 'openai', '" + sealed.get("llm") + "', 'https://api',"
          + " 'org-1', '" + HEADERS + "')");
      s.executeUpdate("INSERT INTO git_credentials VALUES (1, 2, 'github', 'token', '', '" + sealed.get("git")
          + "', 'octo', 'whsec-plain')");
      s.executeUpdate("INSERT INTO gateway_credentials VALUES (1, 3, 'tg', 'telegram')");
      s.executeUpdate("INSERT INTO tool_credentials VALUES (1, 4, 'searxng', '" + TOOL_CONFIG + "', 1)");
      s.executeUpdate("INSERT INTO tool_definitions VALUES (1, 'search', 'searxng', '', NULL, '{}', '')");
      s.executeUpdate("INSERT INTO workflows (id, name, slug, description, owner_id, is_active, is_public, is_template,"
          + " is_callable, is_default, forked_from_id, error_handler_workflow_id, tags, max_execution_seconds,"
          + " created_at, updated_at) VALUES"
          + " (1, 'Base', 'base', 'd', 1, 1, 0, 0, 1, 0, NULL, NULL, '[\"a\", \"b\"]', 600, '2026-03-01 10:00:02', '2026-03-01 10:00:02'),"
          + " (2, 'Fork', 'fork', '', 2, 1, 1, 0, 0, 0, 1, 2, 'null', 300, '2026-03-01 10:00:03.000001', '2026-03-01 10:00:04')");
      s.executeUpdate("INSERT INTO component_configs (id, component_type, extra_config, llm_credential_id, model_name,"
          + " temperature, llm_model_config_id, system_prompt, credential_id, is_active, priority, trigger_config) VALUES"
          + " (1, 'ai_model', '{}', 1, 'gpt-4o', 0.7, NULL, NULL, NULL, NULL, NULL, NULL),"
          + " (2, 'agent', '{\"conversation_memory\": true}', NULL, NULL, NULL, 1, 'Be brief.', NULL, NULL, NULL, NULL),"
          + " (3, 'trigger_chat', '{}', NULL, NULL, NULL, NULL, NULL, 3, 1, 5, '{\"a\": 1}')");
      s.executeUpdate("INSERT INTO workflow_nodes (id, workflow_id, node_id, label, component_type, component_config_id,"
          + " subworkflow_id, is_entry_point, interrupt_before, interrupt_after, position_x, position_y) VALUES"
          + " (1, 1, 'model', 'GPT', 'ai_model', 1, NULL, 0, 0, 0, 10, 20),"
          + " (2, 1, 'agent', NULL, 'agent', 2, 2, 0, 0, 0, 30, 40),"
          + " (3, 1, 'chat', NULL, 'trigger_chat', 3, NULL, 1, 0, 0, 0, 0)");
      s.executeUpdate("INSERT INTO workflow_edges VALUES (1, 1, 'model', 'agent', 'direct', 'llm', NULL, '', 0),"
          + " (2, 1, 'chat', 'agent', 'direct', '', NULL, '', 1)");
      s.executeUpdate("INSERT INTO workflow_executions (execution_id, workflow_id, trigger_node_id, parent_execution_id,"
          + " parent_node_id, user_profile_id, thread_id, status, trigger_payload, final_output, retry_count, max_retries,"
          + " error_message, started_at, completed_at, total_cost_usd) VALUES"
          + " ('11111111-1111-4111-8111-111111111111', 1, 3, NULL, '', 1, 'abc', 'completed', '{\"text\": \"hi\"}',"
          + " '{\"output\": 1}', 0, 3, '', '2026-03-01 10:01:00.000001', '2026-03-01 10:01:02', 0.012345),"
          + " ('00000000-0000-4000-8000-000000000000', 1, NULL, '11111111-1111-4111-8111-111111111111', 'agent', 1,"
          + " 'def', 'failed', NULL, NULL, 0, 3, 'boom', NULL, NULL, 0)");
      s.executeUpdate("INSERT INTO execution_logs (id, execution_id, node_id, status, input, output, error, error_code,"
          + " metadata, duration_ms, timestamp) VALUES (1, '11111111-1111-4111-8111-111111111111', 'agent', 'completed',"
          + " NULL, '{\"answer\": 42}', '', NULL, '{}', 12, '2026-03-01 10:01:01')");
      s.executeUpdate("INSERT INTO pending_tasks VALUES ('ab12cd34', '11111111-1111-4111-8111-111111111111', 1, 'chat-1',"
          + " NULL, 'agent', 'Confirm?', '2026-03-01 10:01:00', '2026-03-01 10:06:00')");
      s.executeUpdate("INSERT INTO workspaces VALUES (1, 'default', '/tmp/ws', 1, '[]', '2026-03-01 10:00:00', 1)");
      s.executeUpdate("INSERT INTO system_config VALUES (1, 1, 'gpt-4o', 'UTC', 600, 300, 0, '{}', '2026-03-01 10:00:00')");
    }
    return sealed;
  }

  record Outcome(int exitCode, String out, String err) {}

  Outcome pipelitd(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, folder);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Map<String, String> env() {
    return Map.of(ConfigKeys.DATABASE_URL, url(), ConfigKeys.FIELD_ENCRYPTION_KEY, fieldKey,
        ConfigKeys.CHECKPOINTS_DATABASE_URL, "sqlite:///" + folder.resolve("platform/checkpoints.db"));
  }

  static long count(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  static String text(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      assertTrue(rows.next(), sql);
      return rows.getString(1);
    }
  }

  Map<String, String> folderState() throws Exception {
    Map<String, String> state = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(folder)) {
      // Instance-lock files hold no data (a pid): the guard creates them before it refuses.
      for (Path p : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".pipelitd-lock")).sorted()
          .toList()) {
        state.put(folder.relativize(p).toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return state;
  }

  @Test
  void dryRunReportsAndWritesNothingThenAdoptionKeepsEveryRow() throws Exception {
    Map<String, String> sealed = buildPipelitDatabase(database(), "c5d6e7f8a9b0");
    Map<String, Long> before = new LinkedHashMap<>();
    List<String> tables = List.of("user_profiles", "api_keys", "credentials", "llm_credentials", "git_credentials",
        "gateway_credentials", "tool_credentials", "workflows", "component_configs", "workflow_nodes", "workflow_edges",
        "workflow_executions", "execution_logs");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database())) {
      for (String table : tables) {
        before.put(table, count(c, "SELECT count(*) FROM " + table));
        assertTrue(before.get(table) > 0, table);
      }
    }
    Map<String, String> untouched = folderState();

    Outcome dry = pipelitd(env(), "db", "adopt", "--dry-run");
    assertEquals(0, dry.exitCode(), dry.err() + dry.out());
    assertTrue(dry.out().contains("would adopt a Pipelit database " + (kind.equals("alembic")
        ? "migrated by Alembic (revision c5d6e7f8a9b0)" : "created by create_all")), dry.out());
    assertTrue(dry.out().contains("would hash 2 API key(s)"), dry.out());
    // 3 credential secrets and the workspace's environment variables.
    assertTrue(dry.out().contains("would seal 4 plaintext secret(s)"), dry.out());
    assertTrue(dry.out().contains("3 already encrypted value(s) kept"), dry.out());
    assertTrue(dry.out().contains("tool_definitions"), dry.out());
    if (kind.equals("alembic")) {
      assertTrue(dry.out().contains("epics") && dry.out().contains("tasks") && dry.out().contains("alembic_version"), dry.out());
      assertTrue(dry.out().contains("user_profiles.telegram_user_id"), dry.out());
    }
    assertEquals(untouched, folderState(), "the dry run wrote nothing");
    assertFalse(dry.out().contains(KEY1) || dry.err().contains(KEY1), "no key is printed");

    Outcome adopted = pipelitd(env(), "db", "adopt");
    assertEquals(0, adopted.exitCode(), adopted.err() + adopted.out());
    assertTrue(adopted.out().contains("verified:"), adopted.out());
    List<Path> snapshots;
    try (Stream<Path> files = Files.list(database().getParent())) {
      snapshots = files.filter(p -> p.getFileName().toString().startsWith("db.sqlite3.pipelit-original-")).toList();
    }
    assertEquals(1, snapshots.size(), "one snapshot of the original, kept");
    assertFalse(Files.exists(database().resolveSibling("db.sqlite3.adopting")));

    FieldKeyring keyring = FieldKeyring.parse(fieldKey);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database())) {
      assertTrue(count(c, "SELECT count(*) FROM flyway_schema_history WHERE success") >= 3, "pipelitd's migrations ran");
      for (String table : tables) {
        assertEquals(before.get(table), count(c, "SELECT count(*) FROM " + table), table + " rows intact");
      }
      assertEquals(ApiKeys.hash(KEY1), text(c, "SELECT key FROM api_keys WHERE id = 1"));
      assertEquals(ApiKeys.hash(KEY2), text(c, "SELECT key FROM api_keys WHERE id = 2"));
      assertEquals(ApiKeys.prefix(KEY2), text(c, "SELECT prefix FROM api_keys WHERE id = 2"), "empty prefix filled in");
      assertEquals(sealed.get("llm"), text(c, "SELECT api_key FROM llm_credentials"), "Pipelit's token kept as it is");
      assertEquals(sealed.get("totp"), text(c, "SELECT totp_secret FROM user_profiles WHERE id = 1"));
      String headers = text(c, "SELECT custom_headers FROM llm_credentials");
      assertNotEquals(HEADERS, headers, "plaintext headers sealed");
      assertEquals(HEADERS, keyring.decrypt(headers).value());
      assertEquals("whsec-plain", keyring.decrypt(text(c, "SELECT webhook_secret FROM git_credentials")).value());
      assertEquals(TOOL_CONFIG, keyring.decrypt(text(c, "SELECT config FROM tool_credentials")).value());
      assertEquals("", text(c, "SELECT ssh_private_key FROM git_credentials"), "'' stays ''");
      assertEquals("2026-03-01 10:00:03.000001", text(c, "SELECT created_at FROM workflows WHERE id = 2"));
      assertEquals(1, count(c, "SELECT forked_from_id FROM workflows WHERE id = 2"), "self-reference kept");
      assertEquals(1, count(c, "SELECT llm_model_config_id FROM component_configs WHERE id = 2"));
      assertEquals("11111111-1111-4111-8111-111111111111",
          text(c, "SELECT parent_execution_id FROM workflow_executions WHERE parent_node_id = 'agent'"));
      assertEquals(1, count(c, "SELECT is_active FROM user_profiles WHERE id = 2"), "pipelitd's own column defaulted");
    }
    try (Connection snapshot = DriverManager.getConnection("jdbc:sqlite:" + snapshots.get(0))) {
      assertEquals(KEY1, text(snapshot, "SELECT key FROM api_keys WHERE id = 1"), "the snapshot is the original");
      if (kind.equals("alembic")) {
        assertEquals(1, count(snapshot, "SELECT count(*) FROM epics"), "Alembic leftovers stay in the snapshot");
      }
    }

    // The same bearer token still works against the adopted database, and secrets decrypt.
    Daemon served = Daemon.attach(url(), new JsonObject().put(ConfigKeys.FIELD_ENCRYPTION_KEY, fieldKey)
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, "sqlite:///" + folder.resolve("platform/checkpoints.db")), KEY1);
    try {
      Response workflow = served.get("/api/v1/workflows/base/");
      assertEquals(200, workflow.status(), workflow.body());
      assertEquals(List.of("a", "b"), workflow.json().getJsonArray("tags").getList());
      Response credential = served.get("/api/v1/credentials/1/");
      assertEquals(200, credential.status(), credential.body());
      assertFalse(credential.body().contains(LLM_KEY), "masked");
    } finally {
      served.close();
    }
    // And it moves to PostgreSQL like any pipelitd database.
    String pg = TestDatabases.freshUrl(Backend.POSTGRESQL, folder);
    Outcome copied = pipelitd(Map.of(), "copy", "--from", url(), "--to", pg);
    assertEquals(0, copied.exitCode(), copied.err() + copied.out());
  }

  @Test
  void refusesAnOldAlembicRevisionAndAWrongKeyLeavingTheOriginal() throws Exception {
    buildPipelitDatabase(database(), kind.equals("alembic") ? "a1b2c3d4e5f6" : null);
    Map<String, String> untouched = folderState();
    if (kind.equals("alembic")) {
      Outcome old = pipelitd(env(), "db", "adopt");
      assertEquals(1, old.exitCode(), old.err());
      assertTrue(old.err().contains("alembic upgrade head"), old.err());
      assertEquals(untouched, folderState(), "nothing written for a database that cannot be adopted");
      return;
    }
    Map<String, String> wrongKey = new LinkedHashMap<>(env());
    wrongKey.put(ConfigKeys.FIELD_ENCRYPTION_KEY, FieldKeyring.generateKey());
    Outcome wrong = pipelitd(wrongKey, "db", "adopt");
    assertEquals(1, wrong.exitCode(), wrong.err());
    assertTrue(wrong.err().contains("FIELD_ENCRYPTION_KEY does not decrypt"), wrong.err());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database())) {
      assertEquals(KEY1, text(c, "SELECT key FROM api_keys WHERE id = 1"), "the original is untouched");
    }
    assertFalse(Files.exists(database().resolveSibling("db.sqlite3.adopting")));
    Outcome dryWrong = pipelitd(wrongKey, "db", "adopt", "--dry-run");
    assertEquals(1, dryWrong.exitCode(), dryWrong.err());
    Outcome notPipelit = pipelitd(Map.of(ConfigKeys.DATABASE_URL, "sqlite:///" + folder.resolve("missing.sqlite3")),
        "db", "adopt", "--dry-run");
    assertEquals(1, notPipelit.exitCode(), notPipelit.err());
  }

  @Test
  void langGraphCheckpointsAreRecognisedAndTheDaemonAdoptsAtStart() throws Exception {
    buildPipelitDatabase(database(), "c5d6e7f8a9b0");
    Path checkpoints = folder.resolve("platform/checkpoints.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + checkpoints); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS checkpoints (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '',"
          + " checkpoint_id TEXT NOT NULL, parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, metadata BLOB,"
          + " PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))");
      s.execute("CREATE TABLE IF NOT EXISTS writes (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '',"
          + " checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT,"
          + " value BLOB, PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx))");
      s.execute("INSERT INTO checkpoints VALUES ('1:1', '', 'c1', NULL, 'msgpack', x'00ff', '{\"step\": -1}')");
    }
    Outcome dry = pipelitd(env(), "db", "adopt", "--dry-run", "--checkpoints");
    assertEquals(0, dry.exitCode(), dry.err() + dry.out());
    assertTrue(dry.out().contains("1 checkpoint(s), 0 write(s)"), dry.out());
    assertTrue(dry.out().contains("would add writes.task_path"), dry.out());

    Outcome both = pipelitd(env(), "db", "adopt", "--checkpoints");
    assertEquals(0, both.exitCode(), both.err() + both.out());
    assertTrue(both.out().contains("checkpoints: adopted " + checkpoints), both.out());
    assertTrue(both.out().contains("added writes.task_path"), both.out());
    List<String> columns = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + checkpoints); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("PRAGMA table_info(writes)")) {
      while (rows.next()) {
        columns.add(rows.getString("name"));
      }
    }
    assertTrue(columns.contains("task_path"), columns.toString());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + checkpoints)) {
      assertEquals(1, count(c, "SELECT count(*) FROM checkpoints"), "LangGraph's rows kept");
    }
    Outcome again = pipelitd(env(), "db", "adopt");
    assertEquals(1, again.exitCode(), "the main database is pipelitd's now: " + again.err());
    assertTrue(again.err().contains("not a Pipelit database"), again.err());

    // DATABASE_URL at a Pipelit database: `run` adopts it before serving, and Pipelit's token works.
    Path second = folder.resolve("second/db.sqlite3");
    buildPipelitDatabase(second, "c5d6e7f8a9b0");
    Map<String, String> env = new LinkedHashMap<>(env());
    env.put(ConfigKeys.DATABASE_URL, "sqlite:///" + second);
    CompletableFuture<io.pipelit.pipelitd.launcher.Daemon> ready = new CompletableFuture<>();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = LaunchContext.of(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true,
        StandardCharsets.UTF_8), InputStream.nullInputStream(), env, folder).withStopSignal(stop)
        .withReadyListener(ready::complete);
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> Main.execute(new String[] {"run", "--http-port", "0"}, context));
    exit.whenComplete((code, e) -> ready.completeExceptionally(new AssertionError("run ended with " + code + ": "
        + err.toString(StandardCharsets.UTF_8))));
    try {
      io.pipelit.pipelitd.launcher.Daemon daemon = ready.get(120, TimeUnit.SECONDS);
      java.net.http.HttpResponse<String> fork = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(daemon.httpUrl() + "/api/v1/workflows/fork/"))
              .header("Authorization", "Bearer " + KEY1).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, fork.statusCode(), fork.body());
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("adopted a Pipelit database"),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      stop.complete(null);
      assertEquals(0, exit.get(60, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + second)) {
      assertEquals(ApiKeys.hash(KEY1), text(c, "SELECT key FROM api_keys WHERE id = 1"));
    }
  }
}
