package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.checkpoints.impl.Schema;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.launcher.LaunchContext;
import io.pipelit.pipelitd.launcher.Main;
import io.pipelit.pipelitd.storage.transfer.ContentDigest;
import io.pipelit.pipelitd.storage.transfer.PortableArchive;
import io.pipelit.pipelitd.storage.transfer.Progress;
import io.pipelit.pipelitd.storage.transfer.Table;
import io.pipelit.pipelitd.storage.transfer.TableCatalog;
import io.pipelit.pipelitd.storage.transfer.TableSummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code pipelitd copy} (issue 8): a database filled through the real daemon API is copied to the other
 * backend and back, and comes back identical (row counts and content checksums of every table, secrets
 * that still decrypt, ids and sequences that go on); refusals of a non-empty target, a running daemon,
 * bad URLs and the same database twice. Runs once per backend as the source.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
class CopyCommandTest {
  static final String API_KEY = "sk-live-copy-0123456789";
  static final String TOKEN = "ghp_copy_abcdefghijkl";

  @Parameter
  Backend backend;

  @TempDir
  Path folder;

  record Outcome(int exitCode, String out, String err) {}

  Outcome copy(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> command = new ArrayList<>(List.of("copy"));
    command.addAll(List.of(args));
    int code = Main.execute(command.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), folder);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Backend other(Backend backend) {
    return backend == Backend.SQLITE ? Backend.POSTGRESQL : Backend.SQLITE;
  }

