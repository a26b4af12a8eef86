package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.pipelit.pipelitd.backup.BackupSchedulerVerticle;
import io.pipelit.pipelitd.contracts.BackupAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.http.RouteTable;
import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the access matrix and the HTTP fuzzer share: who may call a route (decided by the address
 * prefix), objects owned by one normal user to aim at, and a snapshot of every table of the database.
 */
final class Reliability {
  private Reliability() {}

  /** Who may call a data route. */
  enum Access {
    /** Any user; a normal user sees only their own objects, others' read as 404. */
    OWNER_SCOPED,
    /** Admin keys only; a normal user's key gets 403. */
    ADMIN_ONLY
  }

  /**
   * Access by event-bus address prefix, longest prefix first. Every data route (ApiRoutes.ALL) must match
   * one: a route family merged later fails {@link #access} with a message saying to add it here, so that
   * its access rule is decided and then tested, never assumed. The prefixes mirror what StoreAddresses,
   * CheckpointAddresses and the comments of ApiRoutes document.
   */
  static final Map<String, Access> ACCESS_BY_PREFIX = new LinkedHashMap<>();

  static {
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "workflows.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "nodes.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "edges.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "executions.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "credentials.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "workspaces.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "settings.", Access.ADMIN_ONLY);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "memory.", Access.ADMIN_ONLY);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "schedules.", Access.OWNER_SCOPED);
    ACCESS_BY_PREFIX.put(StoreAddresses.PREFIX + "maintenance.", Access.ADMIN_ONLY);
    ACCESS_BY_PREFIX.put(BackupAddresses.PREFIX, Access.ADMIN_ONLY);
    ACCESS_BY_PREFIX.put(CheckpointAddresses.PREFIX, Access.ADMIN_ONLY);
  }

  static Access access(RouteTable.Route route) {
    String best = null;
    for (String prefix : ACCESS_BY_PREFIX.keySet()) {
      if (route.address().startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    if (best == null) {
      fail("Route " + route + " belongs to a route family the reliability suite does not know. Decide who may"
          + " call it and add its address prefix to Reliability.ACCESS_BY_PREFIX (OWNER_SCOPED or ADMIN_ONLY),"
          + " so the access matrix and the fuzzer test it.");
    }
    return ACCESS_BY_PREFIX.get(best);
  }

  /**
   * Objects owned by a normal user ({@code owner}), and a second normal user ({@code other}) who must not
   * see them. {@code parameters}: a value for each path parameter name of the route table, naming one of
   * the owner's objects.
   */
  record Fixtures(String ownerKey, String otherKey, Map<String, String> parameters) {

    /** The value of a path parameter; fails loudly for a parameter no fixture provides. */
    String parameter(RouteTable.Route route, String name) {
      String value = parameters.get(name);
      if (value == null) {
        fail("Route " + route + " has the path parameter :" + name + ", which Reliability.Fixtures does not"
            + " provide. Create an object for it in Reliability.fixtures (owned by the fixture owner).");
      }
      return value;
    }

    String path(RouteTable.Route route) {
      return route.path(name -> parameter(route, name));
    }

    /**
     * A body the owner could send on this route with success, so that a refusal of another user is about
     * the object and not about the body: {@code {}} unless {@link #VALID_BODIES} has one for the address.
     */
    String validBody(RouteTable.Route route) {
      return route.takesBody() ? VALID_BODIES.getOrDefault(route.address(), "{}") : null;
    }
  }

  /** Bodies for the owner-scoped routes whose body has required fields (see {@link Fixtures#validBody}). */
  static final Map<String, String> VALID_BODIES = Map.of(
      StoreAddresses.NODES_CREATE, new JsonObject().put("node_id", "c").put("component_type", "agent").encode(),
      StoreAddresses.EDGES_CREATE, new JsonObject().put("source_node_id", "a").put("target_node_id", "b").encode(),
      StoreAddresses.EXECUTIONS_APPEND_LOG, new JsonObject().put("node_id", "a").put("status", "completed").encode());

  /** Creates the owner, the other user and the owner's objects; {@code tag} keeps names unique per run. */
  static Fixtures fixtures(Daemon daemon, String tag) throws Exception {
    deployBackups(daemon);
    String owner = Accounts.userWithKey(daemon, "owner-" + tag, "normal");
    String other = Accounts.userWithKey(daemon, "other-" + tag, "normal");
    long spareUser = Accounts.create(daemon, "spare-" + tag, "normal");
    String slug = "fx-" + tag;
    long workflowId = created(daemon.send("POST", "/api/v1/workflows/", owner,
        new JsonObject().put("name", "Fixture " + tag).put("slug", slug).encode())).getLong("id");
    String wf = "/api/v1/workflows/" + slug;
    created(daemon.send("POST", wf + "/nodes/", owner,
        new JsonObject().put("node_id", "a").put("component_type", "agent").encode()));
    created(daemon.send("POST", wf + "/nodes/", owner,
        new JsonObject().put("node_id", "b").put("component_type", "code").encode()));
    long edgeId = created(daemon.send("POST", wf + "/edges/", owner,
        new JsonObject().put("source_node_id", "a").put("target_node_id", "b").encode())).getLong("id");
    String executionId = created(daemon.send("POST", "/api/v1/executions/", owner,
        new JsonObject().put("workflow_slug", slug).encode())).getString("execution_id");
    created(daemon.send("POST", "/api/v1/executions/" + executionId + "/logs/", owner,
        new JsonObject().put("node_id", "a").put("status", "completed").encode()));
    long credentialId = created(daemon.send("POST", "/api/v1/credentials/", owner,
        new JsonObject().put("name", "fx-" + tag).put("credential_type", "llm")
            .put("detail", new JsonObject().put("api_key", "sk-fixture-" + tag)).encode())).getLong("id");
    long workspaceId = created(daemon.send("POST", "/api/v1/workspaces/", owner,
        new JsonObject().put("name", "fx-" + tag).encode())).getLong("id");
    String jobId = created(daemon.send("POST", "/api/v1/schedules/", owner, new JsonObject().put("name", "fx-" + tag)
        .put("workflow_id", workflowId).put("interval_seconds", 3600).encode())).getString("id");
    long spareKeyId = created(daemon.send("POST", "/api/v1/users/" + spareUser + "/keys", daemon.adminKey,
        new JsonObject().put("name", "spare").encode())).getLong("id");

    Map<String, String> parameters = new TreeMap<>();
    parameters.put("slug", slug);
    parameters.put("node_id", "a");
    parameters.put("edge_id", Long.toString(edgeId));
    parameters.put("execution_id", executionId);
    parameters.put("credential_id", Long.toString(credentialId));
    parameters.put("workspace_id", Long.toString(workspaceId));
    parameters.put("job_id", jobId);
    parameters.put("thread_id", "fx-thread-" + tag);
    parameters.put("checkpoint_id", "fx-checkpoint-" + tag);
    parameters.put("user_id", Long.toString(spareUser));
    parameters.put("key_id", Long.toString(spareKeyId));
    return new Fixtures(owner, other, parameters);
  }

  /**
   * The backup service next to the suite's daemon (the harness deploys only the stores and the HTTP API),
   * so that the backup routes are covered too: a scratch folder, no schedule.
   */
  private static void deployBackups(Daemon daemon) throws Exception {
    JsonObject config = new JsonObject()
        .put(ConfigKeys.DATABASE_URL, daemon.databaseUrl)
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, Daemon.checkpointsUrl(daemon.databaseUrl))
        .put(ConfigKeys.FIELD_ENCRYPTION_KEY, daemon.fieldKey)
        .put(ConfigKeys.BACKUP_DIR, Files.createTempDirectory("pipelitd-reliability-backups-").toString())
        .put(ConfigKeys.BACKUP_SCHEDULE, "off")
        .put(BackupSchedulerVerticle.VERSION_CONFIG_KEY, "test");
    Daemon.await(daemon.vertx.deployVerticle(new BackupSchedulerVerticle(),
        new io.vertx.core.DeploymentOptions().setConfig(config)));
  }

  private static JsonObject created(Response response) {
    assertEquals(201, response.status(), "fixture: " + response);
    return response.json();
  }

  /** Makes a key refused for one reason: {@code sql} is an UPDATE with one parameter, the key's digest. */
  static void alterKey(Daemon daemon, String key, String sql) throws Exception {
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, ApiKeys.hash(key));
      assertEquals(1, s.executeUpdate(), sql);
    }
  }

  /** Columns that legitimately change on a read: the key's last use (debounced, written after a request). */
  private static final Set<String> VOLATILE_COLUMNS = Set.of("api_keys.last_used_at");

  /**
   * Row count and content hash of every table of the daemon's database (and of its SQLite checkpoint
   * file when there is one), read over JDBC. Rows are hashed one by one and the row hashes sorted, so the
   * result does not depend on the order a table is scanned in.
   */
  static Map<String, String> snapshot(Daemon daemon) throws Exception {
    try (Connection c = daemon.connect()) {
      return snapshot(daemon, c);
    }
  }

  /** {@link #snapshot(Daemon)} over an open connection to the main database (kept open by callers that snapshot often). */
  static Map<String, String> snapshot(Daemon daemon, Connection main) throws Exception {
    Map<String, String> tables = new TreeMap<>();
    snapshotInto(main, daemon.backend, "", tables);
    if (daemon.backend == Backend.SQLITE) {
      String checkpoints = Daemon.checkpointsUrl(daemon.databaseUrl);
      if (Files.exists(Path.of(checkpoints.substring("sqlite:///".length())))) {
        try (Connection c = TestDatabases.connect(checkpoints)) {
          snapshotInto(c, daemon.backend, "checkpoints:", tables);
        }
      }
    }
    return tables;
  }

  private static void snapshotInto(Connection c, Backend backend, String label, Map<String, String> out)
      throws Exception {
    List<String> names = new ArrayList<>();
    DatabaseMetaData meta = c.getMetaData();
    try (ResultSet rows = meta.getTables(null, backend == Backend.POSTGRESQL ? "public" : null, "%",
        new String[] {"TABLE"})) {
      while (rows.next()) {
        String name = rows.getString("TABLE_NAME");
        if (!name.startsWith("sqlite_")) {
          names.add(name);
        }
      }
    }
    HexFormat hex = HexFormat.of();
    for (String table : names) {
      List<String> rowHashes = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
        ResultSetMetaData columns = rows.getMetaData();
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        while (rows.next()) {
          for (int i = 1; i <= columns.getColumnCount(); i++) {
            if (VOLATILE_COLUMNS.contains(table + "." + columns.getColumnName(i).toLowerCase())) {
              continue;
            }
            Object value = rows.getObject(i);
            String text = value == null ? "\u0001null"
                : value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : value.toString();
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
          }
          rowHashes.add(hex.formatHex(digest.digest()));
        }
      }
      rowHashes.sort(null);
      MessageDigest tableDigest = MessageDigest.getInstance("SHA-256");
      rowHashes.forEach(h -> tableDigest.update(h.getBytes(StandardCharsets.US_ASCII)));
      out.put(label + table, rowHashes.size() + " rows, " + hex.formatHex(tableDigest.digest()).substring(0, 16));
    }
  }

  /**
   * The tables whose count or content differ between two snapshots, as "table: before -> after". A table
   * that appears empty is not a difference (the checkpoint store creates its tables on first use).
   */
  static List<String> differences(Map<String, String> before, Map<String, String> after) {
    List<String> changed = new ArrayList<>();
    Set<String> names = new java.util.TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    for (String name : names) {
      String was = before.get(name);
      String is = after.get(name);
      if (was == null && is != null && is.startsWith("0 rows,")) {
        continue; // a table created empty on first use (the checkpoint store's): schema, not data
      }
      if (!java.util.Objects.equals(was, is)) {
        changed.add(name + ": " + before.get(name) + " -> " + after.get(name));
      }
    }
    return changed;
  }
}
