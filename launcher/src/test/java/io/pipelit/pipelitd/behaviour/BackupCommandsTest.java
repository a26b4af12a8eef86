package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.launcher.Main;
import io.pipelit.pipelitd.persistence.PersistenceVerticle;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.backup.BackupCatalog;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The command line on both backends: the snapshot taken before pending migrations and {@code db rollback},
 * {@code backup now} / {@code backup list} / {@code restore} without a daemon, and restore refused while a
 * daemon serves the database or for a name outside the backup folder.
 */
class BackupCommandsTest extends BackendSuite {

  record Run(int exit, String out, String err) {}

  static Run cli(Map<String, String> env, Path workingDir, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, workingDir);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Map<String, String> env(String databaseUrl, Path backupDir, String fieldKey) {
    Map<String, String> env = new HashMap<>();
    env.put(ConfigKeys.DATABASE_URL, databaseUrl);
    env.put(ConfigKeys.CHECKPOINTS_DATABASE_URL, Daemon.checkpointsUrl(databaseUrl));
    env.put(ConfigKeys.BACKUP_DIR, backupDir.toString());
    env.put(ConfigKeys.FIELD_ENCRYPTION_KEY, fieldKey);
    env.put(ConfigKeys.HTTP_PORT, "1"); // nothing listens there: no daemon to go through
    return env;
  }