  /** Fills every table the API can reach, plus the self-references only data from Pipelit has. */
  static Map<String, Object> fill(Daemon daemon) throws Exception {
    Map<String, Object> facts = new HashMap<>();
    String alice = daemon.createNormalUser("alice");
    assertEquals(201, daemon.post("/api/v1/users/me/keys", new JsonObject().put("name", "ci")).status());
    for (String slug : List.of("base", "fork")) {
      JsonObject wf = new JsonObject().put("name", "Workflow " + slug).put("slug", slug)
          .put("description", "ünïcode ✓ \"quoted\"").put("tags", new JsonArray().add("a").add("b"))
          .put("is_public", slug.equals("fork"));
      assertEquals(201, daemon.post("/api/v1/workflows/", wf).status());
    }
    String wf = "/api/v1/workflows/base";
    assertEquals(201, daemon.post(wf + "/nodes/", new JsonObject().put("node_id", "model").put("component_type", "ai_model")
        .put("config", new JsonObject().put("model_name", "gpt-4o").put("temperature", 0.2).put("max_tokens", 512))).status());
    assertEquals(201, daemon.post(wf + "/nodes/", new JsonObject().put("node_id", "agent").put("component_type", "agent")
        .put("config", new JsonObject().put("system_prompt", "Be brief.")
            .put("extra_config", new JsonObject().put("z", 1).put("a", new JsonArray().add(1.5).add(true))))).status());
    assertEquals(201, daemon.post(wf + "/edges/", new JsonObject().put("source_node_id", "model")
        .put("target_node_id", "agent").put("edge_label", "llm")).status());
    String execution = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "base")
        .put("trigger_payload", new JsonObject().put("text", "hi"))).json().getString("execution_id");
    String child = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", "base")).json()
        .getString("execution_id");
    assertEquals(201, daemon.post("/api/v1/executions/" + execution + "/logs/", new JsonObject().put("node_id", "agent")
        .put("status", "completed").put("output", new JsonObject().put("answer", 42)).put("duration_ms", 12)).status());
    JsonObject llm = daemon.post("/api/v1/credentials/", new JsonObject().put("name", "openai").put("credential_type", "llm")
        .put("detail", new JsonObject().put("provider_type", "openai").put("api_key", API_KEY)
            .put("custom_headers", new JsonObject().put("X-Org", "o-1")))).json();
    daemon.post("/api/v1/credentials/", new JsonObject().put("name", "git").put("credential_type", "git")
        .put("detail", new JsonObject().put("provider", "github").put("credential_type", "token").put("access_token", TOKEN)));
    daemon.post("/api/v1/credentials/", new JsonObject().put("name", "gw").put("credential_type", "gateway")
        .put("detail", new JsonObject().put("gateway_credential_id", "gw").put("adapter_type", "telegram")));
    daemon.send("POST", "/api/v1/credentials/", alice, new JsonObject().put("name", "searx").put("credential_type", "tool")
        .put("detail", new JsonObject().put("tool_type", "searxng").put("config", new JsonObject().put("url", "http://s"))
            .put("is_preferred", true)).encode());
    String thread = "1:copy-thread";
    Response checkpoint = daemon.send("PUT", "/api/v1/checkpoints/" + thread + "/1ef4f797-8335-6428-8001-000000000001?ns=",
        daemon.adminKey, new JsonObject().put("type", "msgpack")
            .put("checkpoint", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 0xff}))
            .put("metadata", new JsonObject().put("source", "input").put("step", -1)).encode());
    assertEquals(201, checkpoint.status(), checkpoint.body());
    // References the API does not set but Pipelit data has: a fork, a self-referencing config, a child run.
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE workflows SET forked_from_id = (SELECT id FROM workflows WHERE slug = 'base'),"
          + " error_handler_workflow_id = (SELECT id FROM workflows WHERE slug = 'fork') WHERE slug = 'fork'");
      s.executeUpdate("UPDATE component_configs SET llm_model_config_id = (SELECT max(id) FROM component_configs)"
          + " WHERE id = (SELECT min(id) FROM component_configs)");
      s.executeUpdate("UPDATE workflow_executions SET parent_execution_id = '" + execution + "' WHERE execution_id = '"
          + child + "'");
    }
    facts.put("llm", llm.getLong("id"));
    facts.put("workflow", daemon.get(wf + "/").json());
    return facts;
  }

  /** Count and checksum of every table (the checkpoint tables included where they share the database). */
  static Map<String, TableSummary> summaries(String url) throws Exception {
    Map<String, TableSummary> summaries = new LinkedHashMap<>();
    try (Connection c = TestDatabases.connect(url)) {
      for (Table t : TableCatalog.read(c).tables()) {
        summaries.put(t.name(), ContentDigest.summarize(c, t, t.columns()));
      }
    }
    return summaries;
  }

  static String checkpointsUrl(String url) {
    return Daemon.checkpointsUrl(url);
  }

  String[] copyArgs(String from, String to, String... more) {
    List<String> args = new ArrayList<>(List.of("--from", from, "--to", to, "--checkpoints",
        "--checkpoints-from", checkpointsUrl(from), "--checkpoints-to", checkpointsUrl(to)));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void roundTripThroughTheOtherBackendKeepsEveryRow() throws Exception {
    Daemon source = Daemon.start(backend, folder);
    Map<String, Object> facts;
    String fieldKey = source.fieldKey;
    try {
      facts = fill(source);
    } finally {
      source.close();
    }
    Map<String, TableSummary> before = summaries(source.databaseUrl);
    for (String table : List.of("user_profiles", "api_keys", "workflows", "component_configs", "workflow_nodes",
        "workflow_edges", "workflow_executions", "execution_logs", "credentials", "llm_credentials",
        "git_credentials", "gateway_credentials", "tool_credentials")) {
      assertTrue(before.get(table).rows() > 0, table + " is filled");
    }

    String middle = TestDatabases.freshUrl(other(backend), folder);
    Outcome there = copy(copyArgs(source.databaseUrl, middle));
    assertEquals(0, there.exitCode(), there.err() + there.out());
    assertTrue(there.out().contains("copy verified"), there.out());
    assertTrue(there.out().contains("workflows"), there.out());
    assertFalse(there.out().contains("MISMATCH"), there.out());
    assertTrue(there.err().contains("rows/s"), there.err());

    String back = TestDatabases.freshUrl(backend, folder);
    Outcome home = copy(copyArgs(middle, back));
    assertEquals(0, home.exitCode(), home.err() + home.out());
    assertEquals(before, summaries(back), "identical content after the round trip");
    try (Connection original = TestDatabases.connect(source.databaseUrl); Connection copied = TestDatabases.connect(back)) {
      assertEquals(rows(original, "SELECT * FROM llm_credentials ORDER BY id"),
          rows(copied, "SELECT * FROM llm_credentials ORDER BY id"));
    }

    // The copy on the other backend serves: same workflow, secrets decrypt with the same key, new ids go on.
    String adminKey = io.pipelit.pipelitd.persistence.impl.ApiKeys.generate();
    try (Connection c = TestDatabases.connect(middle); java.sql.PreparedStatement s = c.prepareStatement(
        "INSERT INTO api_keys (user_id, key, name, prefix, is_active)"
            + " SELECT id, ?, 'after-copy', ?, TRUE FROM user_profiles WHERE username = 'admin'")) {
      s.setString(1, io.pipelit.pipelitd.persistence.impl.ApiKeys.hash(adminKey));
      s.setString(2, io.pipelit.pipelitd.persistence.impl.ApiKeys.prefix(adminKey));
      assertEquals(1, s.executeUpdate(), "a new key for the copied admin (the api_keys sequence goes on too)");
    }
    Daemon served = Daemon.attach(middle, new JsonObject().put(ConfigKeys.FIELD_ENCRYPTION_KEY, fieldKey), adminKey);
    try {
      JsonObject workflow = served.get("/api/v1/workflows/base/").json();
      assertEquals(facts.get("workflow"), workflow);
      try (Connection c = served.connect(); Statement s = c.createStatement();
           ResultSet rows = s.executeQuery("SELECT api_key FROM llm_credentials WHERE base_credentials_id = " + facts.get("llm"))) {
        assertTrue(rows.next());
        String stored = rows.getString(1);
        assertNotEquals(API_KEY, stored, "still encrypted at rest");
        assertEquals(API_KEY, FieldKeyring.parse(fieldKey).decrypt(stored).value());
      }
      long maxId = served.count("SELECT max(id) FROM workflows");
      JsonObject created = served.post("/api/v1/workflows/", new JsonObject().put("name", "after").put("slug", "after")).json();
      assertEquals(maxId + 1, created.getLong("id"), "the sequence continues after the copied ids");
      assertEquals(200, served.get("/api/v1/checkpoints/1:copy-thread/latest?ns=").status());
    } finally {
      served.close();
    }
  }

  @Test
  void portableArchiveOfTheRealSchemaRestoresIntoBothBackends() throws Exception {
    Daemon source = Daemon.start(backend, folder);
    try {
      fill(source);
    } finally {
      source.close();
    }
    io.pipelit.pipelitd.storage.DatabaseUrl sourceUrl = io.pipelit.pipelitd.storage.DatabaseUrl.parse(source.databaseUrl, folder);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    // The checkpoint tables that share a PostgreSQL database are not part of the main schema: left out.
    PortableArchive.Summary written = PortableArchive.write(sourceUrl, name -> !Schema.TABLES.contains(name), "test",
        archive, Progress.silent());
    assertEquals(io.pipelit.pipelitd.persistence.Migrations.runner(sourceUrl).currentVersion(),
        written.header().schemaVersion(), "the archive records the schema version");
    Map<String, TableSummary> expected = summaries(source.databaseUrl);
    for (Backend target : Backend.values()) {
      String url = TestDatabases.freshUrl(target, folder);
      PortableArchive.Summary restored = PortableArchive.restore(
          io.pipelit.pipelitd.storage.DatabaseUrl.parse(url, folder), new java.io.ByteArrayInputStream(archive.toByteArray()),
          Progress.silent());
      assertTrue(restored.verified(), restored.toString());
      Map<String, TableSummary> actual = summaries(url);
      for (Map.Entry<String, TableSummary> table : expected.entrySet()) {
        if (!Schema.TABLES.contains(table.getKey())) {
          assertEquals(table.getValue(), actual.get(table.getKey()), backend + " -> " + target + ": " + table.getKey());
        }
      }
    }
  }

  static List<Map<String, String>> rows(Connection c, String sql) throws Exception {
    List<Map<String, String>> rows = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
          row.put(r.getMetaData().getColumnName(i), r.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  void refusesANonEmptyTargetUnlessTruncate() throws Exception {
    Daemon source = Daemon.start(backend, folder);
    Daemon target = Daemon.start(other(backend), folder);
    source.post("/api/v1/workflows/", new JsonObject().put("name", "s").put("slug", "from-source"));
    target.post("/api/v1/workflows/", new JsonObject().put("name", "t").put("slug", "already-there"));
    source.close();
    target.close();
    Outcome refused = copy("--from", source.databaseUrl, "--to", target.databaseUrl);
    assertEquals(1, refused.exitCode(), refused.err());
    assertTrue(refused.err().contains("not empty"), refused.err());
    assertTrue(refused.err().contains("--truncate"), refused.err());
    assertEquals(1, target.count("SELECT count(*) FROM workflows WHERE slug = 'already-there'"), "target unchanged");

    Outcome replaced = copy("--from", source.databaseUrl, "--to", target.databaseUrl, "--truncate", "--batch", "7");
    assertEquals(0, replaced.exitCode(), replaced.err() + replaced.out());
    assertEquals(0, target.count("SELECT count(*) FROM workflows WHERE slug = 'already-there'"));
    assertEquals(1, target.count("SELECT count(*) FROM workflows WHERE slug = 'from-source'"));
  }

  @Test
  void refusesWhileADaemonServesTheSource() throws Exception {
    String url = TestDatabases.freshUrl(backend, folder);
    CompletableFuture<io.pipelit.pipelitd.launcher.Daemon> ready = new CompletableFuture<>();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    Map<String, String> env = Map.of(ConfigKeys.DATABASE_URL, url,
        ConfigKeys.CHECKPOINTS_DATABASE_URL, checkpointsUrl(url),
        ConfigKeys.FIELD_ENCRYPTION_KEY, FieldKeyring.generateKey());
    LaunchContext context = LaunchContext.of(new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()), java.io.InputStream.nullInputStream(), env, folder)
        .withStopSignal(stop).withReadyListener(ready::complete);
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> Main.execute(new String[] {"run", "--http-port", "0"}, context));
    try {
      ready.get(60, TimeUnit.SECONDS);
      Outcome refused = copy("--from", url, "--to", TestDatabases.freshUrl(other(backend), folder));
      assertEquals(1, refused.exitCode(), refused.err());
      assertTrue(refused.err().contains("pipelitd"), refused.err());
      assertTrue(refused.err().contains(backend == Backend.SQLITE ? "already serving" : "running pipelitd"), refused.err());
    } finally {
      stop.complete(null);
      exit.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void badUrlsAndTheSameDatabaseAreUsageErrors() throws Exception {
    String url = TestDatabases.freshUrl(backend, folder);
    Outcome bad = copy("--from", "mysql://x/y", "--to", url);
    assertEquals(2, bad.exitCode(), bad.err());
    assertTrue(bad.err().contains("--from"), bad.err());
    Outcome batch = copy("--from", url, "--to", TestDatabases.freshUrl(backend, folder), "--batch", "0");
    assertEquals(2, batch.exitCode(), batch.err());
    assertTrue(batch.err().contains("--batch"), batch.err());
    Outcome same = copy("--from", url, "--to", url);
    assertEquals(2, same.exitCode(), same.err());
    assertTrue(same.err().contains("same database"), same.err());
    Outcome missing = copy("--from", "sqlite:///" + folder.resolve("nope.sqlite3"), "--to", url);
    assertEquals(1, missing.exitCode(), missing.err());
    assertTrue(missing.err().contains("does not exist"), missing.err());
    assertFalse(Files.exists(folder.resolve("nope.sqlite3")), "a missing source is not created");
    Outcome unreachable = copy("--from", "postgresql://u:secretpw@127.0.0.1:1/db", "--to", url);
    assertEquals(1, unreachable.exitCode(), unreachable.err());
    assertTrue(unreachable.err().contains("cannot open the source"), unreachable.err());
    assertFalse(unreachable.err().contains("secretpw"), unreachable.err());
  }
}
