package io.pipelit.pipelitd.storage.backup;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * The manifest of one backup ({@code manifest.json} in the backup's folder) and the rules on backup
 * names. Fields: {@code name, kind ("scheduled" | "manual" | "pre-migration"), created_at (UTC ISO-8601),
 * status ("verified" | "failed"), backend, pipelitd_version, schema_version, key_fingerprint,
 * duration_ms, files: [{database ("main" | "checkpoints"), file, format, compression, size, sha256,
 * row_counts, schema_version}], verification: {ok, checks, error}, error}}.
 */
public final class BackupManifest {
  private BackupManifest() {}

  public static final String FILE_NAME = "manifest.json";
  public static final String STATUS_VERIFIED = "verified";
  public static final String STATUS_FAILED = "failed";
  public static final String KIND_SCHEDULED = "scheduled";
  public static final String KIND_MANUAL = "manual";
  public static final String KIND_PRE_MIGRATION = "pre-migration";

  /**
   * A backup name: letters, digits, dot, dash and underscore, starting with a letter or digit, at most
   * 128 characters. No separator and no leading dot, so a name can never leave the backup folder
   * ({@code ..}, {@code /etc}, {@code a/../../b}).
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /**
   * The folder of the backup {@code name} inside {@code backupDir}. A name that is not a plain backup
   * name, or that would resolve outside the folder, is refused with {@link IllegalArgumentException}.
   */
  public static Path folderOf(Path backupDir, String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("not a backup name: '" + name + "' (letters, digits, '.', '-', '_';"
          + " a name, not a path)");
    }
    Path root = backupDir.toAbsolutePath().normalize();
    Path folder = root.resolve(name).normalize();
    if (!folder.getParent().equals(root)) {
      throw new IllegalArgumentException("not a backup name: '" + name + "' (outside the backup folder)");
    }
    return folder;
  }

  /** The data file of an entry, refusing a file name that would leave the backup's folder. */
  public static Path entryFile(Path folder, JsonObject entry) {
    String file = entry.getString("file");
    if (file == null || !NAME.matcher(file).matches() || file.contains("..")) {
      throw new BackupException("the manifest names an unusable file: '" + file + "'");
    }
    return folder.resolve(file);
  }

  /** Fails with {@link BackupException} when the file is missing or its SHA-256 differs from the entry's. */
  public static void checkChecksum(Path file, JsonObject entry) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BackupException("the backup file " + file + " is missing");
    }
    String actual = BackupFiles.sha256(file);
    if (!actual.equals(entry.getString("sha256"))) {
      throw new BackupException("the backup file " + file + " is corrupt: its SHA-256 is " + actual
          + ", the manifest says " + entry.getString("sha256"));
    }
    Long size = entry.getLong("size");
    if (size != null && size != Files.size(file)) {
      throw new BackupException("the backup file " + file + " has " + Files.size(file) + " bytes, the manifest says "
          + size);
    }
  }

  /** Writes {@code manifest.json} into a folder (temp name, fsync, rename). */
  public static void write(Path folder, JsonObject manifest) throws IOException {
    Path partial = folder.resolve(FILE_NAME + SqliteFileStrategy.PARTIAL);
    Path target = folder.resolve(FILE_NAME);
    BackupFiles.deleteQuietly(partial);
    Files.writeString(partial, manifest.encodePrettily() + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    BackupFiles.publish(partial, target);
  }

  /**
   * The manifest's entry for a finished backup file: its name, format, compression, size and SHA-256,
   * with the row counts and schema version of the snapshot it holds (see {@link BackupStrategy#write}).
   */
  static JsonObject fileEntry(Path file, BackupFormat format, String compression, JsonObject rowCounts,
      String schemaVersion) throws IOException {
    return new JsonObject()
        .put("file", file.getFileName().toString())
        .put("format", format.id())
        .put("compression", compression)
        .put("size", Files.size(file))
        .put("sha256", BackupFiles.sha256(file))
        .put("row_counts", rowCounts)
        .put("schema_version", schemaVersion);
  }

  /** Reads a backup folder's manifest; {@link BackupException} when it is missing or not JSON. */
  public static JsonObject read(Path folder) throws IOException {
    Path file = folder.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new BackupException("no backup at " + folder + " (no " + FILE_NAME + ")");
    }
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      throw new BackupException("the manifest " + file + " is not valid JSON");
    }
  }

  /**
   * A fingerprint of {@code FIELD_ENCRYPTION_KEY} for the manifest: the first 16 hex digits of the
   * SHA-256 of the encrypting (first) key, so a restore can tell whether the configured key opens the
   * backup's secrets. The key cannot be recovered from it. Null without a key.
   */
  public static String keyFingerprint(String fieldEncryptionKey) {
    if (fieldEncryptionKey == null || fieldEncryptionKey.isBlank()) {
      return null;
    }
    String first = fieldEncryptionKey.split(",", -1)[0].trim();
    return "sha256:" + BackupFiles.sha256(first.getBytes(StandardCharsets.US_ASCII)).substring(0, 16);
  }
}
