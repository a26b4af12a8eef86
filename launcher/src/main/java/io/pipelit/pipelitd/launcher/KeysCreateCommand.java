package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd keys create --username NAME [--name LABEL] [--expires ISO]}: a new API key for a user,
 * printed as the last line of stdout (shown only once; the store keeps its SHA-256 digest).
 */
@Command(name = "create", exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {"Create an API key for a user and print it (the last line of the output).",
        "Exit 1 for an unknown or deactivated user."})
final class KeysCreateCommand implements Callable<Integer> {

  @ParentCommand
  KeysCommand keys;

  @Spec
  CommandSpec spec;

  @Option(names = "--username", required = true, paramLabel = "NAME", description = "Whose key.")
  String username;

  @Option(names = "--name", paramLabel = "LABEL", defaultValue = "default",
      description = "The key's label (default ${DEFAULT-VALUE}; 'session' is reserved for login keys).")
  String name;

  @Option(names = "--expires", paramLabel = "ISO",
      description = "Expiry, ISO-8601 (2027-01-31T00:00:00Z; without an offset, UTC). Must be in the future.")
  String expires;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    JsonObject request = new JsonObject().put("username", username).put("name", name);
    if (expires != null) {
      request.put("expires_at", checkedExpiry(expires));
    }
    PrintStream out = keys.main.context.out();
    return StoreCommands.call(keys.main, databaseUrl, StoreAddresses.KEYS_CLI_CREATE, request, reply -> {
      JsonObject key = (JsonObject) reply;
      out.println("Created key '" + key.getString("name") + "' (id " + key.getValue("id") + ", prefix "
          + key.getString("prefix") + ") for '" + username + "'"
          + (key.getString("expires_at") == null ? "" : ", expires " + key.getString("expires_at")) + ".");
      out.println("API key (shown only once). Use it as 'Authorization: Bearer <key>':");
      out.println(key.getString("key"));
    });
  }

  private String checkedExpiry(String text) {
    try {
      OffsetDateTime.parse(text);
      return text;
    } catch (DateTimeParseException e) {
      try {
        LocalDateTime.parse(text);
        return text;
      } catch (DateTimeParseException e2) {
        throw new ParameterException(spec.commandLine(), "--expires must be an ISO-8601 timestamp such as"
            + " 2027-01-31T00:00:00Z (got '" + text + "')");
      }
    }
  }
}
