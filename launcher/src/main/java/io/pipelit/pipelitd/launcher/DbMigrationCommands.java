package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Flyway subcommands of {@code pipelitd db}: migrate, info, validate, repair, baseline, current,
 * history. Those that change the schema or its history (migrate, repair, baseline) refuse while a
 * running daemon holds the SQLite file (its instance guard) and wait for the cross-process migrate lock;
 * the others only read and may run next to a daemon.
 */
final class DbMigrationCommands {
  private DbMigrationCommands() {}

  /** The checkpoint tables LangGraph's SqliteSaver/PostgresSaver create (reference §4.2). */
  static final List<String> CHECKPOINT_TABLES = List.of("checkpoints", "writes");

  static FlywayRunner runner(DbSubcommand.Target target) {
    return Migrations.runner(target.url());
  }

  /**
   * Holds the daemon's instance guard for the duration of a schema change, so that no daemon serves the
   * file meanwhile; refuses (exit 1) when one does.
   */
  static InstanceGuard guard(DatabaseUrl url, String action) {
    try {
      return InstanceGuard.acquire(url);
    } catch (Failures.UserFacingException e) {
      throw new Failures.UserFacingException("refusing to " + action + " " + url.describe() + " while a running"
          + " pipelitd serves it (" + e.getMessage() + "). Stop the daemon first; it applies pending migrations"
          + " itself when it starts.", ExitCodes.FAILURE, e);
    }
  }

  static JsonObject json(FlywayRunner.Entry e) {
    return new JsonObject().put("version", e.version()).put("description", e.description()).put("type", e.type())
        .put("state", e.state()).put("script", e.script()).put("installed_on", e.installedOn())
        .put("installed_by", e.installedBy()).put("installed_rank", e.installedRank())
        .put("execution_time_ms", e.executionTimeMs()).put("checksum", e.checksum())
        .put("file_checksum", e.fileChecksum()).put("applied", e.applied());
  }

  static void printJson(PrintStream out, JsonObject document) {
    out.println(document.encodePrettily());
  }

  static String currentVersion(List<FlywayRunner.Entry> entries) {
    String current = null;
    for (FlywayRunner.Entry e : entries) {
      if (e.applied() && !e.failed() && e.version() != null) {
        current = e.version();
      }
    }
    return current;
  }

  static long pending(List<FlywayRunner.Entry> entries) {
    return entries.stream().filter(e -> "Pending".equals(e.state())).count();
  }

