package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.launcher.LaunchContext;
import io.pipelit.pipelitd.launcher.Main;
import io.pipelit.pipelitd.persistence.impl.TransferTables;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/**
 * {@code pipelitd export} and {@code pipelitd import} against the daemon's database and fresh ones of
 * the same backend: a full round trip keeps every row's content (ids aside) of every table, with a row
 * in each, and secrets that still decrypt; a second import matches what has a natural key and adds the
 * rest; a workflow export imported again gets de-duplicated slugs; a bad file changes nothing (also
 * when the database refuses a row halfway); {@code --decrypted} warns and moves secrets to another key.
 */
class ExportImportTest extends BackendSuite {
  static final String API_KEY = "sk-export-0123456789abcdef";
  static final String ENV_SECRET = "env-secret-4f1c9a";
  static final String DATABASE_URL_SETTING = "postgresql://bob:db-pw-7e21@db.example:5432/pipelit";
  static final String WORKSPACE = "exported-ws";
  static Path folder;
  static long nodeCount;

  record Outcome(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void seed() throws Exception {
    folder = Files.createTempDirectory("pipelitd-export-");
    String alice = daemon.createNormalUser("alice");
    JsonObject credential = daemon.send("POST", "/api/v1/credentials/", alice, new JsonObject().put("name", "main llm")
        .put("credential_type", "llm").put("detail", new JsonObject().put("provider_type", "anthropic")
            .put("api_key", API_KEY).put("custom_headers", new JsonObject().put("X-Team", "blue"))).encode()).json();
    long credentialId = credential.getLong("id");
    send(alice, "POST", "/api/v1/workflows/", new JsonObject().put("name", "Flow").put("slug", "flow")
        .put("tags", new JsonArray().add("a").add("b")).put("description", "exported"));
    send(alice, "POST", "/api/v1/workflows/flow/nodes/", new JsonObject().put("node_id", "chat")
        .put("component_type", "trigger_chat"));
    send(alice, "POST", "/api/v1/workflows/flow/nodes/", new JsonObject().put("node_id", "model")
        .put("component_type", "ai_model").put("config", new JsonObject().put("llm_credential_id", credentialId)
            .put("model_name", "claude").put("temperature", 0.25)));
    send(alice, "POST", "/api/v1/workflows/flow/nodes/", new JsonObject().put("node_id", "agent")
        .put("component_type", "agent").put("config", new JsonObject().put("system_prompt", "Be brief.")
            .put("extra_config", new JsonObject().put("nested", new JsonObject().put("x", 1)))));
    send(alice, "POST", "/api/v1/workflows/flow/edges/", new JsonObject().put("source_node_id", "chat")
        .put("target_node_id", "agent"));
    send(alice, "POST", "/api/v1/workflows/flow/edges/", new JsonObject().put("source_node_id", "model")
        .put("target_node_id", "agent").put("edge_label", "llm"));
    send(alice, "POST", "/api/v1/workflows/", new JsonObject().put("name", "Other").put("slug", "other"));
    String execution = send(alice, "POST", "/api/v1/executions/", new JsonObject().put("workflow_slug", "flow")
        .put("trigger_payload", new JsonObject().put("text", "hi"))).getString("execution_id");
    send(alice, "PATCH", "/api/v1/executions/" + execution + "/", new JsonObject().put("status", "running"));
    send(alice, "POST", "/api/v1/executions/" + execution + "/logs/", new JsonObject().put("node_id", "agent")
        .put("status", "completed").put("output", new JsonObject().put("output", "hello")).put("duration_ms", 840));
    send(alice, "PATCH", "/api/v1/executions/" + execution + "/", new JsonObject().put("status", "completed")
        .put("final_output", new JsonObject().put("output", "hello")));
    nodeCount = daemon.count("SELECT COUNT(*) FROM workflow_nodes n JOIN workflows w ON w.id = n.workflow_id"
        + " WHERE w.slug = 'flow'");
    seedEverythingElse(alice, execution);
  }

  /** A row in every table `--all` carries beyond workflows and executions, each made through its store. */
  static void seedEverythingElse(String alice, String execution) throws Exception {
    Identity aliceId = new Identity(daemon.count("SELECT id FROM user_profiles WHERE username = 'alice'"), Identity.NORMAL);
    Identity admin = new Identity(daemon.count("SELECT id FROM user_profiles WHERE username = 'admin'"), Identity.ADMIN);
    long flowId = daemon.count("SELECT id FROM workflows WHERE slug = 'flow'");
    send(alice, "POST", "/api/v1/schedules/", new JsonObject().put("name", "nightly").put("workflow_id", flowId)
        .put("interval_seconds", 3600).put("trigger_payload", new JsonObject().put("text", "tick")));
    bus(StoreAddresses.PENDING_TASKS_CREATE, new JsonObject().put("execution_id", execution).put("node_id", "agent")
        .put("prompt", "Ship it?").put("chat_id", "12345"), aliceId);
    bus(StoreAddresses.CONVERSATIONS_CREATE, new JsonObject().put("workflow_id", flowId).put("thread_id", "thread-1")
        .put("execution_id", execution).put("metadata", new JsonObject().put("channel", "chat")), aliceId);
    String episode = bus(StoreAddresses.MEMORY_EPISODES_RECORD, new JsonObject().put("agent_id", "agent-x")
        .put("user_id", "telegram:1").put("workflow_id", flowId).put("execution_id", execution)
        .put("trigger_type", "chat").put("conversation", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", "hi"))).put("success", true).put("summary", "greeted"), admin).getString("id");
    bus(StoreAddresses.MEMORY_FACTS_UPSERT, new JsonObject().put("scope", "user").put("agent_id", "agent-x")
        .put("user_id", "telegram:1").put("key", "language").put("value", new JsonObject().put("primary", "en"))
        .put("fact_type", "user_preference").put("confidence", 0.75).put("source_episode_id", episode), admin);
    JsonObject parent = bus(StoreAddresses.MEMORY_PROCEDURES_UPSERT, new JsonObject().put("agent_id", "agent-x")
        .put("name", "greet").put("procedure_type", "prompt_template")
        .put("procedure_content", new JsonObject().put("template", "Hello {name}")), admin).getJsonObject("procedure");
    bus(StoreAddresses.MEMORY_PROCEDURES_UPSERT, new JsonObject().put("agent_id", "agent-x").put("name", "greet-v2")
        .put("procedure_type", "prompt_template").put("source", "evolved").put("parent_procedure_id", parent.getString("id"))
        .put("procedure_content", new JsonObject().put("template", "Hi {name}!")), admin);
    String merged = bus(StoreAddresses.MEMORY_USERS_UPSERT, new JsonObject().put("canonical_id", "telegram:1")
        .put("display_name", "Ann").put("telegram_id", "1").put("email", "ann@example.com")
        .put("preferences_cache", new JsonObject().put("tone", "brief")), admin).getJsonObject("user").getString("id");
    bus(StoreAddresses.MEMORY_USERS_UPSERT, new JsonObject().put("canonical_id", "email:ann2@example.com")
        .put("merged_into_id", merged), admin);
    send(alice, "POST", "/api/v1/workspaces/", new JsonObject().put("name", WORKSPACE).put("allow_network", true)
        .put("env_vars", new JsonArray().add(new JsonObject().put("key", "API_TOKEN").put("value", ENV_SECRET))));
    Response settings = daemon.patch("/api/v1/settings/", new JsonObject().put("database_url", DATABASE_URL_SETTING)
        .put("redis_url", "redis://:redis-pw-42@cache.example:6379/1").put("platform_base_url", "https://pipelit.example"));
    assertEquals(200, settings.status(), settings.toString());
  }

  /** A request to a store address as {@code identity}, the fields under {@code body}. */
  static JsonObject bus(String address, JsonObject fields, Identity identity) {
    return (JsonObject) Daemon.await(daemon.vertx.eventBus().request(address, new JsonObject().put("body", fields),
        identity.toDeliveryOptions())).body();
  }

  /** Rows per table of {@link TransferTables} in a database. */
  static Map<String, Long> counts(String url) throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    for (TransferTables.Table table : TransferTables.ALL) {
      counts.put(table.name(), count(url, "SELECT COUNT(*) FROM " + table.name()));
    }
    return counts;
  }

  static String decrypt(String key, String token) {
    Decryption opened = FieldKeyring.parse(key).decrypt(token);
    assertEquals(Decryption.Status.OK, opened.status());
    return opened.value();
  }

  static JsonObject send(String key, String method, String path, JsonObject body) throws Exception {
    Response r = daemon.send(method, path, key, body.encode());
    assertTrue(r.status() < 300, method + " " + path + ": " + r);
    return r.json();
  }

  Outcome cli(String fieldKey, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
        Map.of("FIELD_ENCRYPTION_KEY", fieldKey), folder);
    int code = Main.execute(args, context);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Outcome onDaemon(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--database-url");
    all.add(daemon.databaseUrl);
    return cli(daemon.fieldKey, all.toArray(String[]::new));
  }

  Path exportFile(String name, String... args) throws Exception {
    Path file = folder.resolve(name + "-" + backend + ".json");
    List<String> all = new ArrayList<>(List.of("export", "--out", file.toString()));
    all.addAll(List.of(args));
    Outcome export = onDaemon(all.toArray(String[]::new));
    assertEquals(0, export.code(), export.toString());
    assertTrue(export.out().startsWith("Exported "), export.out());
    return file;
  }

  static long count(String url, String sql) throws Exception {
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  static String string(String url, String sql) throws Exception {
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      assertTrue(rows.next(), sql);
      return rows.getString(1);
    }
  }

  /** Rows per table with keys and references removed, sorted: the content "modulo ids". */
  static JsonObject content(JsonObject document) {
    JsonObject tables = document.getJsonObject("tables");
    JsonObject result = new JsonObject();
    for (TransferTables.Table table : TransferTables.ALL) {
      JsonArray rows = tables.getJsonArray(table.name());
      if (rows == null) {
        continue;
      }
      List<String> normalised = new ArrayList<>();
      for (Object item : rows) {
        JsonObject row = ((JsonObject) item).copy();
        row.remove(table.key());
        table.columns().stream().filter(c -> c.kind() == TransferTables.Kind.REF)
            .forEach(c -> row.put(c.name(), row.getValue(c.name()) == null ? "null" : "set"));
        normalised.add(row.encode());
      }
      normalised.sort(String::compareTo);
      result.put(table.name(), new JsonArray(new ArrayList<>(normalised)));
    }
    return result;
  }

  static JsonObject read(Path file) throws Exception {
    return new JsonObject(Files.readString(file));
  }

  @Test
  void aFullRoundTripKeepsTheContentAndSecretsStillDecrypt() throws Exception {
    Path exported = exportFile("all", "--all");
    JsonObject document = read(exported);
    assertEquals("pipelitd-export", document.getString("format"));
    assertEquals(1, document.getInteger("format_version"));
    assertEquals("encrypted", document.getString("credentials"));
    JsonObject user = document.getJsonObject("tables").getJsonArray("user_profiles").getJsonObject(0);
    assertFalse(user.containsKey("password_hash"), "password hashes are not exported");
    String stored = document.getJsonObject("tables").getJsonArray("llm_credentials").getJsonObject(0).getString("api_key");
    assertFalse(stored.contains(API_KEY), "exported encrypted");

    String target = TestDatabases.freshUrl(backend, folder);
    Outcome imported = cli(daemon.fieldKey, "import", exported.toString(), "--database-url", target);
    assertEquals(0, imported.code(), imported.toString());
    assertTrue(imported.out().contains("1 workflow_executions"), imported.out());

    Path again = folder.resolve("again-" + backend + ".json");
    Outcome reexport = cli(daemon.fieldKey, "export", "--all", "--out", again.toString(), "--database-url", target);
    assertEquals(0, reexport.code(), reexport.toString());
    assertEquals(content(document), content(read(again)));

    for (String table : List.of("user_profiles", "credentials", "llm_credentials", "workflows", "component_configs",
        "workflow_nodes", "workflow_edges", "workflow_executions", "execution_logs", "scheduled_jobs", "pending_tasks",
        "conversations", "memory_episodes", "memory_facts", "memory_procedures", "memory_users", "workspaces",
        "system_config")) {
      assertFalse(document.getJsonObject("tables").getJsonArray(table).isEmpty(), table + " has rows");
    }
    String storedEnv = document.getJsonObject("tables").getJsonArray("workspaces").stream()
        .map(JsonObject.class::cast).filter(w -> w.getString("name").equals(WORKSPACE)).findFirst().orElseThrow()
        .getString("env_vars");
    assertFalse(storedEnv.contains(ENV_SECRET), "workspace env vars travel encrypted");
    assertFalse(document.encode().contains("db-pw-7e21"), "settings URLs travel encrypted");
    assertTrue(decrypt(daemon.fieldKey, string(target, "SELECT env_vars FROM workspaces WHERE name = '" + WORKSPACE
        + "'")).contains(ENV_SECRET));
    assertEquals(DATABASE_URL_SETTING, decrypt(daemon.fieldKey, string(target, "SELECT database_url FROM system_config")));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM system_config"));
    assertEquals("https://pipelit.example", string(target, "SELECT platform_base_url FROM system_config WHERE id = 1"));
    // The new tables' references follow the new keys too.
    assertEquals(1, count(target, "SELECT COUNT(*) FROM scheduled_jobs j JOIN workflows w ON w.id = j.workflow_id"
        + " JOIN user_profiles u ON u.id = j.user_profile_id WHERE w.slug = 'flow' AND u.username = 'alice'"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM pending_tasks t JOIN workflow_executions e"
        + " ON e.execution_id = t.execution_id JOIN workflows w ON w.id = e.workflow_id WHERE w.slug = 'flow'"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM conversations c JOIN workflow_executions e"
        + " ON e.execution_id = c.execution_id WHERE c.workflow_id = e.workflow_id"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM memory_facts f JOIN memory_episodes e"
        + " ON e.id = f.source_episode_id JOIN workflow_executions x ON x.execution_id = e.execution_id"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM memory_procedures p JOIN memory_procedures parent"
        + " ON parent.id = p.parent_procedure_id WHERE parent.name = 'greet' AND p.name = 'greet-v2'"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM memory_users m JOIN memory_users survivor"
        + " ON survivor.id = m.merged_into_id WHERE survivor.canonical_id = 'telegram:1'"));
    assertTrue(string(target, "SELECT task_id FROM pending_tasks").matches("[0-9a-f]{8}"));

    String token = string(target, "SELECT api_key FROM llm_credentials");
    Decryption opened = FieldKeyring.parse(daemon.fieldKey).decrypt(token);
    assertEquals(Decryption.Status.OK, opened.status());
    assertEquals(API_KEY, opened.value());
    // References follow the new ids.
    assertEquals(nodeCount, count(target, "SELECT COUNT(*) FROM workflow_nodes n JOIN workflows w ON w.id = n.workflow_id"
        + " JOIN component_configs c ON c.id = n.component_config_id WHERE w.slug = 'flow'"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM component_configs c JOIN llm_credentials l"
        + " ON l.base_credentials_id = c.llm_credential_id WHERE c.model_name = 'claude'"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM execution_logs l JOIN workflow_executions e"
        + " ON e.execution_id = l.execution_id JOIN user_profiles u ON u.id = e.user_profile_id WHERE u.username = 'alice'"));
  }

  @Test
  void aSecondImportMatchesWhatIsAlreadyThere() throws Exception {
    Path exported = exportFile("twice", "--all");
    String target = TestDatabases.freshUrl(backend, folder);
    Outcome first = cli(daemon.fieldKey, "import", exported.toString(), "--database-url", target);
    assertEquals(0, first.code(), first.toString());
    Map<String, Long> once = counts(target);
    String settingsBefore = string(target, "SELECT default_timezone || ' ' || platform_base_url FROM system_config");

    Outcome second = cli(daemon.fieldKey, "import", exported.toString(), "--database-url", target);
    assertEquals(0, second.code(), second.toString());
    assertTrue(second.out().contains(once.get("user_profiles") + " user(s) matched by username"), second.out());
    assertTrue(second.out().contains("already here, kept as they are: "), second.out());
    assertTrue(second.out().contains("workflow 'flow' imported as 'flow-2'"), second.out());
    Map<String, Long> twice = counts(target);
    // Matched by their natural keys: users, workspaces, memory users, facts, procedures; the settings
    // singleton is overwritten in place.
    for (String matched : List.of("user_profiles", "workspaces", "memory_users", "memory_facts", "memory_procedures",
        "system_config")) {
      assertEquals(once.get(matched), twice.get(matched), matched);
    }
    // Everything else is added again, workflows under new slugs, with new keys.
    for (String added : List.of("workflows", "workflow_nodes", "workflow_executions", "execution_logs", "credentials",
        "scheduled_jobs", "pending_tasks", "conversations", "memory_episodes")) {
      assertEquals(2 * once.get(added), twice.get(added), added);
    }
    assertEquals(settingsBefore, string(target, "SELECT default_timezone || ' ' || platform_base_url FROM system_config"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM scheduled_jobs j JOIN workflows w ON w.id = j.workflow_id"
        + " WHERE w.slug = 'flow-2'"));
    // The second copy's episode is linked to the second copy's workflow; the fact stays with the first.
    assertEquals(1, count(target, "SELECT COUNT(*) FROM memory_episodes e JOIN workflows w ON w.id = e.workflow_id"
        + " WHERE w.slug = 'flow-2'"));

    // Another memory user with the telegram id and email of one already here: imported without them.
    JsonObject ann = read(exported).getJsonObject("tables").getJsonArray("memory_users").stream()
        .map(JsonObject.class::cast).filter(u -> "telegram:1".equals(u.getString("canonical_id"))).findFirst()
        .orElseThrow().put("canonical_id", "telegram:1-twin").put("display_name", "Twin");
    Path twin = folder.resolve("twin-" + backend + ".json");
    Files.writeString(twin, new JsonObject().put("format", "pipelitd-export").put("format_version", 1)
        .put("tables", new JsonObject().put("memory_users", new JsonArray().add(ann))).encode());
    Outcome third = cli(daemon.fieldKey, "import", twin.toString(), "--database-url", target);
    assertEquals(0, third.code(), third.toString());
    assertEquals(1, count(target, "SELECT COUNT(*) FROM memory_users WHERE canonical_id = 'telegram:1-twin'"
        + " AND display_name = 'Twin' AND telegram_id IS NULL AND email IS NULL"));
    assertEquals(1, count(target, "SELECT COUNT(*) FROM memory_users WHERE email = 'ann@example.com'"));
  }

  @Test
  void aBadFullFileChangesNothing() throws Exception {
    JsonObject document = read(exportFile("bad-all", "--all"));
    Map<String, Long> before = counts(daemon.databaseUrl);
    String settingsBefore = string(daemon.databaseUrl, "SELECT database_url FROM system_config WHERE id = 1");
    JsonObject tables = document.getJsonObject("tables");
    tables.getJsonArray("system_config").getJsonObject(0).put("id", 2);
    tables.getJsonArray("memory_facts").getJsonObject(0).put("source_episode_id", "no-such-episode");
    tables.getJsonArray("workspaces").getJsonObject(0)
        .put("env_vars", FieldKeyring.parse(FieldKeyring.generateKey()).encrypt("[]"));
    tables.getJsonArray("pending_tasks").getJsonObject(0).putNull("prompt");
    tables.getJsonArray("memory_users").getJsonObject(0).put("embedding", "AAAA");
    Outcome refused = importDocument("bad-all", document);
    assertEquals(2, refused.code(), refused.toString());
    String err = refused.err();
    assertTrue(err.contains("nothing was written"), err);
    assertTrue(err.contains("system_config[0].id: must be 1"), err);
    assertTrue(err.contains("memory_facts[0].source_episode_id: no-such-episode refers to no memory_episodes row"), err);
    assertTrue(err.contains("workspaces[0].env_vars: cannot be decrypted with this FIELD_ENCRYPTION_KEY"), err);
    assertTrue(err.contains("pending_tasks[0].prompt: is required"), err);
    assertTrue(err.contains("memory_users[0].embedding: not a column of memory_users"), err);
    assertEquals(before, counts(daemon.databaseUrl));
    assertEquals(settingsBefore, string(daemon.databaseUrl, "SELECT database_url FROM system_config WHERE id = 1"));
  }

  @Test
  void aWorkflowImportedAgainGetsANewSlug() throws Exception {
    Path exported = exportFile("flow", "--workflow", "flow");
    JsonObject tables = read(exported).getJsonObject("tables");
    assertEquals(List.of("workflows", "component_configs", "workflow_nodes", "workflow_edges"),
        new ArrayList<>(tables.fieldNames()));
    assertEquals(1, tables.getJsonArray("workflows").size());
    assertNull(tables.getJsonArray("workflows").getJsonObject(0).getValue("owner_id"));
    assertEquals(nodeCount, tables.getJsonArray("workflow_nodes").size());

    Outcome toStdout = onDaemon("export", "--workflow", "flow");
    assertEquals(0, toStdout.code(), toStdout.toString());
    assertEquals(tables, new JsonObject(toStdout.out()).getJsonObject("tables"));

    Outcome noOwner = onDaemon("import", exported.toString(), "--owner", "nobody");
    assertEquals(2, noOwner.code(), noOwner.toString());
    assertTrue(noOwner.err().contains("no user named 'nobody'"), noOwner.err());

    Outcome first = onDaemon("import", exported.toString(), "--owner", "alice");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().contains("workflow 'flow' imported as 'flow-2'"), first.out());
    Outcome second = onDaemon("import", exported.toString());
    assertEquals(0, second.code(), second.toString());
    assertTrue(second.out().contains("imported as 'flow-3'"), second.out());

    assertEquals(nodeCount, daemon.count("SELECT COUNT(*) FROM workflow_nodes n JOIN workflows w ON w.id = n.workflow_id"
        + " WHERE w.slug = 'flow-2'"));
    assertEquals("alice", string(daemon.databaseUrl, "SELECT u.username FROM workflows w JOIN user_profiles u"
        + " ON u.id = w.owner_id WHERE w.slug = 'flow-2'"));
    assertEquals("admin", string(daemon.databaseUrl, "SELECT u.username FROM workflows w JOIN user_profiles u"
        + " ON u.id = w.owner_id WHERE w.slug = 'flow-3'"));
  }

  @Test
  void aBadFileChangesNothing() throws Exception {
    Path exported = exportFile("bad-base", "--workflow", "flow");
    JsonObject document = read(exported);
    long workflows = daemon.count("SELECT COUNT(*) FROM workflows");
    long configs = daemon.count("SELECT COUNT(*) FROM component_configs");

    // The database refuses the last node (same node_id twice in a workflow) after the rest went in.
    JsonObject duplicateNode = document.copy();
    JsonArray nodes = duplicateNode.getJsonObject("tables").getJsonArray("workflow_nodes");
    nodes.add(nodes.getJsonObject(0).copy().put("id", 999_999));
    Outcome refused = importDocument("duplicate-node", duplicateNode);
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("nothing was written"), refused.err());

    // A CHECK constraint (role) refuses the second user after the first went in: neither stays.
    JsonObject user = new JsonObject().put("id", 1).put("username", "trent").put("first_name", "").put("last_name", "")
        .putNull("external_user_id").put("github_username", "").put("gitlab_username", "")
        .put("created_at", "2026-01-01T00:00:00.000000+00:00").put("role", "normal").putNull("created_by_agent_id")
        .put("is_active", true);
    JsonObject users = new JsonObject().put("format", "pipelitd-export").put("format_version", 1)
        .put("tables", new JsonObject().put("user_profiles", new JsonArray().add(user)
            .add(user.copy().put("id", 2).put("username", "mallory").put("role", "root"))));
    Outcome checked = importDocument("bad-role", users);
    assertEquals(2, checked.code(), checked.toString());
    assertTrue(checked.err().contains("nothing was written"), checked.err());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM user_profiles WHERE username IN ('trent', 'mallory')"));

    JsonObject badReference = document.copy();
    badReference.getJsonObject("tables").getJsonArray("workflow_edges").getJsonObject(0).put("workflow_id", 424_242);
    badReference.getJsonObject("tables").getJsonArray("workflows").getJsonObject(0).put("is_active", "yes");
    Outcome invalid = importDocument("bad-reference", badReference);
    assertEquals(2, invalid.code(), invalid.toString());
    assertTrue(invalid.err().contains("workflow_edges[0].workflow_id: 424242 refers to no workflows row"), invalid.err());
    assertTrue(invalid.err().contains("workflows[0].is_active: must be true or false"), invalid.err());

    Outcome version = importDocument("version", document.copy().put("format_version", 99));
    assertEquals(2, version.code(), version.toString());
    assertTrue(version.err().contains("format_version: 99 is not supported"), version.err());

    Path notJson = folder.resolve("not-json.json");
    Files.writeString(notJson, "{\"format\": ");
    Outcome garbage = onDaemon("import", notJson.toString());
    assertEquals(2, garbage.code(), garbage.toString());
    assertTrue(garbage.err().contains("is not a JSON object"), garbage.err());
    assertEquals(2, onDaemon("import", folder.resolve("missing.json").toString()).code());

    assertEquals(workflows, daemon.count("SELECT COUNT(*) FROM workflows"));
    assertEquals(configs, daemon.count("SELECT COUNT(*) FROM component_configs"));

    Outcome unknown = onDaemon("export", "--workflow", "no-such-flow");
    assertEquals(1, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("no workflow with slug no-such-flow"), unknown.err());
    assertEquals(2, onDaemon("export", "--all", "--workflow", "flow").code());
  }

