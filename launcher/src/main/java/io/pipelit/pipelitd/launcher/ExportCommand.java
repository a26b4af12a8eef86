package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd export}: the JSON export of workflows (with their nodes, edges and component configs)
 * or, with {@code --all}, of every table import knows, through the store's trusted
 * {@link StoreAddresses#EXPORT_CLI} address (PersistenceVerticle deployed in-process, as for
 * {@code users ...}; on a SQLite file served by a daemon it reads next to it).
 */
@Command(name = "export", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {"Export workflows (nodes, edges, component configs) as JSON; with --all also users (without",
        "passwords or MFA secrets), credentials, executions and their logs, schedules, pending tasks,",
        "conversations, agent memory, workspaces and settings. Secrets (credentials, workspace env vars,",
        "settings URLs) stay encrypted unless --decrypted. Read back with `pipelitd import FILE`."})
final class ExportCommand implements Callable<Integer> {

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--workflow", paramLabel = "SLUG", description = "Export this workflow (repeatable; default: every workflow).")
  List<String> workflows;

  @Option(names = "--all", description = "Export everything: users, credentials, workflows, executions and logs, schedules,"
      + " pending tasks, conversations, memory, workspaces, settings.")
  boolean all;

  @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE (created readable by its owner only) instead of stdout.")
  Path out;

  @Option(names = "--decrypted",
      description = "Write secrets (credentials, workspace env vars, settings URLs) in plaintext (for moving"
          + " to a database with another key). Warns.")
  boolean decrypted;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    LaunchContext context = main.context;
    if (all && workflows != null && !workflows.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--all exports every workflow: give either --all or --workflow");
    }
    Path target = out == null ? null : context.workingDir().resolve(out);
    if (target != null && target.getParent() != null && !Files.isDirectory(target.getParent())) {
      throw new ParameterException(spec.commandLine(), "--out: the folder " + target.getParent() + " does not exist");
    }
    if (decrypted) {
      context.err().println("pipelitd: warning: --decrypted writes secrets (credentials, workspace env vars, settings URLs)"
          + " in PLAINTEXT to "
          + (target == null ? "standard output" : target) + "; keep it safe and delete it once imported.");
      context.err().flush();
    }
    JsonObject request = new JsonObject().put("all", all).put("decrypted", decrypted);
    if (workflows != null && !workflows.isEmpty()) {
      request.put("workflows", new JsonArray(List.copyOf(workflows)));
    }
    return StoreCommands.call(main, databaseUrl, StoreAddresses.EXPORT_CLI, request, reply -> {
      JsonObject document = (JsonObject) reply;
      if (target == null) {
        context.out().println(document.encodePrettily());
        return;
      }
      write(target, document.encodePrettily());
      context.out().println("Exported " + summary(document) + " to " + target + ".");
    });
  }

  /** "2 workflows, 5 workflow_nodes, ..." in table order. */
  static String summary(JsonObject document) {
    JsonObject tables = document.getJsonObject("tables");
    StringBuilder text = new StringBuilder();
    for (String table : tables.fieldNames()) {
      text.append(text.length() == 0 ? "" : ", ").append(tables.getJsonArray(table).size()).append(' ').append(table);
    }
    return text.toString();
  }

  /** Written next to the target and moved over it, so a failed export never leaves half a file. */
  private static void write(Path target, String text) {
    Path temporary = target.resolveSibling(target.getFileName() + ".partial");
    try {
      Files.deleteIfExists(temporary);
      try {
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(temporary);
      }
      Files.writeString(temporary, text + "\n", StandardCharsets.UTF_8);
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // the message below is what matters
      }
      throw new Failures.UserFacingException("cannot write " + target + ": " + e.getMessage(), ExitCodes.FAILURE, e);
    }
  }

}
