package io.pipelit.pipelitd.backup;

import io.pipelit.pipelitd.backup.impl.BackupMetrics;
import io.pipelit.pipelitd.contracts.ScheduledJobs;
import io.pipelit.pipelitd.contracts.BackupAddresses;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.BackupConfig;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.StoreReplies;
import io.pipelit.pipelitd.storage.backup.BackupCatalog;
import io.pipelit.pipelitd.storage.backup.BackupFiles;
import io.pipelit.pipelitd.storage.backup.BackupFormat;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.pipelit.pipelitd.storage.backup.BackupTaker;
import io.pipelit.pipelitd.storage.backup.Cancellation;
import io.pipelit.pipelitd.storage.backup.PgTools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes backups of the main and the checkpoint database: on the {@code BACKUP_SCHEDULE} cron schedule
 * (in {@code BACKUP_TIMEZONE}) and on demand ({@link BackupAddresses#CREATE}), one at a time, each
 * verified, then applies retention ({@code BACKUP_KEEP_LAST}, {@code BACKUP_MAX_AGE_DAYS}). Serves
 * {@link BackupAddresses}. The work itself is {@link BackupTaker}, on a worker thread of its own.
 *
 * <p>Start never fails for an unusable backup folder or a missing pg_dump: both are logged as errors and
 * reported by {@link BackupAddresses#STATUS} (hence {@code /ready} and {@code /health}); the daemon's
 * data matters more than its backups. Stop aborts a running backup cleanly (its partial folder is
 * removed, the databases are untouched) and waits for the abort.
 */
public class BackupSchedulerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BackupSchedulerVerticle.class);

  /** The deployment-config key of the version string recorded in manifests (the HTTP API's key). */
  public static final String VERSION_CONFIG_KEY = ConfigKeys.VERSION;

  /** A whole backup of a large database may take long; the worker must not be reported as blocked. */
  private static final long MAX_BACKUP_MINUTES = 24 * 60;

  private final BackupFiles.StreamOpener opener;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private BackupConfig config;
  private DatabaseUrl main;
  private DatabaseUrl checkpoints;
  private CronSchedule schedule;
  private String version;
  private String keyFingerprint;
  private WorkerExecutor worker;
  private BackupMetrics metrics;
  private long timerId = -1;
  private boolean stopping;
  /** The backup running now (null when none), and how to abort it. Event-loop confined. */
  private Future<JsonObject> running;
  private Cancellation cancellation;
  private volatile JsonObject lastBackup;
  private volatile String folderProblem;
  private volatile String toolProblem;
  private ZonedDateTime nextRun;

  public BackupSchedulerVerticle() {
    this(BackupFiles.DEFAULT_OPENER);
  }

  /** With another way of opening compressed files (tests inject a failing one: a full disk). */
  public BackupSchedulerVerticle(BackupFiles.StreamOpener opener) {
    this.opener = opener;
  }

  @Override
  public Future<?> start() {
    try {
      JsonObject json = config();
      config = BackupConfig.from(json);
      Path cwd = Path.of("").toAbsolutePath();
      main = DatabaseUrl.parse(ConfigValues.string(json, ConfigKeys.DATABASE_URL, ConfigKeys.DEFAULT_DATABASE_URL), cwd);
      checkpoints = DatabaseUrl.parse(ConfigValues.string(json, ConfigKeys.CHECKPOINTS_DATABASE_URL,
          ConfigKeys.DEFAULT_CHECKPOINTS_DATABASE_URL), cwd);
      if (config.scheduled()) {
        try {
          schedule = CronSchedule.parse(config.schedule());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(ConfigKeys.BACKUP_SCHEDULE, "is not a valid cron expression: " + e.getMessage());
        }
      }
      version = json.getString(VERSION_CONFIG_KEY, "unknown");
      Object key = json.getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
      keyFingerprint = BackupManifest.keyFingerprint(key == null ? null : key.toString());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    worker = vertx.createSharedWorkerExecutor("pipelitd-backup", 1, MAX_BACKUP_MINUTES, TimeUnit.MINUTES);
    metrics = new BackupMetrics(() -> lastBackup);
    return worker.executeBlocking(this::checkAtStart, true)
        .compose(ignored -> {
          scoped(BackupAddresses.CREATE, this::create);
          scoped(BackupAddresses.LIST, this::list);
          consumers.add(vertx.eventBus().consumer(BackupAddresses.STATUS, message ->
              StoreReplies.answer(LOG, BackupAddresses.STATUS, message, () -> null,
                  request -> Future.succeededFuture(status()))));
          scheduleNext();
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        })
        .onSuccess(ok -> LOG.info("backups: folder {}, schedule {} ({}), next {}", dir(),
            schedule == null ? "off" : schedule.expression(), config.zone(), nextRun));
  }

  /**
   * The folder must be writable; pg_dump must be usable for PostgreSQL when BACKUP_PG_FORMAT=pg_dump (with
   * auto a missing pg_dump only switches to the portable format). Problems are reported, not fatal.
   */
  private Void checkAtStart() {
    try {
      BackupFiles.createPrivateDirectories(dir());
      Path probe = Files.createTempFile(dir(), ".write-check", ".tmp");
      Files.delete(probe);
      folderProblem = null;
    } catch (IOException | RuntimeException e) {
      folderProblem = "the backup folder " + dir() + " is not writable (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + "); set BACKUP_DIR to a writable folder";
      LOG.error("backups will fail: {}", folderProblem);
    }
    if (main.backend() == DatabaseUrl.Backend.POSTGRESQL && !"portable".equals(config.pgFormat())) {
      String problem = PgTools.pgDumpProblem(main);
      if (problem != null && "pg_dump".equals(config.pgFormat())) {
        toolProblem = problem;
        LOG.warn("PostgreSQL backups will fail (BACKUP_PG_FORMAT=pg_dump): {}", problem);
      } else if (problem != null) {
        // auto: not a problem, the backups are taken in the portable format instead.
        LOG.warn("{}; PostgreSQL backups use the portable format", problem);
      }
    }
    try {
      List<JsonObject> known = BackupCatalog.list(dir());
      if (!known.isEmpty()) {
        lastBackup = summary(known.get(0));
      }
    } catch (IOException e) {
      LOG.warn("cannot list the backups in {}: {}", dir(), e.getMessage());
    }
    return null;
  }

  private Path dir() {
    return config.dir().toAbsolutePath().normalize();
  }

  private void scheduleNext() {
    if (schedule == null || stopping) {
      return;
    }
    ZonedDateTime now = ZonedDateTime.now(config.zone());
    nextRun = schedule.next(now);
    if (nextRun == null) {
      return;
    }
    long delay = Math.max(1, nextRun.toInstant().toEpochMilli() - System.currentTimeMillis());
    timerId = vertx.setTimer(delay, id -> {
      timerId = -1;
      if (!ScheduledJobs.mayRun(vertx)) {
        LOG.debug("scheduled backup left to the cluster node that runs the scheduled jobs");
      } else if (running != null) {
        LOG.warn("scheduled backup skipped: the previous backup is still running");
      } else {
        backup(BackupManifest.KIND_SCHEDULED).onFailure(e -> { }); // failures are logged and recorded
      }
      scheduleNext();
    });
  }

  /** Takes one backup (and applies retention after a verified one). Event-loop only. */
  private Future<JsonObject> backup(String kind) {
    if (stopping) {
      return Future.failedFuture(new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down"));
    }
    if (running != null) {
      return Future.failedFuture(new StoreException(ErrorCode.CONFLICT, "A backup is already running."));
    }
    Cancellation abort = new Cancellation();
    cancellation = abort;
    BackupTaker.Request request = new BackupTaker.Request(main, checkpoints, dir(), kind, config.compress(),
        version, keyFingerprint, opener, abort, null, null)
        .withFormat(main.backend() == DatabaseUrl.Backend.POSTGRESQL ? BackupFormat.chosen(config.pgFormat()) : null);
    Future<JsonObject> work = worker.executeBlocking(() -> {
      JsonObject manifest = BackupTaker.take(request);
      lastBackup = summary(manifest);
      if (BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))) {
        applyRetention();
      }
      return manifest;
    }, true);
    running = work;
    return work
        .onComplete(done -> {
          running = null;
          cancellation = null;
        })
        .recover(failure -> {
          if (failure instanceof CancellationException) {
            LOG.warn("backup aborted: pipelitd is stopping; nothing was kept");
            return Future.failedFuture(new StoreException(ErrorCode.UNAVAILABLE,
                "The backup was aborted: pipelitd is shutting down."));
          }
          String detail = "the backup folder " + dir() + " cannot be written: " + failure.getMessage();
          LOG.error("backup failed: {}", detail);
          lastBackup = new JsonObject().put("status", BackupManifest.STATUS_FAILED)
              .put("finished_at", Instant.now().toString()).put("error", detail);
          return Future.failedFuture(new StoreException(ErrorCode.INTERNAL, "The backup failed: " + detail));
        })
        .compose(manifest -> BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))
            ? Future.succeededFuture(manifest)
            : Future.failedFuture(new StoreException(ErrorCode.INTERNAL,
                "The backup failed: " + manifest.getString("error"))));
  }

  private void applyRetention() {
    try {
      List<JsonObject> all = BackupCatalog.list(dir());
      for (String name : Retention.expired(all, config.keepLast(), config.maxAgeDays(), Instant.now())) {
        BackupFiles.deleteTree(BackupManifest.folderOf(dir(), name));
        LOG.info("retention: deleted backup {}", name);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("retention could not finish: {}", e.getMessage());
    }
  }

  private static JsonObject summary(JsonObject manifest) {
    Instant created = Instant.parse(manifest.getString("created_at"));
    long duration = manifest.getLong("duration_ms", 0L);
    return new JsonObject()
        .put("name", manifest.getString("name"))
        .put("status", manifest.getString("status"))
        .put("created_at", manifest.getString("created_at"))
        .put("finished_at", created.plusMillis(duration).toString())
        .put("duration_ms", duration)
        .put("error", manifest.getString("error"));
  }

  private JsonObject status() {
    JsonObject last = lastBackup;
    return new JsonObject()
        .put("last_backup", last == null ? null : last.copy())
        .put("running", running != null)
        .put("backup_dir", dir().toString())
        .put("backup_dir_writable", folderProblem == null)
        .put("problem", folderProblem != null ? folderProblem : toolProblem)
        .put("schedule", schedule == null ? BackupConfig.OFF : schedule.expression())
        .put("next_run", nextRun == null ? null : nextRun.toOffsetDateTime().toString());
  }

  private Future<JsonObject> create(Identity identity, JsonObject request) {
    requireAdmin(identity);
    return backup(BackupManifest.KIND_MANUAL);
  }

  private Future<JsonObject> list(Identity identity, JsonObject request) {
    requireAdmin(identity);
    // Not on the backup worker: a list must not wait for a running backup.
    return vertx.executeBlocking(() -> {
      List<JsonObject> all = BackupCatalog.list(dir());
      return new JsonObject().put("items", new JsonArray(new ArrayList<>(all))).put("total", all.size());
    }, false);
  }

  private static void requireAdmin(Identity identity) {
    if (!identity.isAdmin()) {
      throw new StoreException(ErrorCode.FORBIDDEN, "Admin access required.");
    }
  }

  private void scoped(String address, BiFunction<Identity, JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> answer(address, message,
        request -> operation.apply(Identity.fromHeaders(message.headers()), request))));
  }

  private static void answer(String address, Message<Object> message, Function<JsonObject, Future<?>> operation) {
    StoreReplies.answer(LOG, address, message, () -> null, operation);
  }

  /** Stops the schedule, aborts a running backup and waits for the abort (its partial output removed). */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    Future<?> abort = Future.succeededFuture();
    if (running != null) {
      LOG.info("stopping: aborting the running backup");
      cancellation.cancel();
      abort = running.otherwiseEmpty();
    }
    return abort
        .transform(ignored -> Future.all(consumers.stream().map(MessageConsumer::unregister).toList()))
        .transform(ignored -> {
          if (metrics != null) {
            metrics.close();
          }
          return worker == null ? Future.succeededFuture() : worker.close();
        });
  }
}
