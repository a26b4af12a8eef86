package io.pipelit.pipelitd.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The pipelitd command line: {@code pipelitd [--conf FILE] [--version] [--help] <command>}.
 *
 * <p>Commands run in-process through {@link #execute(String[], LaunchContext)}, which returns the
 * exit code ({@link ExitCodes}) instead of exiting. Command output (for example {@code setup}'s API
 * key) goes to the context's stdout; logs go to the process's stderr (see BundledLogging), so that
 * stdout stays machine-readable.
 */
@Command(
    name = "pipelitd",
    mixinStandardHelpOptions = true,
    versionProvider = Version.Provider.class,
    synopsisSubcommandLabel = "COMMAND",
    exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = "The persistence daemon of the Pipelit workflow platform.",
    footer = {
        "",
        "Configuration, lowest to highest precedence (see conf/.env.example):",
        "  defaults < conf/pipelitd.json (or --conf FILE) < .env < environment < flags",
        "Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error."})
public final class Main implements Callable<Integer> {
  static final Logger LOG = LoggerFactory.getLogger("pipelitd");

  /** The longest a graceful stop (undeploy, then Vert.x close) may take. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** Every command, in the order {@code pipelitd --help} lists them (added in {@link #commandLine}). */
  static final List<Class<?>> COMMANDS = List.of(RunCommand.class, SetupCommand.class, StatusCommand.class,
      CheckpointsCommand.class, KeysCommand.class, UsersCommand.class, PruneCommand.class, BackupCommand.class,
      RestoreCommand.class, DbCommand.class, ExportCommand.class, ImportCommand.class, CopyCommand.class);

  @Option(names = "--conf", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "JSON configuration file (default: conf/pipelitd.json in the working directory, if present).")
  Path conf;

  @Spec
  CommandSpec spec;

  final LaunchContext context;

  Main(LaunchContext context) {
    this.context = context;
  }

  public static void main(String[] args) {
    // Checkpoints carry base64 strings longer than Jackson's default limit (20,000,000 characters, about
    // 15 MiB decoded). Raised before anything builds a JSON factory: Vert.x 5 reads its own limit from
    // vertx.jackson.defaultReadMaxStringLength when its codec loads (it ignores Jackson's overridable
    // defaults); other Jackson users take the overridden defaults. HTTP bodies do not depend on this
    // ordering (RequestPart parses them with its own factory).
    com.fasterxml.jackson.core.StreamReadConstraints.overrideDefaultStreamReadConstraints(
        com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(1_400_000_000).build());
    if (System.getProperty("vertx.jackson.defaultReadMaxStringLength") == null) {
      System.setProperty("vertx.jackson.defaultReadMaxStringLength", "1400000000");
    }
    System.exit(execute(args, LaunchContext.system()));
  }

  /**
   * Runs one command line in-process and returns its exit code. {@code run} blocks until the context's
   * stop signal completes (or, with {@link LaunchContext#system()}, until SIGTERM/SIGINT).
   */
  public static int execute(String[] args, LaunchContext context) {
    CommandLine commandLine = commandLine(context, args);
    try {
      return commandLine.execute(args);
    } finally {
      commandLine.getOut().flush();
      commandLine.getErr().flush();
      context.out().flush();
      context.err().flush();
    }
  }

  /** {@link #execute(String[], LaunchContext)} with an empty stdin and no stop signal. */
  public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
      Path workingDir) {
    return execute(args, LaunchContext.of(out, err, InputStream.nullInputStream(), env, workingDir));
  }

  static CommandLine commandLine(LaunchContext context, String[] args) {
    CommandLine commandLine = new CommandLine(new Main(context));
    for (Class<?> command : startsDaemon(args) ? List.of(RunCommand.class) : COMMANDS) {
      commandLine.addSubcommand(command);
    }
    commandLine.setOut(new PrintWriter(new OutputStreamWriter(context.out(), StandardCharsets.UTF_8), true));
    commandLine.setErr(new PrintWriter(new OutputStreamWriter(context.err(), StandardCharsets.UTF_8), true));
    // Usage errors: one "pipelitd: ..." line, picocli's suggestions if any, then the usage, on stderr.
    commandLine.setParameterExceptionHandler((failure, parsedArgs) -> {
      CommandLine where = failure.getCommandLine();
      PrintWriter err = where.getErr();
      String message = Failures.oneLine(failure.getMessage());
      err.println("pipelitd: " + (message.startsWith("Error: ") ? message.substring(7) : message));
      CommandLine.UnmatchedArgumentException.printSuggestions(failure, err);
      where.usage(err, where.getColorScheme());
      err.flush();
      return where.getCommandSpec().exitCodeOnInvalidInput();
    });
    commandLine.setExecutionExceptionHandler((failure, cmd, parseResult) -> {
      Failures.report(context.err(), Failures.message(failure), failure, Failures.debug(context.env()));
      return Failures.exitCode(failure);
    });
    return commandLine;
  }

  /**
   * Whether {@code args} are {@code [--conf FILE] run ...}. picocli reads the annotations of every command it
   * is given, by reflection, with its own classes outside the class-data archive (they are Java 5 class
   * files, which the archive cannot hold): 360 ms of a 1.9 s first start on 2 cores for all thirteen
   * commands, 170 ms for {@code run} alone (docs/benchmarks.md, fourth round). The daemon's start builds
   * only its own; anything else (help, a mistyped command) gets them all.
   */
  static boolean startsDaemon(String[] args) {
    int next = 0;
    while (next < args.length) {
      String arg = args[next];
      if (arg.equals("--conf")) {
        next += 2;
      } else if (arg.startsWith("--conf=")) {
        next++;
      } else {
        return arg.equals("run");
      }
    }
    return false;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "Missing required command (" + String.join(", ", spec.subcommands().keySet()) + ")");
  }

  Optional<Path> confFile() {
    return Optional.ofNullable(conf);
  }

  /** Loads and validates the configuration, flags on top; failures carry their exit code. */
  PipelitdConfig loadConfig(Vertx vertx, JsonObject flags) {
    return Failures.await(ConfigLoader.loadAndValidate(vertx, context.workingDir(), confFile(), flags,
        context.env()));
  }

  /**
   * As {@link #loadConfig(Vertx, JsonObject)}, for a command that needs no Vert.x of its own: the
   * configuration loader runs on a short-lived one, closed before this returns.
   */
  PipelitdConfig loadConfig(JsonObject flags) {
    Vertx reader = Vertx.vertx();
    try {
      return loadConfig(reader, flags);
    } finally {
      closeVertx(reader, STOP_TIMEOUT);
    }
  }

  /** Puts a flag into the command-line layer when it was given. */
  static void flag(JsonObject flags, String key, Object value) {
    if (value != null) {
      flags.put(key, value);
    }
  }

  /** Closes Vert.x, waiting at most {@code timeout}. */
  static void closeVertx(Vertx vertx, Duration timeout) {
    try {
      Failures.await(vertx.close(), timeout);
    } catch (TimeoutException e) {
      LOG.warn("Vert.x did not close within {} s", timeout.toSeconds());
    } catch (RuntimeException e) {
      LOG.warn("closing Vert.x failed: {}", e.toString());
    }
  }
}
