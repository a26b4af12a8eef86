package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/** {@link BackupFormat#SQLITE_FILE}: a {@link SqliteSnapshot} copy, gzip-compressed when asked. */
final class SqliteFileStrategy implements BackupStrategy {
  /** Suffix of a file being written; never a finished backup file. */
  static final String PARTIAL = ".partial";

  private final boolean compress;

  SqliteFileStrategy(boolean compress) {
    this.compress = compress;
  }

  @Override
  public BackupFormat format() {
    return BackupFormat.SQLITE_FILE;
  }

  @Override
  public JsonObject write(DatabaseUrl source, Path folder, String baseName, BackupFiles.StreamOpener opener,
      Cancellation cancellation) throws Exception {
    String fileName = baseName + ".sqlite3" + (compress ? ".gz" : "");
    Path raw = folder.resolve(baseName + ".sqlite3" + PARTIAL);
    Path compressed = folder.resolve(fileName + PARTIAL);
    Path target = folder.resolve(fileName);
    try {
      SqliteSnapshot.copy(source.sqlitePath(), raw, cancellation);
      // Counted on the copy: the copy IS the snapshot, so these are its exact contents.
      JsonObject counts = SqliteSnapshot.rowCounts(raw);
      String schemaVersion = SqliteSnapshot.schemaVersion(raw);
      if (compress) {
        BackupFiles.gzip(raw, compressed, opener, cancellation);
        BackupFiles.deleteQuietly(raw);
        BackupFiles.moveAtomically(compressed, target);
      } else {
        BackupFiles.moveAtomically(raw, target);
      }
      return BackupManifest.fileEntry(target, format(), compress ? "gzip" : "none", counts, schemaVersion);
    } catch (Exception e) {
      BackupFiles.deleteQuietly(raw);
      BackupFiles.deleteQuietly(compressed);
      BackupFiles.deleteQuietly(target);
      throw e;
    }
  }

  @Override
  public JsonObject verify(Path folder, JsonObject entry) throws Exception {
    Path file = BackupManifest.entryFile(folder, entry);
    BackupManifest.checkChecksum(file, entry);
    Path plain = folder.resolve(entry.getString("file") + ".verify" + PARTIAL);
    BackupFiles.deleteQuietly(plain);
    try {
      Path checked = file;
      if ("gzip".equals(entry.getString("compression"))) {
        BackupFiles.gunzip(file, plain);
        checked = plain;
      }
      return checkContents(checked, entry);
    } finally {
      BackupFiles.deleteQuietly(plain);
      BackupFiles.deleteQuietly(Path.of(plain + "-wal"));
      BackupFiles.deleteQuietly(Path.of(plain + "-shm"));
    }
  }

  /** integrity_check, then the row counts against the manifest's. */
  private static JsonObject checkContents(Path plain, JsonObject entry) throws Exception {
    String integrity = SqliteSnapshot.integrityCheck(plain);
    if (!"ok".equals(integrity)) {
      throw new BackupException(entry.getString("file") + " fails integrity_check: " + integrity);
    }
    JsonObject counts = SqliteSnapshot.rowCounts(plain);
    JsonObject expected = entry.getJsonObject("row_counts", new JsonObject());
    if (!counts.equals(expected)) {
      throw new BackupException(entry.getString("file") + " has other row counts than its manifest (manifest "
          + expected.encode() + ", file " + counts.encode() + ")");
    }
    return new JsonObject().put("file", entry.getString("file")).put("sha256", true)
        .put("integrity_check", integrity).put("row_counts", true);
  }

  @Override
  public void restore(Path folder, JsonObject entry, DatabaseUrl target, Consumer<String> progress) throws Exception {
    Path file = BackupManifest.entryFile(folder, entry);
    progress.accept("checking " + file.getFileName() + " (SHA-256)");
    BackupManifest.checkChecksum(file, entry);
    Path database = target.sqlitePath();
    Files.createDirectories(database.toAbsolutePath().getParent());
    Path staged = database.resolveSibling(database.getFileName() + ".restoring");
    BackupFiles.deleteQuietly(staged);
    try {
      progress.accept("unpacking into " + staged);
      if ("gzip".equals(entry.getString("compression"))) {
        BackupFiles.gunzip(file, staged);
      } else {
        Files.copy(file, staged);
        BackupFiles.makePrivate(staged);
      }
      BackupFiles.fsync(staged);
      progress.accept("checking the unpacked copy (integrity_check, row counts)");
      checkContents(staged, entry);
      replaceWith(staged, database, progress);
      progress.accept("restored " + database + " from " + file);
    } finally {
      BackupFiles.deleteQuietly(staged);
    }
  }

  /**
   * Puts the checked file {@code staged} in place of {@code database}, keeping the replaced database
   * (with its -wal and -shm files) as {@code *.pre-restore}.
   */
  static void replaceWith(Path staged, Path database, Consumer<String> progress) throws IOException {
    BackupFiles.deleteQuietly(Path.of(staged + "-wal"));
    BackupFiles.deleteQuietly(Path.of(staged + "-shm"));
    if (Files.exists(database)) {
      // The -wal and -shm files move with the file they belong to: SQLite finds a WAL by the
      // database's name, so X.pre-restore-wal stays the WAL of X.pre-restore and nothing of the old
      // WAL can be replayed into the restored file.
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Path current = Path.of(database + suffix);
        Path kept = Path.of(database + ".pre-restore" + suffix);
        BackupFiles.deleteQuietly(kept);
        if (Files.exists(current)) {
          Files.move(current, kept, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      progress.accept("kept the replaced database as " + database + ".pre-restore");
    }
    BackupFiles.moveAtomically(staged, database);
  }
}