  static String schemaVersion(String url) throws Exception {
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success"
             + (url.startsWith("sqlite") ? " = 1" : "") + " ORDER BY installed_rank DESC LIMIT 1")) {
      rows.next();
      return rows.getString(1);
    }
  }

  static long count(String url, String sql) throws Exception {
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A database at schema version 2 (one migration pending for this pipelitd), with a user in it. */
  String oldDatabase(Path folder) throws Exception {
    String url = TestDatabases.freshUrl(backend, folder);
    DatabaseUrl parsed = DatabaseUrl.parse(url, folder);
    var configuration = Flyway.configure().dataSource(parsed.jdbcUrl(), parsed.user(), parsed.password())
        .locations("classpath:db/migration/" + (backend == Backend.SQLITE ? "sqlite" : "postgresql")).target("2");
    if (backend == Backend.POSTGRESQL) {
      configuration.defaultSchema("public");
    }
    configuration.load().migrate();
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('old-user', '', 'normal')");
    }
    return url;
  }

  @Test
  void aSnapshotIsTakenBeforePendingMigrationsAndDbRollbackRestoresIt() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-rollback-");
    Path backups = folder.resolve("backups");
    String url = oldDatabase(folder);
    String key = io.pipelit.pipelitd.crypto.FieldKeyring.generateKey();
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(new JsonObject()
          .put(ConfigKeys.DATABASE_URL, url).put(ConfigKeys.FIELD_ENCRYPTION_KEY, key)
          .put(ConfigKeys.BACKUP_DIR, backups.toString()))).await(120, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
    assertTrue(Integer.parseInt(schemaVersion(url)) > 2, "migrated");
    JsonObject snapshot = BackupCatalog.newestVerified(backups, BackupManifest.KIND_PRE_MIGRATION);
    assertEquals("2", snapshot.getString("schema_version"), snapshot.encodePrettily());
    assertEquals(BackupManifest.keyFingerprint(key), snapshot.getString("key_fingerprint"));
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('after-upgrade', '', 'normal')");
    }
    Map<String, String> env = env(url, backups, key);

    Run rollback = cli(env, folder, "db", "rollback");
    assertEquals(0, rollback.exit(), rollback.toString());
    assertTrue(rollback.out().contains("restored backup " + snapshot.getString("name")), rollback.out());
    assertEquals("2", schemaVersion(url));
    assertEquals(0, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'after-upgrade'"));
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'old-user'"));
    // Exactly the snapshot's database: tables of the later migrations are gone, so the daemon of the
    // snapshot's version (or a later one, migrating again) starts on a clean V2 schema.
    assertEquals(List.of(), tablesOf(url, "scheduled_jobs", "conversations"));
    if (backend == Backend.SQLITE) {
      Path file = DatabaseUrl.parse(url, folder).sqlitePath();
      assertTrue(Files.exists(Path.of(file + ".pre-restore")), "the replaced file is kept");
    }
  }

  @Test
  void backupNowListAndRestoreWithoutADaemon() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-cli-backup-");
    Path backups = folder.resolve("backups");
    String url = oldDatabase(folder);
    String key = io.pipelit.pipelitd.crypto.FieldKeyring.generateKey();
    Map<String, String> env = env(url, backups, key);

    Run now = cli(env, folder, "backup", "now");
    assertEquals(0, now.exit(), now.toString());
    JsonObject manifest = new JsonObject(now.out().strip());
    assertEquals("verified", manifest.getString("status"));
    assertTrue(now.err().contains("verifying"), "progress on stderr: " + now.err());
    Run list = cli(env, folder, "backup", "list");
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.out().startsWith(manifest.getString("name") + "\tmanual\tverified"), list.out());

    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("DELETE FROM user_profiles");
    }
    Run restore = cli(env, folder, "restore", manifest.getString("name"));
    assertEquals(0, restore.exit(), restore.toString());
    assertTrue(restore.out().contains("restored backup " + manifest.getString("name")), restore.out());
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'old-user'"));

    for (String name : List.of("../" + backups.getFileName(), "/etc", "a/../../b")) {
      Run traversal = cli(env, folder, "restore", name);
      assertEquals(2, traversal.exit(), traversal.toString());
      assertTrue(traversal.err().contains("not a backup name"), traversal.err());
    }
    Run missing = cli(env, folder, "restore", "pipelitd-19700101T000000Z");
    assertEquals(1, missing.exit(), missing.toString());
  }

  @Test
  void restoreIsRefusedWhileADaemonServesTheDatabase() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-cli-refuse-");
    Path backups = folder.resolve("backups");
    Map<String, String> env = env(daemon.databaseUrl, backups, daemon.fieldKey);
    Run now = cli(env, folder, "backup", "now");
    assertEquals(0, now.exit(), now.toString());
    String name = new JsonObject(now.out().strip()).getString("name");
    Process holder = null;
    if (backend == Backend.SQLITE) {
      // `run` holds the instance guard; a real second process holds it here (a JVM cannot lock twice).
      holder = holdGuard(DatabaseUrl.parse(daemon.databaseUrl, folder).sqlitePath());
    }
    try {
      long workflows = daemon.count("SELECT count(*) FROM user_profiles");
      Run refused = cli(env, folder, "restore", name);
      assertEquals(1, refused.exit(), refused.toString());
      assertTrue(refused.err().contains("refusing to restore") || refused.err().contains("daemon is connected"),
          refused.err());
      assertEquals(workflows, daemon.count("SELECT count(*) FROM user_profiles"));
    } finally {
      if (holder != null) {
        holder.destroy();
        holder.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A child JVM holding the OS lock on {@code <database>.pipelitd-lock}, as a running daemon does. */
  static Process holdGuard(Path database) throws Exception {
    Path source = Files.createTempFile("HoldGuard", ".java");
    Files.writeString(source, """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        public class HoldGuard {
          public static void main(String[] args) throws Exception {
            FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.lock();
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(600_000);
          }
        }
        """);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), source.toString(), database + ".pipelitd-lock")
        .redirectErrorStream(true).start();
    String line = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream())).readLine();
    assertEquals("locked", line);
    return process;
  }

  /** Which of {@code names} exist as tables in the database. */
  static List<String> tablesOf(String url, String... names) throws Exception {
    List<String> found = new java.util.ArrayList<>();
    try (Connection c = TestDatabases.connect(url)) {
      for (String name : names) {
        try (ResultSet rows = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
          if (rows.next()) {
            found.add(name);
          }
        }
      }
    }
    return found;
  }
}
