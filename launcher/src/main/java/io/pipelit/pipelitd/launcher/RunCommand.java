package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd run}: deploys PersistenceVerticle then HttpApiVerticle, then the plugin verticles named
 * in {@code PIPELITD_DEPLOY} ({@link Plugins}; undeployed first on stop), logs one ready line, and
 * stays in the foreground until SIGTERM/SIGINT (or the in-process stop signal), then stops gracefully:
 * the HTTP API first, then the store (queued writes commit), then Vert.x, within PIPELITD_STOP_TIMEOUT_MS
 * (default 30 s).
 */
@Command(name = "run", exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = "Start the daemon in the foreground (stop it with SIGTERM or Ctrl-C).")
final class RunCommand implements Callable<Integer> {

  @ParentCommand
  Main main;

  @Option(names = "--no-migrate",
      description = "Do not apply pending database migrations at start; refuse to serve if any are pending.")
  boolean noMigrate;

  @Option(names = "--http-host", paramLabel = "HOST", description = "Overrides PIPELITD_HTTP_HOST.")
  String httpHost;

  @Option(names = "--http-port", paramLabel = "PORT", description = "Overrides PIPELITD_HTTP_PORT (0: any free port).")
  String httpPort;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = "--cluster", description = "Join a cluster of pipelitd nodes (Hazelcast, conf/cluster.xml);"
      + " PostgreSQL only. One node of the cluster runs the scheduled jobs.")
  boolean cluster;

  @Option(names = "--exit-when-ready", description = "Start, log the ready line, then stop gracefully and exit 0:"
      + " a smoke test of the configuration, and the training start of the class-data archive that"
      + " scripts/pipelitd builds for faster starts.")
  boolean exitWhenReady;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  JsonObject flags() {
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);
    Main.flag(flags, ConfigKeys.HTTP_HOST, httpHost);
    Main.flag(flags, ConfigKeys.HTTP_PORT, httpPort);
    if (noMigrate) {
      flags.put(ConfigKeys.MIGRATE_ON_START, false);
    }
    return flags;
  }

  @Override
  public Integer call() {
    LaunchContext context = main.context;
    boolean debug = Failures.debug(context.env());
    CompletableFuture<Void> stopRequested = new CompletableFuture<>();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = null;
    Vertx vertx = null;
    JobLeadership leadership = null;
    InstanceGuard guard = null;
    long deadline = 0;
    Duration stopTimeout = Main.STOP_TIMEOUT; // until the configuration says otherwise
    try {
      PipelitdConfig config;
      if (cluster) {
        // The cluster's settings come from the configuration: read it first, then join.
        config = main.loadConfig(flags()); // cluster mode builds its own Vert.x afterwards
        ClusterSetup.requirePostgres(config);
        ClusterManager clusterManager = ClusterSetup.clusterManager(config.json(), config.workingDir());
        vertx = Failures.await(Observability.clusteredVertxWithMetrics(clusterManager,
            ClusterSetup.eventBusOptions(config.json())));
        Main.LOG.info("joined the cluster as {} ({} nodes)", ClusterSetup.host(config.json()),
            clusterManager.getNodes().size());
      } else {
        vertx = Observability.vertxWithMetrics();
        config = main.loadConfig(vertx, flags());
      }
      stopTimeout = Duration.ofMillis(ConfigValues.integer(config.json(), ConfigKeys.STOP_TIMEOUT_MS,
          ConfigKeys.DEFAULT_STOP_TIMEOUT_MS, 1_000, 3_600_000));
      Duration stopBound = stopTimeout;
      // Plugins before anything is opened: an unknown PIPELITD_DEPLOY name is exit 2 with the known ones.
      List<Plugins.Deployment> pluginVerticles = Plugins.load(config.json(), config.workingDir())
          .resolve(config.json());
      guard = InstanceGuard.acquireAll(List.of(config.databaseUrl(), DatabaseUrl.parse(
          CheckpointConfig.from(config.json()).url(), config.workingDir())));
      adoptPipelitDatabase(config, context);
      if (context.installsShutdownHook()) {
        hook = new Thread(() -> {
          stopRequested.complete(null);
          try {
            // Keep the JVM alive while the main thread drains and closes (bounded).
            finished.await(stopBound.toSeconds() + 5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "pipelitd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // SIGTERM/SIGINT: stop here and return OK, so that the process exits 0 (not 143).
        Signals.onTerminate(() -> stopRequested.complete(null));
      }
      context.stopSignal().ifPresent(signal -> signal.whenComplete((r, e) -> stopRequested.complete(null)));

      Daemon daemon = Failures.await(Daemon.start(vertx, config, Version.current()));
      Plugins.Deployed plugins = Failures.await(Plugins.deploy(vertx, config, pluginVerticles)
          .recover(failure -> daemon.stop()
              .transform(ignored -> io.vertx.core.Future.<Plugins.Deployed>failedFuture(failure))));
      leadership = JobLeadership.start(vertx);
      Main.LOG.info(daemon.readyLine());
      context.readyListener().ifPresent(listener -> listener.accept(daemon));
      int exitCode = ExitCodes.OK;
      if (exitWhenReady) {
        // One GET /ready over HTTP, as a client would send it: the smoke test checks the API answers, and
        // the archive training loads the classes that serving a request needs.
        int status = Failures.await(readyStatus(vertx, config.http().host(), daemon.httpPort()));
        if (status != 200) {
          context.err().println("pipelitd: started, but GET /ready answered " + status);
          exitCode = ExitCodes.FAILURE;
        }
        stopRequested.complete(null);
      }

      stopRequested.join();
      Main.LOG.info("pipelitd stopping: closing the HTTP API, then committing queued writes");
      deadline = System.nanoTime() + stopTimeout.toNanos();
      leadership.stop();
      try {
        Failures.await(plugins.undeploy().compose(ignored -> daemon.stop()), stopTimeout);
      } catch (TimeoutException e) {
        Main.LOG.warn("the verticles did not stop within {} s", stopTimeout.toSeconds());
      } catch (RuntimeException e) {
        Main.LOG.warn("stopping failed: {}", Failures.message(e));
      }
      return exitCode;
    } catch (RuntimeException e) {
      Failures.report(context.err(), Failures.message(e), e, debug);
      return Failures.exitCode(e);
    } finally {
      Duration left = deadline == 0 ? stopTimeout
          : Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(1).toNanos()));
      if (vertx != null) {
        Main.closeVertx(vertx, left); // in cluster mode this also leaves the cluster
      }
      if (guard != null) {
        guard.close(); // only once the database is closed: another daemon may then take over
      }
      if (deadline != 0) {
        Main.LOG.info("pipelitd stopped");
      }
      finished.countDown();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: nothing to remove
        }
      }
    }
  }

  /** The status of {@code GET /ready} on the daemon's own HTTP API (a wildcard host asked on loopback). */
  private static Future<Integer> readyStatus(Vertx vertx, String host, int port) {
    HttpClientAgent client = vertx.createHttpClient();
    String target = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return client.request(HttpMethod.GET, port, target, "/ready")
        .compose(HttpClientRequest::send)
        .compose(response -> response.body().map(body -> response.statusCode()))
        .eventually(client::close);
  }

  /**
   * DATABASE_URL pointing at a database Pipelit made (issue 8): it is adopted before anything opens it, as
   * {@code pipelitd db adopt} would (snapshot kept next to it; the report goes to stderr).
   */
  private static void adoptPipelitDatabase(PipelitdConfig config, LaunchContext context) {
    if (!PipelitAdoption.isPipelit(config.databaseUrl())) {
      return;
    }
    Main.LOG.warn("{} was made by Pipelit: adopting it (a snapshot of the original is kept next to it)",
        config.databaseUrl().describe());
    try {
      DbAdoptCommand.adopt(config, config.databaseUrl(), context.err(), context.err());
    } catch (java.sql.SQLException | java.io.IOException e) {
      throw new Failures.UserFacingException("adopting the Pipelit database failed, it was left as it was: "
          + Failures.oneLine(e.getMessage()), ExitCodes.FAILURE, e);
    }
  }
}
