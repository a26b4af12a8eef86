package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.backup.BackupSchedulerVerticle;
import io.pipelit.pipelitd.bridge.BridgeVerticle;
import io.pipelit.pipelitd.checkpoints.CheckpointVerticle;
import io.pipelit.pipelitd.contracts.config.BridgeConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
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

  /** Deployment-config key carrying the version to the verticles ({@code GET /health}, manifests). */
  public static final String VERSION_KEY = ConfigKeys.VERSION;

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
  /** The TCP event-bus bridge; deployed always, listening only when PIPELITD_BRIDGE_PORT is set. */
  private BridgeVerticle bridge;
  private String bridgeId;

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
        .compose(Daemon::deployBridge)
        .compose(daemon -> daemon.deployBackups());
  }

  /** Deploys the bridge last (it serves the stores); a failure undeploys everything before it. */
  private static Future<Daemon> deployBridge(Daemon daemon) {
    BridgeVerticle bridge = new BridgeVerticle();
    return daemon.vertx.deployVerticle(bridge, new DeploymentOptions().setConfig(daemon.config.json().copy()))
        .map(id -> {
          daemon.bridge = bridge;
          daemon.bridgeId = id;
          return daemon;
        })
        .recover(failure -> daemon.stop().transform(ignored -> Future.failedFuture(failure)));
  }

  /**
   * Deploys BackupSchedulerVerticle last (it only reads the databases, through files and tools of its
   * own); when it fails, the rest is stopped again and the failure reported.
   */
  private Future<Daemon> deployBackups() {
    JsonObject backupConfig = config.json().copy().put(VERSION_KEY, version);
    return vertx.deployVerticle(new BackupSchedulerVerticle(), new DeploymentOptions().setConfig(backupConfig))
        .map(id -> {
          backupId = id;
          return this;
        })
        .recover(failure -> stop().transform(ignored -> Future.failedFuture(failure)));
  }

  /** Deploys only PersistenceVerticle (what {@code setup} needs); returns its deployment id. */
  public static Future<String> deployPersistence(Vertx vertx, PipelitdConfig config) {
    return deployPersistence(vertx, config, new PersistenceVerticle(), false);
  }

  private static Future<String> deployPersistence(Vertx vertx, PipelitdConfig config, PersistenceVerticle v) {
    return deployPersistence(vertx, config, v, true);
  }

  /** {@code backgroundJobs}: false for a CLI command's store (no recovery sweep, no scheduled prune). */
  private static Future<String> deployPersistence(Vertx vertx, PipelitdConfig config, PersistenceVerticle v,
      boolean backgroundJobs) {
    try {
      FieldKeySetup.ensure(config); // first start: a key is generated into .env
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // The version goes into the manifest of the snapshot taken before migrations.
    return vertx.deployVerticle(v, new DeploymentOptions().setConfig(config.json().copy()
        .put(PersistenceVerticle.BACKGROUND_JOBS, backgroundJobs)
        .put(VERSION_KEY, Version.current())));
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
    Future<Void> bridgeStopped = bridgeId == null ? Future.succeededFuture() : vertx.undeploy(bridgeId)
        .onFailure(e -> LOG.warn("stopping the event-bus bridge failed: {}", e.toString()));
    Future<Void> httpStopped = vertx.undeploy(httpId)
        .onFailure(e -> LOG.warn("stopping the HTTP API failed: {}", e.toString()));
    // Both front doors drain at once; a running backup is then aborted cleanly (partial output removed);
    // then the stores close (queued writes commit).
    return Future.join(bridgeStopped, httpStopped)
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

  /** The bound bridge port, or -1 when the bridge is off. */
  public int bridgePort() {
    return bridge == null ? -1 : bridge.actualPort();
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
    return "pipelitd " + version + " ready: backend " + describeDatabase() + ", HTTP " + httpUrl()
        + (bridgePort() >= 0 ? ", bridge " + hostPort(BridgeConfig.from(config.json()).host(), bridgePort()) : "");
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}
