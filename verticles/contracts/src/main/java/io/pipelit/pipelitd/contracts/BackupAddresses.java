package io.pipelit.pipelitd.contracts;

/**
 * Event-bus addresses of the backup scheduler ({@code pipelit.backup.*}), served by the backup module's
 * BackupSchedulerVerticle.
 *
 * <p>Request contract: as {@link StoreAddresses} (a JSON object, the caller's identity in the
 * {@link StoreHeaders}, failures as {@code message.fail(ErrorCode.value(), detail)}). {@link #CREATE} and
 * {@link #LIST} are <b>admin only</b>: a normal user's identity gets {@link ErrorCode#FORBIDDEN}.
 *
 * <p>A manifest (the reply of {@link #CREATE}, the items of {@link #LIST}): {@code {name, kind, created_at,
 * status ("verified" | "failed"), backend, pipelitd_version, schema_version, key_fingerprint, duration_ms,
 * files: [{database, file, format, size, sha256, row_counts}], verification: {ok, checks, error}, error}}.
 */
public final class BackupAddresses {
  private BackupAddresses() {}

  public static final String PREFIX = "pipelit.backup.";

  /**
   * {@code {}} → the new backup's manifest, once it is written and verified. CONFLICT when a backup is
   * already running; UNAVAILABLE while the daemon stops; INTERNAL (with the manifest's error logged and
   * listed) when the backup or its verification failed.
   */
  public static final String CREATE = PREFIX + "create";

  /** {@code {}} → {@code {items: [manifest...], total}}, newest first, failed backups included. */
  public static final String LIST = PREFIX + "list";

  /**
   * No identity needed (read by {@code /ready} and {@code /health}): {@code {} → {last_backup: {name,
   * status, finished_at, duration_ms, error} | null, running, backup_dir_writable, schedule, next_run}}.
   */
  public static final String STATUS = PREFIX + "status";
}
