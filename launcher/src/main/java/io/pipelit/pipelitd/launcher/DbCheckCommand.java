package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.MigrationCheck;
import io.pipelit.pipelitd.storage.MigrationFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code db check}: pipelitd's answer to Alembic's "multiple heads" check. Looks at the packaged
 * migration sets (two files with one version, gaps in the numbering, a version only one dialect has)
 * and at the database's history against its set (applied migrations the set lacks, checksum drift,
 * out-of-order or failed migrations). Exit 0 when all is well, 1 on any problem, each told in one
 * sentence.
 */
@Command(name = "check", exitCodeOnInvalidInput = ExitCodes.USAGE, description = {
    "Check the migration sets and the database's history: duplicate versions, missing (skipped) versions,",
    "versions only one dialect has, applied migrations missing from the packaged set, checksum drift,",
    "out-of-order and failed migrations. Exit 1 on any problem."})
final class DbCheckCommand extends DbSubcommand {

  @Option(names = "--location", paramLabel = "LOCATION",
      description = {"Check this migration set instead of the packaged one (repeatable), as Flyway names it:",
          "filesystem:DIR or classpath:PATH. The dialect comparison is then skipped."})
  List<String> locations;

  @Option(names = "--files-only", description = "Check the migration files only; do not open a database.")
  boolean filesOnly;

  @Override
  int run(Target target, PrintStream out) {
    ClassLoader classLoader = DbCheckCommand.class.getClassLoader();
    List<MigrationCheck.Problem> problems = new ArrayList<>();
    List<String> databaseLocations;
    boolean duplicates;
    JsonObject fileCounts = new JsonObject();
    if (locations == null || locations.isEmpty()) {
      List<MigrationFiles.File> sqlite = MigrationFiles.list(List.of(Migrations.SQLITE_LOCATION), classLoader);
      List<MigrationFiles.File> postgres = MigrationFiles.list(List.of(Migrations.POSTGRESQL_LOCATION), classLoader);
      if (sqlite.isEmpty() || postgres.isEmpty()) {
        // A build that lost its migration files must not pass as "no problem".
        throw new IllegalStateException("no packaged migrations found (" + sqlite.size() + " SQLite, "
            + postgres.size() + " PostgreSQL): this pipelitd build is incomplete");
      }
      fileCounts.put("sqlite", sqlite.size()).put("postgresql", postgres.size());
      List<MigrationCheck.Problem> sqliteProblems = MigrationCheck.packaged("SQLite", sqlite);
      List<MigrationCheck.Problem> postgresProblems = MigrationCheck.packaged("PostgreSQL", postgres);
      problems.addAll(sqliteProblems);
      problems.addAll(postgresProblems);
      problems.addAll(MigrationCheck.parity("SQLite", sqlite, "PostgreSQL", postgres));
      databaseLocations = List.of(Migrations.location(target.url().backend()));
      duplicates = hasDuplicates(target.url().backend() == DatabaseUrl.Backend.SQLITE ? sqliteProblems : postgresProblems);
    } else {
      List<MigrationFiles.File> files = MigrationFiles.list(locations, classLoader);
      if (files.isEmpty()) {
        throw usage("--location: no V<version>__<description>.sql file found in " + String.join(", ", locations));
      }
      fileCounts.put("given", files.size());
      List<MigrationCheck.Problem> setProblems = MigrationCheck.packaged("given", files);
      problems.addAll(setProblems);
      databaseLocations = List.copyOf(locations);
      duplicates = hasDuplicates(setProblems);
    }
    String databaseNote = null;
    if (filesOnly) {
      databaseNote = "not checked (--files-only)";
    } else if (duplicates) {
      databaseNote = "not checked: Flyway cannot load a migration set with duplicate versions";
    } else {
      problems.addAll(MigrationCheck.database(Migrations.runner(target.url(), databaseLocations)));
    }
    if (json) {
      JsonArray list = new JsonArray();
      problems.forEach(p -> list.add(new JsonObject().put("kind", p.kind().name().toLowerCase(java.util.Locale.ROOT))
          .put("version", p.version()).put("message", p.message())));
      DbMigrationCommands.printJson(out, new JsonObject().put("ok", problems.isEmpty())
          .put("database", filesOnly ? null : target.url().describe()).put("database_note", databaseNote)
          .put("migration_files", fileCounts).put("problems", list));
    } else if (problems.isEmpty()) {
      boolean packagedSets = locations == null || locations.isEmpty();
      out.println("OK: one migration per version, no gaps" + (packagedSets ? ", both dialects agree" : "")
          + (databaseNote == null ? ", and the history of " + target.url().describe() + " matches its migrations." : "."));
    } else {
      out.println(problems.size() + " problem(s):");
      problems.forEach(p -> out.println("  - " + p.message()));
      if (databaseNote != null) {
        out.println("Database " + databaseNote + ".");
      }
    }
    return problems.isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private static boolean hasDuplicates(List<MigrationCheck.Problem> problems) {
    return problems.stream().anyMatch(p -> p.kind() == MigrationCheck.Kind.DUPLICATE_VERSION);
  }
}
