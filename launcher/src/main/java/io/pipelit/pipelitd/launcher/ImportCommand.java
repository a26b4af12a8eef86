package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipelitd import FILE}: reads a file made by {@code pipelitd export} into the database through
 * the store's trusted {@link StoreAddresses#IMPORT_CLI} address. The store checks the whole file before
 * writing anything and writes it in one transaction (all or nothing); new ids, slugs de-duplicated.
 */
@Command(name = "import", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {"Import a file made by `pipelitd export`: checked whole first, then written in one",
        "transaction (on any problem nothing is written). Rows get new ids; a taken slug becomes slug-2,",
        "slug-3, ...; users (by username), workspaces (by name), memory users, facts and procedures (by",
        "their natural keys) already here are matched, not duplicated; settings overwrite the ones here.",
        "Exit 2 when the file is not valid."})
final class ImportCommand implements Callable<Integer> {

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The export file.")
  Path file;

  @Option(names = "--owner", paramLabel = "USERNAME",
      description = "Owner of imported workflows when the file has no users (default: the first admin).")
  String owner;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    LaunchContext context = main.context;
    Path source = context.workingDir().resolve(file);
    JsonObject document;
    try {
      document = new JsonObject(Files.readString(source, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + source + ": " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new ParameterException(spec.commandLine(), source + " is not a JSON object: "
          + Failures.oneLine(e.getMessage()));
    }
    JsonObject request = new JsonObject().put("document", document);
    Main.flag(request, "owner", owner);
    return StoreCommands.call(main, databaseUrl, StoreAddresses.IMPORT_CLI, request, reply -> {
      JsonObject result = (JsonObject) reply;
      JsonObject imported = result.getJsonObject("imported");
      List<String> counts = new ArrayList<>();
      imported.fieldNames().forEach(table -> counts.add(imported.getInteger(table) + " " + table));
      context.out().println("Imported " + (counts.isEmpty() ? "nothing" : String.join(", ", counts))
          + (result.getInteger("users_matched") > 0 ? "; " + result.getInteger("users_matched")
          + " user(s) matched by username" : "") + ".");
      JsonObject matched = result.getJsonObject("matched", new JsonObject());
      List<String> kept = new ArrayList<>();
      matched.fieldNames().stream().filter(table -> !table.equals("user_profiles"))
          .forEach(table -> kept.add(matched.getInteger(table) + " " + table));
      if (!kept.isEmpty()) {
        context.out().println("  already here, kept as they are: " + String.join(", ", kept));
      }
      result.getJsonArray("workflows").forEach(item -> {
        JsonObject w = (JsonObject) item;
        if (!w.getString("slug").equals(w.getString("old_slug"))) {
          context.out().println("  workflow '" + w.getString("old_slug") + "' imported as '" + w.getString("slug") + "'");
        }
      });
    });
  }
}
