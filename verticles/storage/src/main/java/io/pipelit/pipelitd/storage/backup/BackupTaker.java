package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one backup of the main database and of the checkpoint database into a new folder of the backup
 * folder, writes its manifest and verifies it. Blocking; used by the scheduler verticle, by
 * {@code backup now} without a daemon, and by the snapshot taken before migrations.
 *
 * <p>Layout: {@code BACKUP_DIR/pipelitd-20261126T020000Z/{main.sqlite3.gz, checkpoints.sqlite3.gz,
 * manifest.json}} (or {@code main.dump} for PostgreSQL). The folder is built as
 * {@code .pipelitd-....partial} and renamed when its manifest is written, so a crash never leaves a
 * half backup under a real name. A failed backup keeps only its manifest (status "failed", the error)
 * so that the failure shows in the list; an aborted one (the daemon stopping) leaves nothing.
 */
public final class BackupTaker {
  private static final Logger LOG = LoggerFactory.getLogger(BackupTaker.class);

  /** UTC timestamp in backup names: sortable, no ':' (not portable in file names). */
  private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  /**
   * What to back up and how.
   *
   * @param main            the main database
   * @param checkpoints     the checkpoint database, or null; skipped when it is the same PostgreSQL
   *                        database as the main one (the dump holds its tables) or a SQLite file not
   *                        created yet
   * @param backupDir       the backup folder (created 0700 when missing)
   * @param kind            {@link BackupManifest#KIND_SCHEDULED}, {@code KIND_MANUAL} or {@code KIND_PRE_MIGRATION}
   * @param compress        gzip SQLite files
   * @param pipelitdVersion recorded in the manifest
   * @param keyFingerprint  {@link BackupManifest#keyFingerprint}, or null
   * @param opener          how compressed files are opened for writing (tests inject failures)
   * @param cancellation    aborts the backup from another thread
   * @param progress        one line per step, for a terminal
   * @param clock           the time of the name and of created_at
   * @param format          the main database's format when chosen ({@link BackupFormat#PORTABLE} or
   *                        {@link BackupFormat#PG_DUMP}), null for the default ({@link BackupStrategies}).
   *                        A separate checkpoint database is always a SQLite file copy or a pg_dump: the
   *                        portable archive restores only the main schema.
   */
  public record Request(DatabaseUrl main, DatabaseUrl checkpoints, Path backupDir, String kind, boolean compress,
      String pipelitdVersion, String keyFingerprint, BackupFiles.StreamOpener opener, Cancellation cancellation,
      Consumer<String> progress, Clock clock, BackupFormat format) {
    /** A request with the default format. */
    public Request(DatabaseUrl main, DatabaseUrl checkpoints, Path backupDir, String kind, boolean compress,
        String pipelitdVersion, String keyFingerprint, BackupFiles.StreamOpener opener, Cancellation cancellation,
        Consumer<String> progress, Clock clock) {
      this(main, checkpoints, backupDir, kind, compress, pipelitdVersion, keyFingerprint, opener, cancellation,
          progress, clock, null);
    }

    /** The same request with the main database's format chosen (null: the default). */
    public Request withFormat(BackupFormat chosen) {
      return new Request(main, checkpoints, backupDir, kind, compress, pipelitdVersion, keyFingerprint, opener,
          cancellation, progress, clock, chosen);
    }

    public Request {
      Objects.requireNonNull(main, "main");
      Objects.requireNonNull(backupDir, "backupDir");
      Objects.requireNonNull(kind, "kind");
      opener = opener == null ? BackupFiles.DEFAULT_OPENER : opener;
      cancellation = cancellation == null ? Cancellation.none() : cancellation;
      progress = progress == null ? line -> { } : progress;
      clock = clock == null ? Clock.systemUTC() : clock;
    }

    /** A request with the defaults: no injected failures, never cancelled, no progress lines. */
    public static Request of(DatabaseUrl main, DatabaseUrl checkpoints, Path backupDir, String kind, boolean compress,
        String pipelitdVersion, String keyFingerprint) {
      return new Request(main, checkpoints, backupDir, kind, compress, pipelitdVersion, keyFingerprint, null, null,
          null, null);
    }
  }

  private BackupTaker() {}

