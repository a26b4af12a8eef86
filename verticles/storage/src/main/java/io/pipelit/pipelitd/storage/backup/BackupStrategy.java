package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One way of backing up, verifying and restoring one database ({@link BackupFormat}). Implementations
 * are blocking: run them on a worker thread. A new format (the portable archive) plugs in by adding an
 * implementation and a case in {@link BackupStrategies}.
 */
public interface BackupStrategy {

  BackupFormat format();

  /**
   * Writes a consistent backup of {@code source} into {@code folder} (named from {@code baseName}) and
   * returns its manifest file entry: {@code {file, format, size, sha256, row_counts, schema_version}}. A
   * failure leaves no partial file behind and never changes {@code source}.
   */
  JsonObject write(DatabaseUrl source, Path folder, String baseName, BackupFiles.StreamOpener opener,
      Cancellation cancellation) throws Exception;

  /**
   * Checks a written file against its entry (checksum, then the format's own check) and returns what was
   * checked; throws {@link BackupException} naming the first problem.
   */
  JsonObject verify(Path folder, JsonObject entry) throws Exception;

  /**
   * Replaces the content of {@code target} with the backup (after checking it again), printing each step
   * to {@code progress}. The caller has made sure that no daemon serves {@code target}.
   */
  void restore(Path folder, JsonObject entry, DatabaseUrl target, Consumer<String> progress) throws Exception;
}
