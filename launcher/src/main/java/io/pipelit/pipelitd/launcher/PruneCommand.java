package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.RetentionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd prune [--dry-run] [--older-than DAYS] [--keep-per-workflow N] [--vacuum]}: deletes
 * finished executions and their logs (see the store's ExecutionPruner for the rules), then gives the
 * space back, and prints the rows removed per table and the bytes freed.
 *
 * <p>Where it runs: on a SQLite file served by a running daemon (its instance guard is held), through
 * that daemon's HTTP API ({@code POST /api/v1/maintenance/prune} with an admin key from
 * {@value #API_KEY_ENV}), so that its single writer stays the only one; otherwise in-process, holding
 * the guard meanwhile so that no daemon starts on the file halfway. PostgreSQL: always in-process (the
 * server arbitrates between writers).
 */
@Command(name = "prune", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {
        "Delete finished executions (completed, failed, cancelled) with their logs",
        "and pending tasks, then give the disk space back.",
        "An execution goes when it finished more than --older-than DAYS ago, OR when",
        "it is not among the --keep-per-workflow N most recently finished ones of its",
        "workflow. Without either option, PIPELITD_RETENTION_MAX_AGE_DAYS and",
        "PIPELITD_RETENTION_KEEP_PER_WORKFLOW apply.",
        "Deletes PIPELITD_RETENTION_BATCH_SIZE rows per write; prints the rows removed",
        "per table and the bytes freed.",
        "SQLite: incremental_vacuum releases the space; a file created before",
        "pipelitd set auto_vacuum=INCREMENTAL needs --vacuum once. PostgreSQL:",
        "autovacuum reuses the space.",
        "With a daemon serving the SQLite file, the prune runs in that daemon: set",
        PruneCommand.API_KEY_ENV + " to an admin API key."})
final class PruneCommand implements Callable<Integer> {
  /** The admin API key used to reach a running daemon; read from the environment, never from a flag. */
  static final String API_KEY_ENV = "PIPELITD_API_KEY";
  /** A large prune with a full VACUUM may take long. */
  private static final long TIMEOUT_MS = 6L * 3_600_000;

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--dry-run", description = "Count what would be deleted; change nothing.")
  boolean dryRun;

  @Option(names = "--older-than", paramLabel = "DAYS",
      description = "Delete finished executions older than DAYS days (at least 1).")
  Long olderThanDays;

  @Option(names = "--keep-per-workflow", paramLabel = "N",
      description = "Keep only the N most recently finished executions of each workflow (at least 1).")
  Long keepPerWorkflow;

  @Option(names = "--vacuum", description = "SQLite: rebuild the file with a full VACUUM (other writes wait for"
      + " it) instead of incremental steps; converts an older file to auto_vacuum=INCREMENTAL.")
  boolean vacuum;

  @Option(names = "--json", description = "Print the report as one JSON object instead of text.")
  boolean json;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    if (olderThanDays != null && (olderThanDays < 1 || olderThanDays > RetentionConfig.MAX_AGE_DAYS)) {
      throw new ParameterException(spec.commandLine(),
          "--older-than must be a number of days between 1 and " + RetentionConfig.MAX_AGE_DAYS);
    }
    if (keepPerWorkflow != null && (keepPerWorkflow < 1 || keepPerWorkflow > RetentionConfig.MAX_KEEP_PER_WORKFLOW)) {
      throw new ParameterException(spec.commandLine(),
          "--keep-per-workflow must be between 1 and " + RetentionConfig.MAX_KEEP_PER_WORKFLOW);
    }
    LaunchContext context = main.context;
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);
    Vertx vertx = Vertx.vertx();
    InstanceGuard guard = null;
    try {
      PipelitdConfig config = main.loadConfig(vertx, flags);
      RetentionConfig retention = RetentionConfig.from(config.json());
      if (olderThanDays == null && keepPerWorkflow == null && retention.maxAgeDays() == 0
          && retention.keepPerWorkflow() == 0) {
        throw new ParameterException(spec.commandLine(), "give --older-than DAYS and/or --keep-per-workflow N"
            + " (or set " + ConfigKeys.RETENTION_MAX_AGE_DAYS + " / " + ConfigKeys.RETENTION_KEEP_PER_WORKFLOW + ")");
      }
      JsonObject body = new JsonObject().put("dry_run", dryRun).put("vacuum", vacuum);
      Main.flag(body, "older_than_days", olderThanDays);
      Main.flag(body, "keep_per_workflow", keepPerWorkflow);
      guard = InstanceGuard.tryAcquire(config.databaseUrl());
      JsonObject report = guard == null ? throughDaemon(config, body) : inProcess(vertx, config, body);
      print(context.out(), report);
      return ExitCodes.OK;
    } catch (ParameterException e) {
      throw e;
    } catch (RuntimeException e) {
      Failures.report(context.err(), Failures.message(e), e, Failures.debug(context.env()));
      ErrorCode code = Failures.errorCode(e);
      return code == ErrorCode.VALIDATION_FAILED || code == ErrorCode.BAD_REQUEST ? ExitCodes.USAGE
          : code != null ? ExitCodes.FAILURE : Failures.exitCode(e);
    } finally {
      Main.closeVertx(vertx, Main.STOP_TIMEOUT);
      if (guard != null) {
        guard.close();
      }
    }
  }

  /** No daemon on the file: this process opens it, prunes through its own single writer. */
  private JsonObject inProcess(Vertx vertx, PipelitdConfig config, JsonObject body) {
    Failures.await(Daemon.deployPersistence(vertx, config));
    MessageConsumer<JsonObject> progress = null;
    if (System.console() != null && !json) { // progress only on a terminal, on stderr
      String address = "pipelitd.cli.prune.progress." + UUID.randomUUID();
      PrintStream err = main.context.err();
      progress = vertx.eventBus().localConsumer(address, message -> {
        JsonObject p = message.body();
        err.print("\rpruning: " + p.getLong("executions_deleted") + "/" + p.getLong("executions_total")
            + " executions, " + p.getLong("logs_deleted") + " logs deleted");
        err.flush();
      });
      Failures.await(progress.completion());
      body.put("progress_address", address);
    }
    try {
      return (JsonObject) Failures.await(vertx.eventBus().request(StoreAddresses.MAINTENANCE_PRUNE_CLI,
          new JsonObject().put("body", body), new DeliveryOptions().setSendTimeout(TIMEOUT_MS))).body();
    } finally {
      if (progress != null) {
        main.context.err().println();
        progress.unregister();
      }
    }
  }

  /** A daemon serves the SQLite file: ask it, over its HTTP API, with the admin key of the environment. */
  private JsonObject throughDaemon(PipelitdConfig config, JsonObject body) {
    String host = config.http().host();
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      host = "127.0.0.1"; // listening everywhere: loopback reaches it
    }
    String base = "http://" + Daemon.hostPort(host, config.http().port());
    Map<String, String> env = main.context.env();
    String key = env.get(API_KEY_ENV);
    if (key == null || key.isBlank()) {
      throw new Failures.UserFacingException("a pipelitd daemon is serving " + config.databaseUrl().describe()
          + "; the prune must run in it: set " + API_KEY_ENV + " to an admin API key (the daemon answers on "
          + base + "), or stop the daemon", ExitCodes.FAILURE, null);
    }
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response;
    try {
      response = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/maintenance/prune"))
          .timeout(Duration.ofMillis(TIMEOUT_MS))
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + key.strip())
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failures.UserFacingException("a pipelitd daemon holds " + config.databaseUrl().describe()
          + " but does not answer on " + base + " (" + e.getClass().getSimpleName() + ")", ExitCodes.FAILURE, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failures.UserFacingException("interrupted", ExitCodes.FAILURE, e);
    }
    JsonObject answer;
    try {
      answer = new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      answer = new JsonObject().put("detail", response.body());
    }
    if (response.statusCode() != 200) {
      int exit = response.statusCode() == 400 || response.statusCode() == 422 ? ExitCodes.USAGE : ExitCodes.FAILURE;
      throw new Failures.UserFacingException("the daemon refused the prune (HTTP " + response.statusCode() + "): "
          + answer.getValue("detail"), exit, null);
    }
    return answer;
  }

  private void print(PrintStream out, JsonObject report) {
    if (json) {
      out.println(report.encode());
      out.flush();
      return;
    }
    JsonObject deleted = report.getJsonObject("deleted", new JsonObject());
    out.println(report.getBoolean("dry_run", false) ? "Dry run: nothing deleted; a prune would remove:" : "Removed:");
    for (String table : deleted.fieldNames()) {
      out.printf("  %-22s %d rows%n", table, deleted.getLong(table));
    }
    out.println("Bytes freed: " + report.getLong("bytes_freed") + " (database " + report.getLong("bytes_before")
        + " -> " + report.getLong("bytes_after") + " bytes)");
    out.println("Space: " + report.getString("space"));
    out.flush();
  }
}