  Outcome importDocument(String name, JsonObject document) throws Exception {
    Path file = folder.resolve(name + "-" + backend + ".json");
    Files.writeString(file, document.encode());
    return onDaemon("import", file.toString());
  }

  @Test
  void decryptedExportsWarnAndMoveSecretsToAnotherKey() throws Exception {
    Path file = folder.resolve("decrypted-" + backend + ".json");
    Outcome export = onDaemon("export", "--all", "--decrypted", "--out", file.toString());
    assertEquals(0, export.code(), export.toString());
    assertTrue(export.err().contains("warning") && export.err().contains("PLAINTEXT"), export.err());
    assertTrue(Files.readString(file).contains(API_KEY));
    assertTrue(Files.readString(file).contains(ENV_SECRET), "workspace env vars are decrypted too");
    assertTrue(Files.readString(file).contains(DATABASE_URL_SETTING), "settings URLs are decrypted too");
    assertEquals("decrypted", read(file).getString("credentials"));

    String otherKey = FieldKeyring.generateKey();
    Path encrypted = exportFile("encrypted", "--all");
    String refusing = TestDatabases.freshUrl(backend, folder);
    Outcome refused = cli(otherKey, "import", encrypted.toString(), "--database-url", refusing);
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("api_key: cannot be decrypted with this FIELD_ENCRYPTION_KEY"), refused.err());
    assertEquals(0, count(refusing, "SELECT COUNT(*) FROM workflows"));

    String target = TestDatabases.freshUrl(backend, folder);
    Outcome imported = cli(otherKey, "import", file.toString(), "--database-url", target);
    assertEquals(0, imported.code(), imported.toString());
    assertTrue(decrypt(otherKey, string(target, "SELECT env_vars FROM workspaces WHERE name = '" + WORKSPACE + "'"))
        .contains(ENV_SECRET));
    assertEquals(DATABASE_URL_SETTING, decrypt(otherKey, string(target, "SELECT database_url FROM system_config")));
    Decryption opened = FieldKeyring.parse(otherKey).decrypt(string(target, "SELECT api_key FROM llm_credentials"));
    assertEquals(Decryption.Status.OK, opened.status());
    assertEquals(API_KEY, opened.value());
  }
}
