package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Brings a backup back: refuses a failed, corrupt or mismatched backup before anything is changed, then
 * restores the main database and, when asked, the checkpoint database. The caller (the command line)
 * makes sure that no daemon serves the target databases.
 */
public final class BackupRestorer {
  private BackupRestorer() {}

  /**
   * What to restore.
   *
   * @param backupDir          the backup folder
   * @param name               the backup's name (a folder of {@code backupDir}; no path)
   * @param main               the main database to replace
   * @param checkpoints        the checkpoint database to replace (used with {@code withCheckpoints})
   * @param withCheckpoints    also restore the checkpoint database
   * @param keyFingerprint     the configured key's fingerprint, or null
   * @param allowOtherKey      restore even when the backup was taken with another FIELD_ENCRYPTION_KEY
   */
  public record Request(Path backupDir, String name, DatabaseUrl main, DatabaseUrl checkpoints,
      boolean withCheckpoints, String keyFingerprint, boolean allowOtherKey) {}

  /** Restores; returns the manifest restored from. {@link BackupException} or IllegalArgumentException on refusal. */
  public static JsonObject restore(Request request, Consumer<String> progress) throws Exception {
    Path folder = BackupManifest.folderOf(request.backupDir(), request.name());
    JsonObject manifest = BackupManifest.read(folder);
    if (!BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))) {
      throw new BackupException("backup " + request.name() + " is not a verified backup (status "
          + manifest.getString("status") + (manifest.getString("error") == null ? "" : ": " + manifest.getString("error"))
          + "); refusing to restore it");
    }
    String fingerprint = manifest.getString("key_fingerprint");
    if (!request.allowOtherKey() && fingerprint != null && request.keyFingerprint() != null
        && !fingerprint.equals(request.keyFingerprint())) {
      throw new BackupException("backup " + request.name() + " was taken with another FIELD_ENCRYPTION_KEY"
          + " (fingerprint " + fingerprint + ", configured " + request.keyFingerprint() + "): its secrets would"
          + " not open. Configure that key, or pass --allow-other-key");
    }
    List<JsonObject> entries = new ArrayList<>();
    List<DatabaseUrl> targets = new ArrayList<>();
    JsonArray files = manifest.getJsonArray("files", new JsonArray());
    entries.add(entry(files, "main", request.name()));
    targets.add(request.main());
    if (request.withCheckpoints()) {
      JsonObject checkpoints = find(files, "checkpoints");
      if (checkpoints == null) {
        if (BackupTaker.includeCheckpoints(request.main(), request.checkpoints())
            || request.checkpoints().backend() == DatabaseUrl.Backend.SQLITE) {
          throw new BackupException("backup " + request.name() + " holds no checkpoint database");
        }
        progress.accept(BackupFormat.PORTABLE.id().equals(entries.get(0).getString("format"))
            ? "the checkpoint tables share the main PostgreSQL database and a portable backup does not hold"
                + " them: they are left as they are"
            : "the checkpoint tables are in the main PostgreSQL database: restored with it");
      } else {
        entries.add(checkpoints);
        targets.add(Objects.requireNonNull(request.checkpoints(), "checkpoints"));
      }
    }
    // Everything is checked before anything is replaced: a corrupt checkpoints file must not leave a
    // restored main database next to an unrestored checkpoint one.
    List<BackupStrategy> strategies = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      BackupFormat format = BackupFormat.fromId(entries.get(i).getString("format"));
      BackupStrategy strategy = BackupStrategies.forFormat(format);
      if (!fits(format, targets.get(i))) {
        throw new BackupException("backup file " + entries.get(i).getString("file") + " (" + format.id()
            + ") cannot be restored into " + targets.get(i).describe());
      }
      progress.accept("verifying " + entries.get(i).getString("file"));
      strategy.verify(folder, entries.get(i));
      strategies.add(strategy);
    }
    for (int i = 0; i < entries.size(); i++) {
      strategies.get(i).restore(folder, entries.get(i), targets.get(i), progress);
    }
    return manifest;
  }

  private static boolean fits(BackupFormat format, DatabaseUrl target) {
    return switch (format) {
      case SQLITE_FILE -> target.backend() == DatabaseUrl.Backend.SQLITE;
      case PG_DUMP -> target.backend() == DatabaseUrl.Backend.POSTGRESQL;
      case PORTABLE -> true;
    };
  }

  private static JsonObject entry(JsonArray files, String database, String name) {
    JsonObject entry = find(files, database);
    if (entry == null) {
      throw new BackupException("backup " + name + " holds no " + database + " database");
    }
    return entry;
  }

  private static JsonObject find(JsonArray files, String database) {
    for (int i = 0; i < files.size(); i++) {
      if (database.equals(files.getJsonObject(i).getString("database"))) {
        return files.getJsonObject(i);
      }
    }
    return null;
  }
}
