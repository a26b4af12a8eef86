package io.pipelit.pipelitd.storage.backup;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The backups in a backup folder: every sub-folder with a readable manifest, newest first. */
public final class BackupCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(BackupCatalog.class);

  private BackupCatalog() {}

  /** Manifests newest first (by created_at, then name); folders being written are skipped. */
  public static List<JsonObject> list(Path backupDir) throws IOException {
    if (!Files.isDirectory(backupDir)) {
      return List.of();
    }
    List<JsonObject> manifests = new ArrayList<>();
    try (Stream<Path> children = Files.list(backupDir)) {
      for (Path child : children.filter(Files::isDirectory).toList()) {
        String name = child.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(child.resolve(BackupManifest.FILE_NAME))) {
          continue;
        }
        try {
          manifests.add(BackupManifest.read(child));
        } catch (BackupException | IOException e) {
          LOG.warn("skipping backup folder {}: {}", child, e.getMessage());
        }
      }
    }
    manifests.sort(Comparator.comparing((JsonObject m) -> m.getString("created_at", ""))
        .thenComparing(m -> m.getString("name", "")).reversed());
    return manifests;
  }

  /** The newest verified backup of a kind (any kind when null), or null. */
  public static JsonObject newestVerified(Path backupDir, String kind) throws IOException {
    for (JsonObject manifest : list(backupDir)) {
      if (BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))
          && (kind == null || kind.equals(manifest.getString("kind")))) {
        return manifest;
      }
    }
    return null;
  }
}
