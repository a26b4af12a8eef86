package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every {@code db} subcommand shares: {@code --database-url}, {@code --checkpoints},
 * {@code --json}, the loaded configuration, and failures turned into one line and an exit code
 * (0 success, 1 runtime failure or a problem found, 2 usage). Subclasses implement {@link #run}; they
 * run on the command's own thread (no event loop), so blocking JDBC and Flyway calls are fine there.
 */
abstract class DbSubcommand implements Callable<Integer> {

  @ParentCommand
  DbCommand db;

  @Spec
  CommandSpec spec;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = "--checkpoints",
      description = "Act on the checkpoint database (CHECKPOINTS_DATABASE_URL) instead of the main one.")
  boolean checkpoints;

  @Option(names = "--json", description = "Print one JSON document on stdout instead of a table.")
  boolean json;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  /** The database the command acts on, with the configuration it came from. */
  record Target(PipelitdConfig config, DatabaseUrl url, boolean checkpoints) {}

  /** Does the work; returns the exit code. Throw {@link ParameterException} for bad input. */
  abstract int run(Target target, PrintStream out);

  /** Whether {@code --checkpoints} means something for this subcommand (false: a usage error). */
  boolean supportsCheckpoints() {
    return false;
  }

  LaunchContext context() {
    return db.main.context;
  }

  /** A usage error (exit 2) of this subcommand. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  @Override
  public Integer call() {
    LaunchContext context = context();
    if (checkpoints && !supportsCheckpoints()) {
      throw usage("--checkpoints: the checkpoint database has no Flyway migrations (LangGraph's tables are"
          + " created when pipelitd first opens it), so `db " + spec.name() + "` does not apply to it;"
          + " `db info --checkpoints` shows its tables");
    }
    try {
      Target target = target();
      int code = run(target, context.out());
      context.out().flush();
      return code;
    } catch (ParameterException e) {
      throw e;
    } catch (RuntimeException e) {
      Failures.report(context.err(), Failures.message(e), e, Failures.debug(context.env()));
      return Failures.exitCode(e);
    }
  }

  private Target target() {
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);
    PipelitdConfig config = db.main.loadConfig(flags);
    if (!checkpoints) {
      return new Target(config, config.databaseUrl(), false);
    }
    String url = CheckpointConfig.from(config.json()).url();
    return new Target(config, DatabaseUrl.parse(url, config.workingDir()), true);
  }
}
