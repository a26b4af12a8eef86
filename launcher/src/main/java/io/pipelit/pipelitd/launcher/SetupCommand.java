package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Passwords;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd setup}: deploys only PersistenceVerticle (creating or migrating the schema), asks
 * the store to create the first admin user ({@link StoreAddresses#SETUP_ADMIN}) and prints a short
 * summary with the new API key as the last line of stdout. Exit 1 when an admin already exists, 2 for
 * a rejected username or password.
 */
@Command(name = "setup", exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE, description = {
    "Create the first admin user and print a new API key (the last line of the output).",
    "Only works while no admin user exists."})
final class SetupCommand implements Callable<Integer> {

  /** bcrypt and a first migration can take a while on a slow machine. */
  private static final long REQUEST_TIMEOUT_MS = 120_000;

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--username", required = true, paramLabel = "NAME", description = "The admin's user name.")
  String username;

  @ArgGroup(exclusive = true, multiplicity = "1")
  PasswordSource password;

  static final class PasswordSource {
    @Option(names = "--password", required = true, paramLabel = "PASS",
        description = "The admin's password (visible to other local users in the process list; prefer --password-stdin).")
    String value;

    @Option(names = "--password-stdin", required = true,
        description = "Read the password from the first line of standard input.")
    boolean stdin;
  }

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    LaunchContext context = main.context;
    String secret = password.stdin ? readPasswordFromStdin(context) : password.value;
    String problem = Passwords.problem(secret);
    if (problem != null) {
      // Checked before any database is created or migrated.
      throw new ParameterException(spec.commandLine(), "the password " + problem);
    }
    boolean debug = Failures.debug(context.env());
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);

    Vertx vertx = Vertx.vertx();
    try {
      PipelitdConfig config = main.loadConfig(vertx, flags);
      Failures.await(Daemon.deployPersistence(vertx, config));
      JsonObject request = new JsonObject().put("username", username).put("password", secret);
      Message<Object> reply = Failures.await(vertx.eventBus().request(StoreAddresses.SETUP_ADMIN, request,
          new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS)));
      printSummary(context.out(), config, toJson(reply.body()));
      return ExitCodes.OK;
    } catch (RuntimeException e) {
      ErrorCode code = Failures.errorCode(e);
      Failures.report(context.err(), Failures.message(e), e, debug);
      if (code == ErrorCode.CONFLICT) {
        return ExitCodes.FAILURE;
      }
      if (code == ErrorCode.VALIDATION_FAILED || code == ErrorCode.BAD_REQUEST) {
        return ExitCodes.USAGE;
      }
      return Failures.exitCode(e);
    } finally {
      Main.closeVertx(vertx, Main.STOP_TIMEOUT);
    }
  }

  private String readPasswordFromStdin(LaunchContext context) {
    String line;
    try {
      line = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read the password from standard input: "
          + e.getMessage());
    }
    if (line == null) {
      throw new ParameterException(spec.commandLine(), "--password-stdin: standard input is empty");
    }
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static JsonObject toJson(Object body) {
    if (body instanceof JsonObject json) {
      return json;
    }
    if (body instanceof String text) {
      return new JsonObject(text);
    }
    throw new IllegalStateException("unexpected reply from the store: " + (body == null ? "null" : body.getClass()));
  }

  private void printSummary(PrintStream out, PipelitdConfig config, JsonObject reply) {
    String key = reply.getString("key");
    if (key == null || key.isBlank()) {
      throw new IllegalStateException("the store did not return an API key");
    }
    JsonObject user = reply.getJsonObject("user", new JsonObject());
    Object id = user.getValue("id");
    String name = user.getString("username", username);
    out.println("Created admin user '" + name + "'" + (id == null ? "" : " (id " + id + ")")
        + " in " + config.databaseUrl().describe() + ".");
    out.println("API key (shown only once; pipelitd stores a hash of it). Use it as 'Authorization: Bearer <key>':");
    out.println(key);
    out.flush();
  }
}