  /** {@code db migrate}. */
  @Command(name = "migrate", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
      "Apply every pending migration to the main database, each in its own transaction.",
      "Refused while a running daemon serves the SQLite file; waits while another process migrates it."})
  static final class Migrate extends DbSubcommand {
    @Override
    int run(Target target, PrintStream out) {
      try (InstanceGuard held = guard(target.url(), "migrate")) {
        FlywayRunner.MigrateResult result = runner(target).migrate();
        if (json) {
          printJson(out, new JsonObject().put("database", target.url().describe()).put("applied", result.applied())
              .put("schema_version", result.targetVersion()));
        } else if (result.applied() == 0) {
          out.println("Schema of " + target.url().describe() + " is up to date (version " + result.targetVersion() + ").");
        } else {
          out.println("Applied " + result.applied() + " migration(s) to " + target.url().describe()
              + "; schema version " + result.targetVersion() + ".");
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code db info}. */
  @Command(name = "info", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
      "Every migration, packaged or applied, with its state (Success, Pending, Missing, Failed, ...).",
      "With --checkpoints: the checkpoint database's tables (it has no Flyway history)."})
  static final class Info extends DbSubcommand {
    @Override
    boolean supportsCheckpoints() {
      return true;
    }

    @Override
    int run(Target target, PrintStream out) {
      if (target.checkpoints()) {
        return checkpointInfo(target.url(), json, out);
      }
      List<FlywayRunner.Entry> entries = runner(target).info();
      if (json) {
        printJson(out, new JsonObject().put("database", target.url().describe())
            .put("schema_version", currentVersion(entries)).put("pending", pending(entries))
            .put("migrations", new JsonArray(entries.stream().map(DbMigrationCommands::json).toList())));
        return ExitCodes.OK;
      }
      out.println("Database: " + target.url().describe());
      TextTable table = new TextTable("Version", "Description", "Type", "State", "Installed on", "Checksum");
      entries.forEach(e -> table.row(e.version(), e.description(), e.type(), e.state(), e.installedOn(), e.checksum()));
      table.print(out);
      out.println("Schema version " + (currentVersion(entries) == null ? "none" : currentVersion(entries)) + ", "
          + pending(entries) + " pending.");
      return ExitCodes.OK;
    }
  }

  /** {@code db validate}. */
  @Command(name = "validate", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
      "Check the applied migrations against the packaged files (checksums, missing or unknown versions)",
      "and that none is pending. Exit 1 with one line per problem when they do not match."})
  static final class Validate extends DbSubcommand {
    @Override
    int run(Target target, PrintStream out) {
      List<String> problems = runner(target).validationProblems();
      if (json) {
        printJson(out, new JsonObject().put("database", target.url().describe()).put("valid", problems.isEmpty())
            .put("problems", new JsonArray(problems)));
      } else if (problems.isEmpty()) {
        out.println("Valid: the schema history of " + target.url().describe() + " matches the packaged migrations.");
      } else {
        out.println("Not valid: " + target.url().describe());
        problems.forEach(p -> out.println("  - " + p));
      }
      return problems.isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }

  /** {@code db repair}. */
  @Command(name = "repair", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
      "Repair the schema history: drop failed entries, realign checksums and descriptions with the packaged",
      "files, mark applied migrations whose files are gone as deleted. Touches no other table.",
      "Refused while a running daemon serves the SQLite file."})
  static final class Repair extends DbSubcommand {
    @Override
    int run(Target target, PrintStream out) {
      try (InstanceGuard held = guard(target.url(), "repair")) {
        FlywayRunner.RepairSummary summary = runner(target).repair();
        if (json) {
          printJson(out, new JsonObject().put("database", target.url().describe())
              .put("actions", new JsonArray(summary.actions())));
        } else if (summary.actions().isEmpty()) {
          out.println("Nothing to repair in " + target.url().describe() + ".");
        } else {
          out.println("Repaired the schema history of " + target.url().describe() + ":");
          summary.actions().forEach(a -> out.println("  - " + a));
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code db baseline}. */
  @Command(name = "baseline", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
      "Record a version as the starting point of a database that has tables but no schema history",
      "(migrations up to it will not run). Refused when a history exists, or while a daemon serves the file."})
  static final class Baseline extends DbSubcommand {
    @Option(names = "--version", paramLabel = "V", defaultValue = "1",
        description = "The version the existing schema corresponds to (default ${DEFAULT-VALUE}).")
    String version;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "baseline",
        description = "Recorded with it (default ${DEFAULT-VALUE}).")
    String description;

    @Override
    int run(Target target, PrintStream out) {
      if (!version.matches("[0-9]+(\\.[0-9]+)*")) {
        throw usage("--version: '" + version + "' is not a migration version (numbers separated by dots, e.g. 3 or 1.2)");
      }
      try (InstanceGuard held = guard(target.url(), "baseline")) {
        FlywayRunner runner = runner(target);
        List<FlywayRunner.Entry> history = runner.history();
        if (!history.isEmpty()) {
          // Flyway would skip a second baseline at the same version silently; say so instead.
          throw new Failures.UserFacingException(target.url().describe() + " already has a schema history (version "
              + currentVersion(history) + "); baseline is for a database that has none. `pipelitd db info` shows it.",
              ExitCodes.FAILURE, null);
        }
        String recorded = runner.baseline(version, description);
        if (json) {
          printJson(out, new JsonObject().put("database", target.url().describe()).put("baseline_version", recorded));
        } else {
          out.println("Baselined " + target.url().describe() + " at version " + recorded + ".");
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code db current}. */
  @Command(name = "current", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
      "The schema version of the database and how many migrations are pending.",
      "With --checkpoints: whether the checkpoint tables exist."})
  static final class Current extends DbSubcommand {
    @Override
    boolean supportsCheckpoints() {
      return true;
    }

    @Override
    int run(Target target, PrintStream out) {
      if (target.checkpoints()) {
        return checkpointInfo(target.url(), json, out);
      }
      List<FlywayRunner.Entry> entries = runner(target).info();
      String current = currentVersion(entries);
      long pending = pending(entries);
      if (json) {
        printJson(out, new JsonObject().put("database", target.url().describe()).put("schema_version", current)
            .put("pending", pending));
      } else {
        out.println((current == null ? "none" : current) + (pending > 0 ? " (" + pending + " pending)" : " (up to date)"));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code db history}. */
  @Command(name = "history", exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "The applied migrations, in the order they were applied (the schema history table).")
  static final class History extends DbSubcommand {
    @Override
    int run(Target target, PrintStream out) {
      List<FlywayRunner.Entry> applied = runner(target).history();
      if (json) {
        printJson(out, new JsonObject().put("database", target.url().describe())
            .put("history", new JsonArray(applied.stream().map(DbMigrationCommands::json).toList())));
        return ExitCodes.OK;
      }
      TextTable table = new TextTable("Rank", "Version", "Description", "State", "Installed on", "By", "Time (ms)");
      applied.forEach(e -> table.row(e.installedRank(), e.version(), e.description(), e.state(), e.installedOn(),
          e.installedBy(), e.executionTimeMs()));
      table.print(out);
      return ExitCodes.OK;
    }
  }

  /**
   * The checkpoint database's tables and row counts: it has no Flyway history (CheckpointVerticle creates
   * LangGraph's tables when it opens the database), so this is what there is to say about its schema.
   */
  static int checkpointInfo(DatabaseUrl url, boolean json, PrintStream out) {
    JsonArray tables = new JsonArray();
    boolean exists = url.backend() != DatabaseUrl.Backend.SQLITE || Files.exists(url.sqlitePath());
    if (exists) {
      try (Connection c = url.backend() == DatabaseUrl.Backend.SQLITE
          ? DriverManager.getConnection(url.jdbcUrl())
          : DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
        for (String name : CHECKPOINT_TABLES) {
          JsonObject table = new JsonObject().put("name", name);
          try (ResultSet found = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
            table.put("present", found.next());
          }
          if (table.getBoolean("present")) {
            try (Statement s = c.createStatement(); ResultSet count = s.executeQuery("SELECT COUNT(*) FROM " + name)) {
              count.next();
              table.put("rows", count.getLong(1));
            }
          }
          tables.add(table);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the checkpoint database " + url.describe() + ": " + e.getMessage(), e);
      }
    }
    boolean ready = exists && tables.stream().allMatch(t -> ((JsonObject) t).getBoolean("present"));
    if (json) {
      printJson(out, new JsonObject().put("database", url.describe()).put("exists", exists)
          .put("schema", ready ? "langgraph" : null).put("managed_by_flyway", false).put("tables", tables));
      return ExitCodes.OK;
    }
    out.println("Checkpoint database: " + url.describe() + (exists ? "" : " (not created yet: it is created on first use)"));
    out.println("Not managed by Flyway: pipelitd creates LangGraph's tables when it opens the database.");
    if (exists) {
      TextTable table = new TextTable("Table", "Present", "Rows");
      tables.forEach(t -> {
        JsonObject row = (JsonObject) t;
        table.row(row.getString("name"), row.getBoolean("present") ? "yes" : "no", row.getLong("rows"));
      });
      table.print(out);
    }
    return ExitCodes.OK;
  }
}
