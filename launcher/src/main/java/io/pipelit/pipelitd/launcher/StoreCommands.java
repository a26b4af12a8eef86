package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Passwords;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What the account commands ({@code users ...}, {@code keys create}) share: deploy only
 * PersistenceVerticle (like {@code setup}), send one trusted request to a {@code pipelit.store.*.cli.*}
 * address, print the answer, and map failures to exit codes: 0 success, 1 runtime (unknown user, name
 * taken, last admin), 2 usage or validation.
 */
final class StoreCommands {
  private StoreCommands() {}

  /** bcrypt and a first migration can take a while on a slow machine. */
  private static final long REQUEST_TIMEOUT_MS = 120_000;

  /** {@code --password PASS | --password-stdin}. */
  static final class PasswordSource {
    @Option(names = "--password", required = true, paramLabel = "PASS",
        description = "The password (visible to other local users in the process list; prefer --password-stdin).")
    String value;

    @Option(names = "--password-stdin", required = true,
        description = "Read the password from the first line of standard input.")
    boolean stdin;

    /** The password, checked against the rules before any database is touched. */
    String read(LaunchContext context, CommandSpec spec) {
      String secret = stdin ? readLine(context, spec) : value;
      String problem = Passwords.problem(secret);
      if (problem != null) {
        throw new ParameterException(spec.commandLine(), "the password " + problem);
      }
      return secret;
    }

    private static String readLine(LaunchContext context, CommandSpec spec) {
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
  }

  /**
   * Deploys the store, sends {@code request} to {@code address}, hands the reply to {@code print};
   * returns the exit code.
   */
  static int call(Main main, String databaseUrl, String address, JsonObject request, Consumer<Object> print) {
    return call(main, databaseUrl, address, request, (reply, config) -> print.accept(reply));
  }

  /** As {@link #call(Main, String, String, JsonObject, Consumer)}, printing with the configuration at hand. */
  static int call(Main main, String databaseUrl, String address, JsonObject request,
      BiConsumer<Object, PipelitdConfig> print) {
    LaunchContext context = main.context;
    boolean debug = Failures.debug(context.env());
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);
    Vertx vertx = Vertx.vertx();
    try {
      PipelitdConfig config = main.loadConfig(vertx, flags);
      Failures.await(Daemon.deployPersistence(vertx, config));
      Object reply = Failures.await(vertx.eventBus().request(address, request,
          new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))).body();
      print.accept(reply, config);
      context.out().flush();
      return ExitCodes.OK;
    } catch (RuntimeException e) {
      ErrorCode code = Failures.errorCode(e);
      Failures.report(context.err(), Failures.message(e), e, debug);
      if (code == ErrorCode.VALIDATION_FAILED || code == ErrorCode.BAD_REQUEST) {
        return ExitCodes.USAGE;
      }
      if (code != null) {
        return ExitCodes.FAILURE;
      }
      return Failures.exitCode(e);
    } finally {
      Main.closeVertx(vertx, Main.STOP_TIMEOUT);
    }
  }

  /** One line describing a user, for the command line. */
  static String describeUser(JsonObject user) {
    return user.getValue("id") + "\t" + user.getString("username") + "\t" + user.getString("role") + "\t"
        + (Boolean.TRUE.equals(user.getBoolean("is_active")) ? "active" : "deactivated") + "\t"
        + (Boolean.TRUE.equals(user.getBoolean("mfa_enabled")) ? "mfa" : "-") + "\t"
        + user.getValue("key_count") + "\t" + user.getString("created_at");
  }
}
