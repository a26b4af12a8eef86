package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd users create|list|set-password|deactivate}: user administration from the command line,
 * through the store's trusted {@code pipelit.store.users.cli.*} addresses (only PersistenceVerticle is
 * deployed, as for {@code setup}).
 */
@Command(name = "users", exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE,
    subcommands = {UsersCommand.Create.class, UsersCommand.ListUsers.class, UsersCommand.SetPassword.class,
        UsersCommand.Deactivate.class},
    description = "Users: create, list, set a password, deactivate.")
final class UsersCommand extends CommandGroup {

  /** Options every subcommand has. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand
    UsersCommand users;

    @Spec
    CommandSpec spec;

    @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
    String databaseUrl;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    PrintStream out() {
      return users.main.context.out();
    }

    int call(String address, JsonObject request, java.util.function.Consumer<Object> print) {
      return StoreCommands.call(users.main, databaseUrl, address, request, print);
    }
  }

  @Command(name = "create", exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "Create a user (role normal unless --role admin). Exit 1 when the name is taken.")
  static final class Create extends Sub {
    @Option(names = "--username", required = true, paramLabel = "NAME", description = "The user name.")
    String username;

    @ArgGroup(exclusive = true, multiplicity = "1")
    StoreCommands.PasswordSource password;

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "normal",
        description = "admin or normal (default ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--first-name", paramLabel = "NAME", description = "First name.")
    String firstName;

    @Option(names = "--last-name", paramLabel = "NAME", description = "Last name.")
    String lastName;

    @Override
    public Integer call() {
      if (!"admin".equals(role) && !"normal".equals(role)) {
        throw new ParameterException(spec.commandLine(), "--role must be admin or normal");
      }
      String secret = password.read(users.main.context, spec);
      JsonObject request = new JsonObject().put("username", username).put("password", secret).put("role", role);
      if (firstName != null) {
        request.put("first_name", firstName);
      }
      if (lastName != null) {
        request.put("last_name", lastName);
      }
      return call(StoreAddresses.USERS_CLI_CREATE, request, reply -> {
        JsonObject user = (JsonObject) reply;
        out().println("Created " + user.getString("role") + " user '" + user.getString("username") + "' (id "
            + user.getValue("id") + "). Create a key with: pipelitd keys create --username "
            + user.getString("username"));
      });
    }
  }

  @Command(name = "list", exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "List users: id, username, role, active or deactivated, mfa, active keys, created at.")
  static final class ListUsers extends Sub {
    @Override
    public Integer call() {
      return call(StoreAddresses.USERS_CLI_LIST, new JsonObject(), reply -> {
        JsonArray list = ((JsonObject) reply).getJsonArray("users");
        out().println("id\tusername\trole\tstatus\tmfa\tkeys\tcreated_at");
        for (int i = 0; i < list.size(); i++) {
          out().println(StoreCommands.describeUser(list.getJsonObject(i)));
        }
      });
    }
  }

  @Command(name = "set-password", exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "Set a user's password. Exit 1 for an unknown user.")
  static final class SetPassword extends Sub {
    @Option(names = "--username", required = true, paramLabel = "NAME", description = "The user name.")
    String username;

    @ArgGroup(exclusive = true, multiplicity = "1")
    StoreCommands.PasswordSource password;

    @Override
    public Integer call() {
      String secret = password.read(users.main.context, spec);
      return call(StoreAddresses.USERS_CLI_SET_PASSWORD,
          new JsonObject().put("username", username).put("password", secret),
          reply -> out().println("Password of '" + ((JsonObject) reply).getString("username") + "' changed."));
    }
  }

  @Command(name = "deactivate", exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = {"Deactivate a user: every key of theirs stops working and they can no longer log in.",
          "Exit 1 for an unknown user or the last active admin."})
  static final class Deactivate extends Sub {
    @Option(names = "--username", required = true, paramLabel = "NAME", description = "The user name.")
    String username;

    @Override
    public Integer call() {
      return call(StoreAddresses.USERS_CLI_DEACTIVATE, new JsonObject().put("username", username),
          reply -> out().println("Deactivated '" + ((JsonObject) reply).getString("username")
              + "'; all their keys are revoked."));
    }
  }
}
