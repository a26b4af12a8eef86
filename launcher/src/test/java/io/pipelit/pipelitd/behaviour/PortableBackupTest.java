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
import io.pipelit.pipelitd.storage.backup.BackupFiles;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The portable backup format: chosen with {@code backup now --format portable}, verified by reading the
 * archive back, restored exactly into its own backend (also across later migrations) and, with
 * {@code restore --to}, into the other backend.
 */
class PortableBackupTest extends BackendSuite {

  private final RestoreAcrossSchemasTest databases = new RestoreAcrossSchemasTest();

  private String database(Path folder, String version, String username) throws Exception {
    databases.backend = backend;
    return databases.database(folder, version, username);
  }

  @Test
  void aPortableBackupIsVerifiedAndRestoredExactly() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-portable-");
    Path backups = folder.resolve("backups");
    String url = database(folder, "2", "old-user");
    Map<String, String> env = env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    JsonObject manifest = RestoreAcrossSchemasTest.backupNow(env, folder, "--format", "portable");
    assertEquals("portable", manifest.getString("format"), manifest.encodePrettily());
    JsonObject main = manifest.getJsonArray("files").getJsonObject(0);
    assertEquals("portable", main.getString("format"));
    assertEquals(1L, main.getJsonObject("row_counts").getLong("user_profiles"));
    assertEquals(true, manifest.getJsonObject("verification").getJsonArray("checks").getJsonObject(0)
        .getBoolean("read_back"));
    assertEquals("2", manifest.getString("schema_version"));

    databases.migrate(url, folder, null);
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('new-user', '', 'normal')");
    }
    Run restore = cli(env, folder, "restore", manifest.getString("name"));
    assertEquals(0, restore.exit(), restore.toString());
    assertEquals("2", schemaVersion(url));
    assertEquals(List.of(), tablesOf(url, "scheduled_jobs", "conversations"));
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'old-user'"));
    assertEquals(0, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'new-user'"));
    // New rows get fresh ids after the restore (sequences re-seeded), and the schema migrates on.
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('later-user', '', 'normal')");
    }
    databases.migrate(url, folder, null);
    assertEquals(List.of("scheduled_jobs", "conversations"), tablesOf(url, "scheduled_jobs", "conversations"));
  }

  @Test
  void aPortableBackupRestoresIntoTheOtherBackend() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-portable-cross-");
    Path backups = folder.resolve("backups");
    String url = database(folder, null, "moving-user");
    Map<String, String> env = env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    JsonObject manifest = RestoreAcrossSchemasTest.backupNow(env, folder, "--format", "portable");
    String other = TestDatabases.freshUrl(backend == Backend.SQLITE ? Backend.POSTGRESQL : Backend.SQLITE, folder);

    Run restore = cli(env, folder, "restore", manifest.getString("name"), "--to", other);
    assertEquals(0, restore.exit(), restore.toString());
    assertEquals(schemaVersion(url), schemaVersion(other));
    assertEquals(1, count(other, "SELECT count(*) FROM user_profiles WHERE username = 'moving-user'"));
    assertEquals(count(url, "SELECT count(*) FROM user_profiles"), count(other, "SELECT count(*) FROM user_profiles"));
    // The source is untouched.
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'moving-user'"));
  }

  @Test
  void aPortableBackupWhoseContentWasAlteredIsRefused() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-portable-damaged-");
    Path backups = folder.resolve("backups");
    String url = database(folder, null, "real-user");
    Map<String, String> env = env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    JsonObject manifest = RestoreAcrossSchemasTest.backupNow(env, folder, "--format", "portable");
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('new-user', '', 'normal')");
    }
    // Alter one value inside the archive and make the file checksum agree: only the archive's own
    // per-table checksums can notice.
    Path backup = backups.resolve(manifest.getString("name"));
    Path manifestFile = backup.resolve("manifest.json");
    JsonObject stored = new JsonObject(Files.readString(manifestFile));
    JsonObject main = stored.getJsonArray("files").getJsonObject(0);
    Path file = backup.resolve(main.getString("file"));
    String text;
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(text.contains("\"real-user\""), "the archive holds the user");
    ByteArrayOutputStream altered = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(altered)) {
      out.write(text.replace("\"real-user\"", "\"evil-user\"").getBytes(StandardCharsets.UTF_8));
    }
    Files.write(file, altered.toByteArray());
    main.put("size", Files.size(file)).put("sha256", BackupFiles.sha256(file));
    Files.writeString(manifestFile, stored.encodePrettily());

    Run restore = cli(env, folder, "restore", manifest.getString("name"));
    assertNotEquals(0, restore.exit(), restore.toString());
    assertTrue(restore.err().contains("checksum"), restore.err());
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'new-user'"));
    assertEquals(0, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'evil-user'"));
  }

  @Test
  void backupPgFormatChoosesThePortableFormatForPostgresqlOnly() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-portable-config-");
    Path backups = folder.resolve("backups");
    String url = database(folder, null, "some-user");
    Map<String, String> env = new java.util.HashMap<>(env(url, backups,
        io.pipelit.pipelitd.crypto.FieldKeyring.generateKey()));
    env.put(io.pipelit.pipelitd.contracts.config.ConfigKeys.BACKUP_PG_FORMAT, "portable");
    JsonObject manifest = RestoreAcrossSchemasTest.backupNow(env, folder);
    assertEquals(backend == Backend.POSTGRESQL ? "portable" : "sqlite_file", manifest.getString("format"),
        manifest.encodePrettily());

    env.put(io.pipelit.pipelitd.contracts.config.ConfigKeys.BACKUP_PG_FORMAT, "tarball");
    Run refused = cli(env, folder, "backup", "now");
    assertNotEquals(0, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("BACKUP_PG_FORMAT"), refused.err());
    Run badOption = cli(env(url, backups, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey()), folder,
        "backup", "now", "--format", "tarball");
    assertEquals(2, badOption.exit(), badOption.toString());
  }

  @Test
  void dbRollbackRestoresAPortableSnapshotAcrossLaterMigrations() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-portable-rollback-");
    Path backups = folder.resolve("backups");
    String url = database(folder, "2", "old-user");
    String key = io.pipelit.pipelitd.crypto.FieldKeyring.generateKey();
    // The snapshot a start without a usable pg_dump takes before migrating.
    JsonObject snapshot = io.pipelit.pipelitd.storage.backup.BackupTaker.take(
        io.pipelit.pipelitd.storage.backup.BackupTaker.Request.of(
            io.pipelit.pipelitd.storage.DatabaseUrl.parse(url, folder), null, backups,
            io.pipelit.pipelitd.storage.backup.BackupManifest.KIND_PRE_MIGRATION, true, "test",
            io.pipelit.pipelitd.storage.backup.BackupManifest.keyFingerprint(key))
            .withFormat(io.pipelit.pipelitd.storage.backup.BackupFormat.PORTABLE));
    assertEquals("verified", snapshot.getString("status"), snapshot.encodePrettily());
    databases.migrate(url, folder, null);
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO user_profiles (username, password_hash, role) VALUES ('after-upgrade', '', 'normal')");
    }

    Run rollback = cli(env(url, backups, key), folder, "db", "rollback");
    assertEquals(0, rollback.exit(), rollback.toString());
    assertEquals("2", schemaVersion(url));
    assertEquals(List.of(), tablesOf(url, "scheduled_jobs", "conversations"));
    assertEquals(1, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'old-user'"));
    assertEquals(0, count(url, "SELECT count(*) FROM user_profiles WHERE username = 'after-upgrade'"));
  }
}
