package io.pipelit.pipelitd.backup;

import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which backups retention deletes. Rules, over scheduled and on-demand backups (snapshots taken before
 * a migration are kept apart: {@code db rollback} needs them):
 * <ul>
 *   <li>{@code keepLast} (&gt; 0): only the newest {@code keepLast} backups stay, failed ones included
 *       (a failed backup is a record of a failure, worth seeing, but not worth more room than a good one);</li>
 *   <li>{@code maxAgeDays} (&gt; 0): backups created longer ago than that go;</li>
 *   <li>the newest verified backup is never deleted, whatever the rules say.</li>
 * </ul>
 */
public final class Retention {
  private Retention() {}

  /**
   * The names to delete.
   *
   * @param newestFirst manifests, newest first (as {@code BackupCatalog.list} returns them)
   */
  public static List<String> expired(List<JsonObject> newestFirst, long keepLast, long maxAgeDays, Instant now) {
    String protectedName = null;
    for (JsonObject manifest : newestFirst) {
      if (BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status")) && managed(manifest)) {
        protectedName = manifest.getString("name");
        break;
      }
    }
    Instant oldestKept = maxAgeDays > 0 ? now.minus(Duration.ofDays(maxAgeDays)) : null;
    List<String> expired = new ArrayList<>();
    int position = 0;
    for (JsonObject manifest : newestFirst) {
      if (!managed(manifest)) {
        continue;
      }
      position++;
      String name = manifest.getString("name");
      if (name == null || name.equals(protectedName)) {
        continue;
      }
      boolean tooMany = keepLast > 0 && position > keepLast;
      boolean tooOld = oldestKept != null && createdAt(manifest).isBefore(oldestKept);
      if (tooMany || tooOld) {
        expired.add(name);
      }
    }
    return expired;
  }

  /** Scheduled and on-demand backups; pre-migration snapshots are not subject to retention. */
  private static boolean managed(JsonObject manifest) {
    return !BackupManifest.KIND_PRE_MIGRATION.equals(manifest.getString("kind"));
  }

  private static Instant createdAt(JsonObject manifest) {
    try {
      return Instant.parse(manifest.getString("created_at", ""));
    } catch (DateTimeParseException e) {
      return Instant.EPOCH; // unreadable: treated as old, still protected when it is the newest verified
    }
  }
}
