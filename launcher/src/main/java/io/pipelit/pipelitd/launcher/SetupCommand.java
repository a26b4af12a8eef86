package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--username", required = true, paramLabel = "NAME", description = "The admin's user name.")
  String username;

  @ArgGroup(exclusive = true, multiplicity = "1")
  StoreCommands.PasswordSource password;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    // The password is checked before any database is created or migrated.
    String secret = password.read(main.context, spec);
    JsonObject request = new JsonObject().put("username", username).put("password", secret);
    return StoreCommands.call(main, databaseUrl, StoreAddresses.SETUP_ADMIN, request,
        (reply, config) -> printSummary(main.context.out(), config, toJson(reply)));
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
