package io.pipelit.pipelitd.storage.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portable backup format as a {@link BackupStrategy}: manifest entry, verification, failures. */
class PortableStrategyTest {
  @TempDir
  Path dir;

  DatabaseUrl database() throws Exception {
    Path file = dir.resolve("db.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
      s.execute("CREATE TABLE checkpoints (id INTEGER PRIMARY KEY)");
      for (int i = 0; i < 25; i++) {
        s.execute("INSERT INTO items (name) VALUES ('item " + i + "')");
      }
    }
    return DatabaseUrl.parse("sqlite:///" + file, dir);
  }

  @Test
  void theEntryCountsTheRowsAndVerificationReadsTheArchiveBack() throws Exception {
    Path backups = dir.resolve("backups");
    JsonObject manifest = BackupTaker.take(BackupTaker.Request.of(database(), null, backups,
        BackupManifest.KIND_MANUAL, true, "test", null).withFormat(BackupFormat.PORTABLE));
    assertEquals(BackupManifest.STATUS_VERIFIED, manifest.getString("status"), manifest.encodePrettily());
    assertEquals("portable", manifest.getString("format"));
    JsonObject entry = manifest.getJsonArray("files").getJsonObject(0);
    assertEquals("main.portable.gz", entry.getString("file"));
    assertEquals(new JsonObject().put("items", 25L), entry.getJsonObject("row_counts"),
        "the checkpoint store's tables are not part of the main archive");

    Path folder = backups.resolve(manifest.getString("name"));
    BackupStrategy strategy = BackupStrategies.forFormat(BackupFormat.PORTABLE);
    assertEquals(true, strategy.verify(folder, entry).getBoolean("read_back"));
    JsonObject wrongCount = entry.copy().put("row_counts", new JsonObject().put("items", 24L));
    BackupException mismatch = assertThrows(BackupException.class, () -> strategy.verify(folder, wrongCount));
    assertTrue(mismatch.getMessage().contains("items"), mismatch.getMessage());
    JsonObject missingTable = entry.copy().put("row_counts", new JsonObject().put("items", 25L).put("other", 0L));
    assertThrows(BackupException.class, () -> strategy.verify(folder, missingTable));
  }

  @Test
  void aFullDiskMidPortableBackupLeavesOnlyTheFailedManifest() throws Exception {
    DatabaseUrl url = database();
    BackupFiles.StreamOpener full = file -> new FilterOutputStream(Files.newOutputStream(file)) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("No space left on device");
      }

      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    Path backups = dir.resolve("backups");
    JsonObject manifest = BackupTaker.take(new BackupTaker.Request(url, null, backups, BackupManifest.KIND_MANUAL,
        true, "test", null, full, null, null, null, BackupFormat.PORTABLE));
    assertEquals(BackupManifest.STATUS_FAILED, manifest.getString("status"));
    assertTrue(manifest.getString("error").contains("No space left on device"), manifest.getString("error"));
    try (Stream<Path> files = Files.list(backups.resolve(manifest.getString("name")))) {
      assertEquals(List.of(BackupManifest.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void formatChoicesAreParsed() {
    assertEquals(null, BackupFormat.chosen("auto"));
    assertEquals(null, BackupFormat.chosen(null));
    assertEquals(BackupFormat.PORTABLE, BackupFormat.chosen("portable"));
    assertEquals(BackupFormat.PG_DUMP, BackupFormat.chosen("PG_DUMP"));
    assertThrows(IllegalArgumentException.class, () -> BackupFormat.chosen("sqlite_file"));
    assertThrows(IllegalArgumentException.class, () -> BackupFormat.chosen("tarball"));
  }
}
