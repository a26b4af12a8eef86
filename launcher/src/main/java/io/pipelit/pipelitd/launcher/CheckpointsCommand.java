package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.checkpoints.CheckpointVerticle;
import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd checkpoints prune}: prunes the checkpoint store in-process (CheckpointVerticle only,
 * no HTTP) and prints the counts as one JSON line on stdout. The rules default to
 * {@code CHECKPOINTS_KEEP_LAST} and {@code CHECKPOINTS_MAX_AGE_SECONDS}.
 */
@Command(name = "checkpoints", synopsisSubcommandLabel = "COMMAND", exitCodeOnInvalidInput = ExitCodes.USAGE,
    subcommands = CheckpointsCommand.Prune.class,
    description = "Maintain the checkpoint store (LangGraph conversation memory).")
final class CheckpointsCommand extends CommandGroup {

  /** {@code pipelitd checkpoints prune [--dry-run] [--keep-last N] [--older-than-seconds S] [--thread ID]...}. */
  @Command(name = "prune", exitCodeOnInvalidInput = ExitCodes.USAGE,
      exitCodeOnExecutionException = ExitCodes.FAILURE, description = {
      "Delete old checkpoints: those beyond the newest --keep-last per thread and namespace AND older than",
      "--older-than-seconds (each rule only when given), never a thread's first checkpoint while the thread",
      "keeps any. Prints {deleted_checkpoints, deleted_writes, threads, dry_run}.",
      "On a SQLite store served by a running daemon prefer POST /api/v1/checkpoints/prune: this command",
      "opens the file itself (it waits for the daemon's locks, PIPELITD_SQLITE_BUSY_TIMEOUT_MS)."})
  static final class Prune implements Callable<Integer> {
    /** A large prune on a big file may take a while. */
    private static final long REQUEST_TIMEOUT_MS = 3_600_000;

    @ParentCommand
    CheckpointsCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "Count what would be deleted, delete nothing.")
    boolean dryRun;

    @Option(names = "--keep-last", paramLabel = "N",
        description = "Checkpoints kept per thread and namespace (default CHECKPOINTS_KEEP_LAST when > 0).")
    Long keepLast;

    @Option(names = "--older-than-seconds", paramLabel = "S",
        description = "Only checkpoints older than this may go (default CHECKPOINTS_MAX_AGE_SECONDS when > 0).")
    Long olderThanSeconds;

    @Option(names = "--thread", paramLabel = "ID", description = "Prune only this thread (repeatable).")
    List<String> threads;

    @Option(names = "--checkpoints-database-url", paramLabel = "URL", description = "Overrides CHECKPOINTS_DATABASE_URL.")
    String databaseUrl;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
      Main main = parent.main;
      LaunchContext context = main.context;
      JsonObject flags = new JsonObject();
      Main.flag(flags, ConfigKeys.CHECKPOINTS_DATABASE_URL, databaseUrl);
      Vertx vertx = Vertx.vertx();
      try {
        PipelitdConfig config = main.loadConfig(vertx, flags);
        CheckpointConfig checkpoints = CheckpointConfig.from(config.json());
        JsonObject body = new JsonObject().put("dry_run", dryRun);
        long keep = keepLast != null ? keepLast : checkpoints.keepLast();
        long age = olderThanSeconds != null ? olderThanSeconds : checkpoints.maxAgeSeconds();
        if (keepLast != null || keep > 0) {
          body.put("keep_last", keep);
        }
        if (olderThanSeconds != null || age > 0) {
          body.put("older_than_seconds", age);
        }
        if (!body.containsKey("keep_last") && !body.containsKey("older_than_seconds")) {
          throw new ParameterException(spec.commandLine(),
              "give --keep-last and/or --older-than-seconds (or set CHECKPOINTS_KEEP_LAST / CHECKPOINTS_MAX_AGE_SECONDS)");
        }
        if (threads != null && !threads.isEmpty()) {
          body.put("thread_ids", new JsonArray(List.copyOf(threads)));
        }
        Failures.await(vertx.deployVerticle(new CheckpointVerticle(),
            new DeploymentOptions().setConfig(config.json().copy())));
        // In-process and trusted, like setup: the CLI acts as an administrator.
        JsonObject result = (JsonObject) Failures.await(vertx.eventBus().request(CheckpointAddresses.PRUNE,
            new JsonObject().put("body", body),
            new Identity(0, Identity.ADMIN).toDeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))).body();
        context.out().println(result.encode());
        context.out().flush();
        return ExitCodes.OK;
      } catch (ParameterException e) {
        throw e;
      } catch (RuntimeException e) {
        Failures.report(context.err(), Failures.message(e), e, Failures.debug(context.env()));
        ErrorCode code = Failures.errorCode(e);
        return code == ErrorCode.VALIDATION_FAILED ? ExitCodes.USAGE : Failures.exitCode(e);
      } finally {
        Main.closeVertx(vertx, Main.STOP_TIMEOUT);
      }
    }
  }
}
