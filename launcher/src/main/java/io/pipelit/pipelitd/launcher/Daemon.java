package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.backup.BackupSchedulerVerticle;
import io.pipelit.pipelitd.checkpoints.CheckpointVerticle;
import io.pipelit.pipelitd.http.HttpApiVerticle;
import io.pipelit.pipelitd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.BindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started pipelitd: PersistenceVerticle, CheckpointVerticle, then HttpApiVerticle, deployed on a
 * Vert.x instance the caller owns. {@code run} uses it; in-process tests can too:
 * <pre>{@code
 * PipelitdConfig cfg = ConfigLoader.loadAndValidate(vertx, dir, Optional.empty(), flags, Map.of()).await();
 * Daemon daemon = Daemon.start(vertx, cfg, Version.current()).await();
 * ... daemon.httpPort() ...
 * daemon.stop().await();
 * }</pre>
 */
public final class Daemon {
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  /** Deployment-config key carrying the version to HttpApiVerticle (for {@code GET /health}). */
  public static final String VERSION_KEY = HttpApiVerticle.VERSION_CONFIG_KEY;

  private final Vertx vertx;
  private final PipelitdConfig config;
  private final String version;
  private final PersistenceVerticle persistence;
  private final String persistenceId;
  private final String checkpointsId;
  /** The backup scheduler's deployment (set once deployed; see {@link #start}). */
  private String backupId;
  private final HttpApiVerticle http;
  private final String httpId;

  private Daemon(Vertx vertx, PipelitdConfig config, String version, PersistenceVerticle persistence,
      String persistenceId, String checkpointsId, HttpApiVerticle http, String httpId) {
    this.vertx = vertx;
    this.config = config;
    this.version = version;
    this.persistence = persistence;
    this.persistenceId = persistenceId;
    this.checkpointsId = checkpointsId;
    this.http = http;
    this.httpId = httpId;
  }

  /**
   * Deploys PersistenceVerticle, CheckpointVerticle (which opens its database on first use), then
   * HttpApiVerticle; succeeds when all have started. When a later verticle fails, the earlier deployments
   * are undeployed again before the failure is reported.
   * A port already in use fails with a message naming the address.
   */
  public static Future<Daemon> start(Vertx vertx, PipelitdConfig config, String version) {
    PersistenceVerticle persistence = new PersistenceVerticle();
    return deployPersistence(vertx, config, persistence).compose(persistenceId -> vertx
        .deployVerticle(new CheckpointVerticle(), new DeploymentOptions().setConfig(config.json().copy()))
        .recover(failure -> vertx.undeploy(persistenceId).transform(ignored -> Future.<String>failedFuture(failure)))
        .compose(checkpointsId -> {
          HttpApiVerticle http = new HttpApiVerticle();
          JsonObject httpConfig = config.json().copy().put(VERSION_KEY, version);
          return vertx.deployVerticle(http, new DeploymentOptions().setConfig(httpConfig))
              .recover(failure -> vertx.undeploy(checkpointsId)
                  .transform(ignored -> vertx.undeploy(persistenceId))
                  .transform(ignored -> Future.<String>failedFuture(httpFailure(config, failure))))
              .map(httpId -> new Daemon(vertx, config, version, persistence, persistenceId, checkpointsId, http,
                  httpId));
        }))
        .compose(daemon -> daemon.deployBackups());
  }

  /**
   * Deploys BackupSchedulerVerticle last (it only reads the databases, through files and tools of its
   * own); when it fails, the rest is stopped again and the failure reported.
   */
  private Future<Daemon> deployBackups() {
    JsonObject backupConfig = config.json().copy().put(BackupSchedulerVerticle.VERSION_CONFIG_KEY, version);
    return vertx.deployVerticle(new BackupSchedulerVerticle(), new DeploymentOptions().setConfig(backupConfig))
        .map(id -> {
          backupId = id;
          return this;
        })
        .recover(failure -> stop().transform(ignored -> Future.failedFuture(failure)));
  }

  /** Deploys only PersistenceVerticle (what {@code setup} needs); returns its deployment id. */
  public static Future<String> deployPersistence(Vertx vertx, PipelitdConfig config) {
    return deployPersistence(vertx, config, new PersistenceVerticle());
  }

  private static Future<String> deployPersistence(Vertx vertx, PipelitdConfig config, PersistenceVerticle v) {
    try {
      FieldKeySetup.ensure(config); // first start: a key is generated into .env
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // The version goes into the manifest of the snapshot taken before migrations.
    return vertx.deployVerticle(v, new DeploymentOptions().setConfig(config.json().copy()
        .put(BackupSchedulerVerticle.VERSION_CONFIG_KEY, Version.current())));
  }

  private static Throwable httpFailure(PipelitdConfig config, Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof BindException) {
        return new Failures.UserFacingException("cannot listen on " + hostPort(config.http().host(),
            config.http().port()) + ": " + (t.getMessage() == null ? "address unavailable" : t.getMessage())
            + " (is another pipelitd running? set PIPELITD_HTTP_PORT or --http-port)", ExitCodes.FAILURE, failure);
      }
    }
    return failure;
  }

  /**
   * Undeploys HttpApiVerticle (no new requests), then CheckpointVerticle and PersistenceVerticle (queued
   * writes commit). Does not close Vert.x.
   */
  public Future<Void> stop() {
    return vertx.undeploy(httpId)
        .onFailure(e -> LOG.warn("stopping the HTTP API failed: {}", e.toString()))
        // A running backup is aborted cleanly (partial output removed) before the stores close.
        .transform(ignored -> backupId == null ? Future.<Void>succeededFuture() : vertx.undeploy(backupId))
        .onFailure(e -> LOG.warn("stopping the backup scheduler failed: {}", e.toString()))
        .transform(ignored -> vertx.undeploy(checkpointsId))
        .onFailure(e -> LOG.warn("stopping the checkpoint store failed: {}", e.toString()))
        .transform(ignored -> vertx.undeploy(persistenceId))
        .onFailure(e -> LOG.warn("stopping the store failed: {}", e.toString()));
  }

  public Vertx vertx() {
    return vertx;
  }

  public PipelitdConfig config() {
    return config;
  }

  public String version() {
    return version;
  }

  /** The bound HTTP port (the real one when the configured port is 0). */
  public int httpPort() {
    return http.actualPort();
  }

  /** {@code http://host:port}. */
  public String httpUrl() {
    return "http://" + hostPort(config.http().host(), httpPort());
  }

  /** "SQLite /abs/path" or "PostgreSQL user@host:port/db", never a password. */
  public String describeDatabase() {
    String described = null;
    try {
      described = persistence.describeDatabase();
    } catch (RuntimeException e) {
      LOG.debug("describeDatabase failed", e);
    }
    return described == null || described.isBlank() ? config.databaseUrl().describe() : described;
  }

  /** The one startup line: version, backend and database, HTTP address. */
  public String readyLine() {
    return "pipelitd " + version + " ready: backend " + describeDatabase() + ", HTTP " + httpUrl();
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}
