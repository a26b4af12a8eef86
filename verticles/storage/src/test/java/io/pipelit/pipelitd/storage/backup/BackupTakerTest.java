package io.pipelit.pipelitd.storage.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup library on SQLite files: a full disk, an abort, uncompressed copies, the pre-migration snapshot. */
class BackupTakerTest {
  @TempDir
  Path dir;

  Path database() throws Exception {
    Path file = dir.resolve("db.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, data BLOB)");
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO items (data) VALUES (?)")) {
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 200; i++) {
          byte[] data = new byte[8192];
          random.nextBytes(data);
          insert.setBytes(1, data);
          insert.executeUpdate();
        }
      }
      c.commit();
    }
    return file;
  }

  DatabaseUrl url(Path file) {
    return DatabaseUrl.parse("sqlite:///" + file, dir);
  }

  @Test
  void aFullDiskMidBackupRemovesThePartialFileAndLeavesTheDatabaseUntouched() throws Exception {
    Path db = database();
    String before = BackupFiles.sha256(db);
    // Accepts 100 KiB, then fails as a full disk does.
    BackupFiles.StreamOpener full = file -> new FilterOutputStream(Files.newOutputStream(file)) {
      long written;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        written += len;
        if (written > 100 * 1024) {
          throw new IOException("No space left on device");
        }
        out.write(b, off, len);
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }
    };
    Path backups = dir.resolve("backups");
    JsonObject manifest = BackupTaker.take(new BackupTaker.Request(url(db), null, backups, BackupManifest.KIND_MANUAL,
        true, "test", null, full, null, null, null));
    assertEquals(BackupManifest.STATUS_FAILED, manifest.getString("status"));
    assertTrue(manifest.getString("error").contains("No space left on device"), manifest.getString("error"));
    Path folder = backups.resolve(manifest.getString("name"));
    try (Stream<Path> files = Files.list(folder)) {
      assertEquals(List.of(BackupManifest.FILE_NAME), files.map(p -> p.getFileName().toString()).toList(),
          "only the manifest of the failure is left");
    }
    try (Stream<Path> all = Files.list(backups)) {
      assertEquals(1, all.count(), "no partial folder left");
    }
    assertEquals(before, BackupFiles.sha256(db), "the database is untouched");
    assertEquals(List.of(manifest), BackupCatalog.list(backups), "the failure is listed");
  }

  @Test
  void anAbortedBackupLeavesNothing() throws Exception {
    Path db = database();
    Cancellation cancellation = new Cancellation();
    cancellation.cancel();
    Path backups = dir.resolve("backups");
    assertThrows(CancellationException.class, () -> BackupTaker.take(new BackupTaker.Request(url(db), null, backups,
        BackupManifest.KIND_MANUAL, true, "test", null, null, cancellation, null, null)));
    try (Stream<Path> all = Files.list(backups)) {
      assertEquals(0, all.count());
    }
  }

  @Test
  void anUncompressedBackupIsAPlainVerifiedSqliteFile() throws Exception {
    Path db = database();
    Path backups = dir.resolve("backups");
    JsonObject manifest = BackupTaker.take(BackupTaker.Request.of(url(db), null, backups, BackupManifest.KIND_MANUAL,
        false, "test", BackupManifest.keyFingerprint("a-key,old-key")));
    assertEquals(BackupManifest.STATUS_VERIFIED, manifest.getString("status"), manifest.encodePrettily());
    JsonObject entry = manifest.getJsonArray("files").getJsonObject(0);
    assertEquals("main.sqlite3", entry.getString("file"));
    Path copy = backups.resolve(manifest.getString("name")).resolve("main.sqlite3");
    assertEquals("ok", SqliteSnapshot.integrityCheck(copy));
    assertEquals(200L, SqliteSnapshot.rowCounts(copy).getLong("items"));
    assertEquals(BackupManifest.keyFingerprint("a-key"), manifest.getString("key_fingerprint"), "the encrypting key's");
    assertFalse(manifest.encode().contains("a-key"));
  }

  @Test
  void thePreMigrationSnapshotIsTakenOnlyForADatabaseWithTables() throws Exception {
    Path backups = dir.resolve("backups");
    Path empty = dir.resolve("empty.sqlite3");
    DriverManager.getConnection("jdbc:sqlite:" + empty).close();
    assertNull(PreMigrationSnapshot.takeIfNeeded(url(empty), backups, "test", null, 2), "nothing to keep");
    JsonObject snapshot = PreMigrationSnapshot.takeIfNeeded(url(database()), backups, "test", null, 2);
    assertEquals(BackupManifest.KIND_PRE_MIGRATION, snapshot.getString("kind"));
    assertTrue(snapshot.getString("name").endsWith("-pre-migration"));
    assertEquals(snapshot, BackupCatalog.newestVerified(backups, BackupManifest.KIND_PRE_MIGRATION));
  }

  @Test
  void aNameIsAPlainFolderOfTheBackupFolder() {
    Path root = dir.resolve("backups");
    assertEquals(root.resolve("pipelitd-20261126T020000Z"), BackupManifest.folderOf(root, "pipelitd-20261126T020000Z"));
    for (String bad : new String[] {"..", ".", "../x", "a/b", "/abs", "a\\..\\b", "", " x", ".partial", "a..b"}) {
      assertThrows(IllegalArgumentException.class, () -> BackupManifest.folderOf(root, bad), bad);
    }
    assertThrows(BackupException.class, () -> BackupManifest.entryFile(root, new JsonObject().put("file", "../../etc/passwd")));
  }

  @Test
  void aSqliteRestoreKeepsTheReplacedFileAndItsWal() throws Exception {
    Path db = database();
    Path backups = dir.resolve("backups");
    JsonObject manifest = BackupTaker.take(BackupTaker.Request.of(url(db), null, backups, BackupManifest.KIND_MANUAL,
        true, "test", null));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      s.execute("DELETE FROM items WHERE id > 10");
    }
    BackupRestorer.restore(new BackupRestorer.Request(backups, manifest.getString("name"), url(db), null, false, null,
        false), line -> { });
    assertEquals(200L, SqliteSnapshot.rowCounts(db).getLong("items"));
    assertEquals(10L, SqliteSnapshot.rowCounts(Path.of(db + ".pre-restore")).getLong("items"), "the replaced file is kept");
  }
}
