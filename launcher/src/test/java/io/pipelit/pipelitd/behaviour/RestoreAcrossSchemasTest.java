package io.pipelit.pipelitd.behaviour;

import static io.pipelit.pipelitd.behaviour.BackupCommandsTest.cli;
import static io.pipelit.pipelitd.behaviour.BackupCommandsTest.count;
import static io.pipelit.pipelitd.behaviour.BackupCommandsTest.env;
import static io.pipelit.pipelitd.behaviour.BackupCommandsTest.schemaVersion;
import static io.pipelit.pipelitd.behaviour.BackupCommandsTest.tablesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.behaviour.BackupCommandsTest.Run;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.backup.BackupFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A restore gives back exactly the backup's database, also when the database has been migrated past
 * the backup's schema since (tables of later migrations hold foreign keys to the backup's tables), and
 * a restore that fails half-way changes nothing.
 */
class RestoreAcrossSchemasTest extends BackendSuite {

  /** A database migrated to {@code version} (null: the latest), with user {@code username} in it. */
  String database(Path folder, String version, String username) throws Exception {
    String url = TestDatabases.freshUrl(backend, folder);
    migrate(url, folder, version);
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('" + username + "', '', 'normal')");
    }
    return url;
  }

  void migrate(String url, Path folder, String version) {
    DatabaseUrl parsed = DatabaseUrl.parse(url, folder);
    var configuration = Flyway.configure().dataSource(parsed.jdbcUrl(), parsed.user(), parsed.password())
        .locations("classpath:db/migration/" + (backend == Backend.SQLITE ? "sqlite" : "postgresql"));
    if (version != null) {
      configuration.target(version);
    }
    if (backend == Backend.POSTGRESQL) {
      configuration.defaultSchema("public");
    }
    configuration.load().migrate();
  }

  static JsonObject backupNow(Map<String, String> env, Path folder, String... options) {
    String[] args = new String[options.length + 2];
    args[0] = "backup";
    args[1] = "now";
    System.arraycopy(options, 0, args, 2, options.length);
    Run now = cli(env, folder, args);
    assertEquals(0, now.exit(), now.toString());
    JsonObject manifest = new JsonObject(now.out().strip());
    assertEquals("verified", manifest.getString("status"), manifest.encodePrettily());
    return manifest;
  }

  @Test
  void aBackupOlderThanTheSchemaIsRestoredExactly() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-restore-old-");
    Path backups = folder.resolve("backups");
    String url = database(folder, "2", "old-user");
    Map<String, String> env = env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    JsonObject manifest = backupNow(env, folder);
    assertEquals("2", manifest.getString("schema_version"));

    migrate(url, folder, null);
    assertEquals(List.of("scheduled_jobs", "conversations"), tablesOf(url, "scheduled_jobs", "conversations"));
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('new-user', '', 'normal')");
    }

    Run restore = cli(env, folder, "restore", manifest.getString("name"));
    assertEquals(0, restore.exit(), restore.toString());
    assertEquals("2", schemaVersion(url));
    assertEquals(List.of(), tablesOf(url, "scheduled_jobs", "conversations"));
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'old-user'"));
    assertEquals(0, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'new-user'"));
    // The restored database migrates forward again.
    migrate(url, folder, null);
    assertEquals(List.of("scheduled_jobs", "conversations"), tablesOf(url, "scheduled_jobs", "conversations"));
  }

  @Test
  void aRestoreOfADamagedFileChangesNothing() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-restore-damaged-");
    Path backups = folder.resolve("backups");
    String url = database(folder, "2", "old-user");
    Map<String, String> env = env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    JsonObject manifest = backupNow(env, folder);
    migrate(url, folder, null);
    String latest = schemaVersion(url);
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('new-user', '', 'normal')");
    }
    // Cut the main file in half and make the manifest agree with the damaged file, so that the checksum
    // check passes and the failure comes from reading the file during the restore itself.
    Path backup = backups.resolve(manifest.getString("name"));
    Path manifestFile = backup.resolve("manifest.json");
    JsonObject stored = new JsonObject(Files.readString(manifestFile));
    JsonObject main = stored.getJsonArray("files").getJsonObject(0);
    Path file = backup.resolve(main.getString("file"));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    main.put("size", Files.size(file)).put("sha256", BackupFiles.sha256(file));
    Files.writeString(manifestFile, stored.encodePrettily());

    Run restore = cli(env, folder, "restore", manifest.getString("name"));
    assertNotEquals(0, restore.exit(), restore.toString());
    assertUnchanged(url, latest);
  }

  @Test
  void aRestoreFailingInsideTheDatabaseRollsBackCompletely() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-restore-rollback-");
    Path backups = folder.resolve("backups");
    String url = database(folder, "2", "old-user");
    Map<String, String> env = env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    JsonObject manifest = backupNow(env, folder);
    migrate(url, folder, null);
    String latest = schemaVersion(url);
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('new-user', '', 'normal')");
    }
    if (backend == Backend.POSTGRESQL) {
      // Fails the restore after the old tables were dropped: the first CREATE TABLE of the backup raises.
      try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA guard");
        s.execute("CREATE FUNCTION guard.refuse() RETURNS event_trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN RAISE EXCEPTION 'no new tables today'; END $$");
        s.execute("CREATE EVENT TRIGGER refuse_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')"
            + " EXECUTE FUNCTION guard.refuse()");
      }
    } else {
      // SQLite: the unpacked copy does not hold the rows the manifest promises, so it never replaces the file.
      Path manifestFile = backups.resolve(manifest.getString("name")).resolve("manifest.json");
      JsonObject stored = new JsonObject(Files.readString(manifestFile));
      stored.getJsonArray("files").getJsonObject(0).getJsonObject("row_counts").put("user_profiles", 99);
      Files.writeString(manifestFile, stored.encodePrettily());
    }
    Run restore;
    try {
      restore = cli(env, folder, "restore", manifest.getString("name"));
    } finally {
      if (backend == Backend.POSTGRESQL) {
        try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
          s.execute("DROP EVENT TRIGGER refuse_tables");
        }
      }
    }
    assertNotEquals(0, restore.exit(), restore.toString());
    if (backend == Backend.POSTGRESQL) {
      assertTrue(restore.err().contains("no new tables today"), "failed inside the transaction: " + restore);
    }
    assertUnchanged(url, latest);
  }

  private static void assertUnchanged(String url, String latest) throws Exception {
    assertEquals(latest, schemaVersion(url));
    assertEquals(List.of("scheduled_jobs", "conversations"), tablesOf(url, "scheduled_jobs", "conversations"));
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'old-user'"));
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'new-user'"));
  }
}