  /**
   * Takes the backup and returns its manifest (status "verified" or "failed"). Throws only when the
   * backup folder itself cannot be written ({@link IOException}) or the backup was aborted
   * ({@link CancellationException}); every other failure is recorded in the returned manifest.
   */
  public static JsonObject take(Request request) throws IOException {
    Instant started = request.clock().instant();
    long startNanos = System.nanoTime();
    BackupFiles.createPrivateDirectories(request.backupDir());
    String name = uniqueName(request.backupDir(), started, request.kind());
    Path partial = request.backupDir().resolve("." + name + SqliteFileStrategy.PARTIAL);
    BackupFiles.deleteTreeQuietly(partial);
    BackupFiles.createPrivateDirectories(partial);
    JsonObject manifest = new JsonObject()
        .put("name", name)
        .put("kind", request.kind())
        .put("created_at", started.truncatedTo(ChronoUnit.MILLIS).toString())
        .put("backend", request.main().backend().name().toLowerCase(java.util.Locale.ROOT))
        .put("pipelitd_version", request.pipelitdVersion())
        .put("key_fingerprint", request.keyFingerprint());
    JsonArray files = new JsonArray();
    List<BackupStrategy> strategies = new ArrayList<>();
    try {
      request.progress().accept("backing up " + request.main().describe());
      BackupStrategy mainStrategy = BackupStrategies.forSource(request.main(), request.compress(), request.format(),
          request.pipelitdVersion());
      JsonObject mainEntry = mainStrategy.write(request.main(), partial, "main", request.opener(),
          request.cancellation());
      files.add(mainEntry.put("database", "main"));
      strategies.add(mainStrategy);
      manifest.put("schema_version", mainEntry.getString("schema_version"))
          .put("format", mainEntry.getString("format"));
      progress(request, mainEntry);
      DatabaseUrl checkpoints = request.checkpoints();
      if (includeCheckpoints(request.main(), checkpoints)) {
        request.progress().accept("backing up the checkpoints " + checkpoints.describe());
        BackupStrategy strategy = BackupStrategies.forSource(checkpoints, request.compress(), BackupFormat.PG_DUMP,
            request.pipelitdVersion());
        JsonObject entry = strategy.write(checkpoints, partial, "checkpoints", request.opener(),
            request.cancellation());
        files.add(entry.put("database", "checkpoints"));
        strategies.add(strategy);
        progress(request, entry);
      }
      manifest.put("files", files);
      request.progress().accept("verifying");
      JsonArray checks = new JsonArray();
      for (int i = 0; i < strategies.size(); i++) {
        request.cancellation().check();
        checks.add(strategies.get(i).verify(partial, files.getJsonObject(i)));
      }
      manifest.put("status", BackupManifest.STATUS_VERIFIED)
          .put("verification", new JsonObject().put("ok", true).put("checks", checks));
    } catch (CancellationException e) {
      BackupFiles.deleteTreeQuietly(partial);
      throw e;
    } catch (Exception e) {
      if (request.cancellation().isCancelled()) {
        BackupFiles.deleteTreeQuietly(partial);
        throw new CancellationException("the backup was aborted (pipelitd is stopping)");
      }
      String error = e instanceof BackupException || e instanceof IOException
          ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
      LOG.error("backup {} failed: {}", name, error, e instanceof BackupException ? null : e);
      removeDataFiles(partial);
      manifest.put("files", new JsonArray()).put("status", BackupManifest.STATUS_FAILED).put("error", error)
          .put("verification", new JsonObject().put("ok", false).put("error", error));
    }
    manifest.put("duration_ms", (System.nanoTime() - startNanos) / 1_000_000);
    BackupManifest.write(partial, manifest);
    BackupFiles.moveAtomically(partial, request.backupDir().resolve(name));
    if (BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))) {
      LOG.info("backup {} written and verified ({} file(s), {} ms)", name, files.size(),
          manifest.getLong("duration_ms"));
    }
    return manifest;
  }

  private static void progress(Request request, JsonObject entry) {
    request.progress().accept("  wrote " + entry.getString("file") + " (" + entry.getLong("size") + " bytes, "
        + entry.getJsonObject("row_counts").size() + " tables)");
  }

  /** The checkpoint database gets its own file unless it is absent or the main PostgreSQL database itself. */
  static boolean includeCheckpoints(DatabaseUrl main, DatabaseUrl checkpoints) {
    if (checkpoints == null) {
      return false;
    }
    if (checkpoints.backend() == DatabaseUrl.Backend.SQLITE) {
      return Files.isRegularFile(checkpoints.sqlitePath()) && !checkpoints.sqlitePath().equals(main.sqlitePath());
    }
    return !(main.backend() == DatabaseUrl.Backend.POSTGRESQL && Objects.equals(main.host(), checkpoints.host())
        && main.port() == checkpoints.port() && Objects.equals(main.database(), checkpoints.database()));
  }

  private static String uniqueName(Path backupDir, Instant at, String kind) {
    String base = "pipelitd-" + NAME_TIME.format(at)
        + (BackupManifest.KIND_PRE_MIGRATION.equals(kind) ? "-pre-migration" : "");
    String name = base;
    for (int n = 2; Files.exists(backupDir.resolve(name)) || Files.exists(backupDir.resolve("." + name
        + SqliteFileStrategy.PARTIAL)); n++) {
      name = base + "-" + n;
    }
    return name;
  }

  private static void removeDataFiles(Path folder) {
    try (var children = Files.list(folder)) {
      children.forEach(BackupFiles::deleteQuietly);
    } catch (IOException ignored) {
      // best effort: the manifest says the backup failed
    }
  }
}
