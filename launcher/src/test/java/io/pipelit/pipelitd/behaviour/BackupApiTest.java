package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.backup.BackupSchedulerVerticle;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.backup.BackupException;
import io.pipelit.pipelitd.storage.backup.BackupFiles;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.pipelit.pipelitd.storage.backup.BackupRestorer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/**
 * Backups through the API, on both backends: admin only, 201 with a verified manifest, newest-first
 * list, consistency under a continuous write load (writes go on meanwhile), restore round trip into a
 * fresh database with identical contents, refusal of corrupt and traversing names, status in /ready.
 */
class BackupApiTest extends BackendSuite {
  static final String B = "/api/v1/backups/";
  static Path backupDir;
  static Path scratch;
  static String normalKey;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void deployBackups() throws Exception {
    scratch = Files.createTempDirectory("pipelitd-backup-test-");
    backupDir = scratch.resolve("backups");
    JsonObject config = new JsonObject()
        .put(ConfigKeys.DATABASE_URL, daemon.databaseUrl)
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, Daemon.checkpointsUrl(daemon.databaseUrl))
        .put(ConfigKeys.FIELD_ENCRYPTION_KEY, daemon.fieldKey)
        .put(ConfigKeys.BACKUP_DIR, backupDir.toString())
        .put(ConfigKeys.BACKUP_SCHEDULE, "off")
        .put(ConfigKeys.BACKUP_KEEP_LAST, 3)
        .put(BackupSchedulerVerticle.VERSION_CONFIG_KEY, "test");
    Daemon.await(daemon.vertx.deployVerticle(new BackupSchedulerVerticle(), new DeploymentOptions().setConfig(config)));
    normalKey = daemon.createNormalUser("backup-normal");
    // A checkpoint, so that the SQLite checkpoint database exists and is backed up too.
    Response put = daemon.send("PUT", "/api/v1/checkpoints/t1/c1", daemon.adminKey, new JsonObject()
        .put("type", "json").put("checkpoint", java.util.Base64.getEncoder().encodeToString("{}".getBytes())).encode());
    assertEquals(201, put.status(), put.toString());
  }

  JsonObject backupNow() throws Exception {
    Response created = daemon.post(B, null);
    assertEquals(201, created.status(), created.toString());
    return created.json();
  }

  DatabaseUrl mainUrl() {
    return DatabaseUrl.parse(daemon.databaseUrl, scratch);
  }

  DatabaseUrl checkpointsUrl() {
    return DatabaseUrl.parse(Daemon.checkpointsUrl(daemon.databaseUrl), scratch);
  }

  @Test
  void onlyAdminsMayBackUpOrList() throws Exception {
    assertEquals(403, daemon.send("POST", B, normalKey, null).status());
    assertEquals(403, daemon.send("GET", B, normalKey, null).status());
    assertEquals(401, daemon.send("POST", B, null, null).status());
    assertEquals(401, daemon.send("GET", B, "pk-not-a-key", null).status());
  }

  @Test
  void postAnswers201WithAVerifiedManifestAndTheListShowsItFirst() throws Exception {
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "B").put("slug", "backup-me"));
    JsonObject manifest = backupNow();
    assertEquals("verified", manifest.getString("status"), manifest.encodePrettily());
    assertEquals("manual", manifest.getString("kind"));
    assertEquals(BackupManifest.keyFingerprint(daemon.fieldKey), manifest.getString("key_fingerprint"));
    assertFalse(manifest.encode().contains(daemon.fieldKey), "never the key itself");
    assertNotNull(manifest.getString("schema_version"));
    assertEquals("test", manifest.getString("pipelitd_version"));
    assertTrue(manifest.getJsonObject("verification").getBoolean("ok"));
    JsonArray files = manifest.getJsonArray("files");
    JsonObject main = files.getJsonObject(0);
    assertEquals("main", main.getString("database"));
    assertEquals(daemon.count("SELECT count(*) FROM workflows"), main.getJsonObject("row_counts").getLong("workflows"));
    Path file = backupDir.resolve(manifest.getString("name")).resolve(main.getString("file"));
    assertEquals(BackupFiles.sha256(file), main.getString("sha256"));
    assertEquals(Files.size(file), main.getLong("size"));
    if (backend == Backend.SQLITE) {
      assertEquals(2, files.size(), "the checkpoint database has its own file");
      assertEquals("checkpoints", files.getJsonObject(1).getString("database"));
      assertEquals(1L, files.getJsonObject(1).getJsonObject("row_counts").getLong("checkpoints"));
    } else {
      assertEquals(1, files.size(), "the checkpoint tables are in the main database's dump");
      assertEquals(1L, main.getJsonObject("row_counts").getLong("checkpoints"));
    }
    JsonObject list = daemon.get(B).json();
    assertEquals(list.getJsonArray("items").size(), list.getInteger("total"));
    assertEquals(manifest.getString("name"), list.getJsonArray("items").getJsonObject(0).getString("name"));

    JsonObject ready = daemon.get("/ready").json().getJsonObject("checks");
    assertEquals("ok", ready.getString("backups"));
    assertEquals("verified", ready.getJsonObject("last_backup").getString("status"));
  }

  @Test
  void retentionKeepsTheConfiguredNumber() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      names.add(backupNow().getString("name"));
    }
    JsonObject list = daemon.get(B).json();
    assertEquals(3, list.getInteger("total"), list.encodePrettily());
    List<String> listed = new ArrayList<>();
    list.getJsonArray("items").forEach(item -> listed.add(((JsonObject) item).getString("name")));
    assertEquals(List.of(names.get(3), names.get(2), names.get(1)), listed, "newest first, the oldest deleted");
    assertFalse(Files.exists(backupDir.resolve(names.get(0))));
  }

  @Test
  void aBackupUnderWriteLoadHoldsEveryRowCommittedBeforeItAndWritesGoOn() throws Exception {
    fill(40);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean backupRunning = new AtomicBoolean();
    AtomicInteger duringBackup = new AtomicInteger();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicInteger sequence = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      Thread writer = new Thread(() -> {
        while (!stop.get()) {
          String slug = "load-" + sequence.incrementAndGet();
          try {
            Response r = daemon.post("/api/v1/workflows/", new JsonObject().put("name", slug).put("slug", slug));
            if (r.status() != 201) {
              throw new AssertionError(r.toString());
            }
            acknowledged.add(r.json().getString("slug"));
            if (backupRunning.get()) {
              duringBackup.incrementAndGet();
            }
          } catch (Throwable e) {
            errors.add(e);
            return;
          }
        }
      });
      writer.start();
      writers.add(writer);
    }
    while (acknowledged.size() < 50 && errors.isEmpty()) {
      Thread.sleep(5);
    }
    Set<String> before = Set.copyOf(acknowledged);
    backupRunning.set(true);
    JsonObject manifest = backupNow();
    backupRunning.set(false);
    int afterBackup = acknowledged.size();
    Thread.sleep(200);
    stop.set(true);
    for (Thread writer : writers) {
      writer.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertEquals(List.of(), errors);
    assertEquals("verified", manifest.getString("status"));
    assertTrue(duringBackup.get() > 0, "writes were acknowledged while the backup ran");
    assertTrue(acknowledged.size() > afterBackup || afterBackup > before.size(), "writes went on");

    // Restore the backup into a fresh database and look: every slug acknowledged before it started is there.
    String restoredUrl = TestDatabases.freshUrl(backend, scratch);
    BackupRestorer.restore(new BackupRestorer.Request(backupDir, manifest.getString("name"), DatabaseUrl.parse(restoredUrl,
        scratch), checkpointsUrl(), false, BackupManifest.keyFingerprint(daemon.fieldKey), false), line -> { });
    Set<String> inBackup = new java.util.HashSet<>();
    try (Connection c = TestDatabases.connect(restoredUrl); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT slug FROM workflows WHERE slug LIKE 'load-%'")) {
      while (rows.next()) {
        inBackup.add(rows.getString(1));
      }
    }
    assertTrue(inBackup.containsAll(before), "missing: " + before.stream().filter(x -> !inBackup.contains(x)).toList());
    assertEquals(manifest.getJsonArray("files").getJsonObject(0).getJsonObject("row_counts").getLong("workflows"),
        countIn(restoredUrl, "workflows"));
  }

  @Test
  void restoreRoundTripGivesIdenticalTableContents() throws Exception {
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Round trip").put("slug", "round-trip"));
    daemon.post("/api/v1/credentials/", new JsonObject().put("name", "k").put("credential_type", "llm")
        .put("detail", new JsonObject().put("provider_type", "anthropic").put("api_key", "sk-round-trip-123456")));
    JsonObject manifest = backupNow();
    Map<String, List<String>> source = contents(daemon.databaseUrl);
    String restoredUrl = TestDatabases.freshUrl(backend, scratch);
    List<String> steps = new ArrayList<>();
    BackupRestorer.restore(new BackupRestorer.Request(backupDir, manifest.getString("name"),
        DatabaseUrl.parse(restoredUrl, scratch), checkpointsUrl(), false,
        BackupManifest.keyFingerprint(daemon.fieldKey), false), steps::add);
    assertFalse(steps.isEmpty(), "it says what it does");
    assertEquals(source, contents(restoredUrl));
  }

  @Test
  void aCorruptBackupIsRefusedAndChangesNothing() throws Exception {
    JsonObject manifest = backupNow();
    Path folder = backupDir.resolve(manifest.getString("name"));
    Path copy = backupDir.resolve(manifest.getString("name") + "-corrupt");
    Files.createDirectories(copy);
    for (Path file : Files.list(folder).toList()) {
      Files.copy(file, copy.resolve(file.getFileName()));
    }
    Path data = copy.resolve(manifest.getJsonArray("files").getJsonObject(0).getString("file"));
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(data, bytes);
    String target = TestDatabases.freshUrl(backend, scratch);
    DatabaseUrl targetUrl = DatabaseUrl.parse(target, scratch);
    BackupException refused = assertThrows(BackupException.class, () -> BackupRestorer.restore(
        new BackupRestorer.Request(backupDir, copy.getFileName().toString(), targetUrl, checkpointsUrl(), false, null,
            false), line -> { }));
    assertTrue(refused.getMessage().contains("corrupt"), refused.getMessage());
    assertEquals(Map.of(), contents(target), "the target was not touched");

    // A backup taken with another key is refused too (its secrets would not open).
    BackupException otherKey = assertThrows(BackupException.class, () -> BackupRestorer.restore(
        new BackupRestorer.Request(backupDir, manifest.getString("name"), targetUrl, checkpointsUrl(), false,
            "sha256:0000000000000000", false), line -> { }));
    assertTrue(otherKey.getMessage().contains("another FIELD_ENCRYPTION_KEY"), otherKey.getMessage());
    BackupFiles.deleteTree(copy);
  }

  @Test
  void aBackupNameCannotLeaveTheBackupFolder() throws Exception {
    for (String name : List.of("..", "../backups", "/etc", "a/../../b", ".hidden", "x/y", "", "..%2f")) {
      assertThrows(IllegalArgumentException.class, () -> BackupRestorer.restore(new BackupRestorer.Request(backupDir,
          name, mainUrl(), checkpointsUrl(), false, null, false), line -> { }), name);
    }
  }

  @Test
  void backupNowGoesThroughTheRunningDaemonWithAnAdminKey() throws Exception {
    Map<String, String> env = BackupCommandsTest.env(daemon.databaseUrl, backupDir, daemon.fieldKey);
    env.put(ConfigKeys.HTTP_PORT, Integer.toString(daemon.port));
    env.put("PIPELITD_API_KEY", daemon.adminKey);
    Process holder = backend == Backend.SQLITE
        ? BackupCommandsTest.holdGuard(DatabaseUrl.parse(daemon.databaseUrl, scratch).sqlitePath()) : null;
    try {
      BackupCommandsTest.Run now = BackupCommandsTest.cli(env, scratch, "backup", "now");
      assertEquals(0, now.exit(), now.toString());
      assertTrue(now.err().contains("asking it for the backup"), now.err());
      JsonObject manifest = new JsonObject(now.out().strip());
      assertEquals("verified", manifest.getString("status"));
      assertEquals(manifest.getString("name"), daemon.get("/ready").json().getJsonObject("checks")
          .getJsonObject("last_backup").getString("name"), "the daemon took it");
    } finally {
      if (holder != null) {
        holder.destroy();
        holder.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** About {@code megabytes} MiB of incompressible rows, so that a backup takes a noticeable time. */
  void fill(int megabytes) throws Exception {
    try (Connection c = daemon.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS backup_test_filler (id INTEGER PRIMARY KEY, data "
            + (backend == Backend.SQLITE ? "BLOB" : "BYTEA") + ")");
      }
      java.util.Random random = new java.util.Random(42);
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO backup_test_filler (id, data) VALUES (?, ?)")) {
        for (int i = 0; i < megabytes * 16; i++) {
          byte[] data = new byte[64 * 1024];
          random.nextBytes(data);
          insert.setLong(1, 1_000_000L + i);
          insert.setBytes(2, data);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      c.commit();
    }
  }

  static long countIn(String url, String table) throws Exception {
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** Every user table's rows as text, ordered, by table name (Flyway's history excluded: it records times). */
  static Map<String, List<String>> contents(String url) throws Exception {
    Map<String, List<String>> result = new TreeMap<>();
    try (Connection c = TestDatabases.connect(url)) {
      List<String> tables = new ArrayList<>();
      String sql = url.startsWith("sqlite")
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
          : "SELECT tablename FROM pg_tables WHERE schemaname = 'public'";
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      for (String table : tables) {
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT * FROM " + table)) {
          ResultSetMetaData meta = rows.getMetaData();
          while (rows.next()) {
            StringBuilder line = new StringBuilder();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              Object value = rows.getObject(i);
              line.append(value instanceof byte[] b ? BackupFiles.sha256(b) : String.valueOf(value)).append('|');
            }
            lines.add(line.toString());
          }
        }
        lines.sort(null);
        result.put(table, lines);
      }
    }
    assertNotEquals(null, result);
    return result;
  }
}
