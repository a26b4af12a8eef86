package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.launcher.LaunchContext;
import io.pipelit.pipelitd.launcher.Main;
import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.MigrationFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code pipelitd db ...} in-process on a fresh database of each backend: good and bad input, exit codes
 * (0 ok, 1 a problem found or a runtime failure, 2 usage), readable output and {@code --json} that
 * parses; {@code db check} on broken migration sets and on a history whose checksum was changed.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DbCommandsTest {

  @Parameter
  Backend backend;

  @TempDir
  Path dir;

  String url;
  int packaged;

  record Outcome(int code, String out, String err) {
    JsonObject json() {
      return new JsonObject(out);
    }

    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  @BeforeEach
  void freshDatabase() {
    url = TestDatabases.freshUrl(backend, dir);
    packaged = MigrationFiles.list(List.of(Migrations.location(parsed().backend())), getClass().getClassLoader()).size();
  }

  DatabaseUrl parsed() {
    return DatabaseUrl.parse(url, dir);
  }

  Outcome run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, dir);
    int code = Main.execute(args, context);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code pipelitd db <args> --database-url <this test's database>}. */
  Outcome db(String... args) {
    List<String> all = new ArrayList<>(List.of("db"));
    all.addAll(List.of(args));
    all.add("--database-url");
    all.add(url);
    return run(Map.of("FIELD_ENCRYPTION_KEY", FieldKeyring.generateKey()), all.toArray(String[]::new));
  }

  void sql(String statement) throws Exception {
    try (Connection c = TestDatabases.connect(url); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  Path migrationDir(String name, String... files) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    for (String file : files) {
      String table = "t_" + file.replaceAll("[^a-z]", "");
      Files.writeString(folder.resolve(file), "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY);\n");
    }
    return folder;
  }

  @Test
  void aFreshDatabaseIsMigratedAndDescribed() {
    Outcome current = db("current", "--json");
    assertEquals(0, current.code(), current.toString());
    assertNull(current.json().getValue("schema_version"));
    assertEquals(packaged, current.json().getInteger("pending"));

    Outcome info = db("info");
    assertEquals(0, info.code(), info.toString());
    assertTrue(info.out().contains("Pending") && info.out().contains("foundation"), info.out());

    Outcome migrate = db("migrate", "--json");
    assertEquals(0, migrate.code(), migrate.toString());
    assertEquals(packaged, migrate.json().getInteger("applied"));
    String version = migrate.json().getString("schema_version");

    Outcome again = db("migrate");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("up to date"), again.out());

    Outcome now = db("current");
    assertEquals(0, now.code(), now.toString());
    assertEquals(version + " (up to date)", now.out().strip());

    Outcome history = db("history", "--json");
    assertEquals(0, history.code(), history.toString());
    JsonArray applied = history.json().getJsonArray("history");
    assertEquals(packaged, applied.size());
    assertEquals("1", applied.getJsonObject(0).getString("version"));
    assertEquals(Boolean.TRUE, applied.getJsonObject(0).getBoolean("applied"));
    assertTrue(db("history").out().contains("Success"));

    Outcome infoJson = db("info", "--json");
    assertEquals(0, infoJson.code());
    assertEquals(0, infoJson.json().getInteger("pending"));
    assertEquals(version, infoJson.json().getString("schema_version"));

    Outcome validate = db("validate");
    assertEquals(0, validate.code(), validate.toString());
    assertTrue(validate.out().startsWith("Valid"), validate.out());

    Outcome check = db("check");
    assertEquals(0, check.code(), check.toString());
    assertTrue(check.out().startsWith("OK"), check.out());
    JsonObject checked = db("check", "--json").json();
    assertTrue(checked.getBoolean("ok"), checked.encode());
    assertEquals(packaged, checked.getJsonObject("migration_files").getInteger(backend == Backend.SQLITE ? "sqlite" : "postgresql"));
  }

  @Test
  void validateFailsWhileMigrationsArePending() {
    Outcome validate = db("validate", "--json");
    assertEquals(1, validate.code(), validate.toString());
    assertFalse(validate.json().getBoolean("valid"));
    assertFalse(validate.json().getJsonArray("problems").isEmpty());
  }

  @Test
  void badInputIsAUsageError() {
    Outcome version = db("baseline", "--version", "one");
    assertEquals(2, version.code(), version.toString());
    assertTrue(version.err().contains("--version"), version.err());

    Outcome checkpoints = db("migrate", "--checkpoints");
    assertEquals(2, checkpoints.code(), checkpoints.toString());
    assertTrue(checkpoints.err().contains("no Flyway migrations"), checkpoints.err());

    for (String subcommand : List.of("validate", "repair", "baseline", "history", "check")) {
      Outcome refused = db(subcommand, "--checkpoints");
      assertEquals(2, refused.code(), subcommand + ": " + refused);
      assertTrue(refused.err().contains("`db " + subcommand + "` does not apply"), refused.err());
    }
    Outcome option = db("info", "--bogus");
    assertEquals(2, option.code(), option.toString());
    assertTrue(option.err().contains("--bogus"), option.err());

    Outcome group = run(Map.of(), "db");
    assertEquals(2, group.code(), group.toString());
    assertTrue(group.err().contains("migrate") && group.err().contains("check"), group.err());

    Outcome unknown = run(Map.of(), "db", "upgrade");
    assertEquals(2, unknown.code(), unknown.toString());

    Outcome badUrl = run(Map.of(), "db", "current", "--database-url", "mysql://localhost/pipelit");
    assertEquals(2, badUrl.code(), badUrl.toString());
    assertTrue(badUrl.err().contains("DATABASE_URL"), badUrl.err());

    Outcome noFiles = db("check", "--location", "filesystem:" + dir.resolve("nothing-here"));
    assertEquals(2, noFiles.code(), noFiles.toString());
    // Nothing was migrated by any of these.
    assertEquals(packaged, db("current", "--json").json().getInteger("pending"));
  }

  @Test
  void checksumDriftIsReportedThenRepaired() throws Exception {
    assertEquals(0, db("migrate").code());
    sql("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");

    Outcome check = db("check");
    assertEquals(1, check.code(), check.toString());
    assertTrue(check.out().contains("V1 (foundation) changed after it was applied"), check.out());
    JsonArray problems = db("check", "--json").json().getJsonArray("problems");
    assertEquals(1, problems.size(), problems.encodePrettily());
    assertEquals("checksum_drift", problems.getJsonObject(0).getString("kind"));
    assertEquals("1", problems.getJsonObject(0).getString("version"));

    Outcome validate = db("validate");
    assertEquals(1, validate.code(), validate.toString());
    assertTrue(validate.out().contains("V1"), validate.out());

    Outcome repair = db("repair", "--json");
    assertEquals(0, repair.code(), repair.toString());
    assertFalse(repair.json().getJsonArray("actions").isEmpty(), repair.out());
    assertEquals(0, db("check").code());
    assertEquals(0, db("validate").code());
  }

  @Test
  void checkReportsDuplicateAndMissingVersionsOfABrokenSet() throws Exception {
    Path broken = migrationDir("broken", "V1__one.sql", "V2__two.sql", "V2__also_two.sql", "V4__four.sql");
    Outcome check = db("check", "--location", "filesystem:" + broken);
    assertEquals(1, check.code(), check.toString());
    assertTrue(check.out().contains("2 files with version 2"), check.out());
    assertTrue(check.out().contains("skip version 3"), check.out());
    assertTrue(check.out().contains("not checked: Flyway cannot load"), check.out());

    JsonObject json = db("check", "--location", "filesystem:" + broken, "--json", "--files-only").json();
    assertFalse(json.getBoolean("ok"));
    List<String> kinds = json.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("kind")).toList();
    assertEquals(List.of("duplicate_version", "missing_version"), kinds);
  }

  @Test
  void checkReportsAppliedMigrationsMissingFromTheSetAndOutOfOrderOnes() throws Exception {
    Path applied = migrationDir("applied", "V1__one.sql", "V2__two.sql");
    Migrations.runner(parsed(), List.of("filesystem:" + applied)).migrate();

    Path older = migrationDir("older", "V1__one.sql");
    Outcome missing = db("check", "--location", "filesystem:" + older, "--json");
    assertEquals(1, missing.code(), missing.toString());
    JsonObject problem = missing.json().getJsonArray("problems").getJsonObject(0);
    assertEquals("applied_not_packaged", problem.getString("kind"));
    assertEquals("2", problem.getString("version"));
    assertTrue(problem.getString("message").contains("not among the packaged migrations"), problem.encode());

    Path merged = migrationDir("merged", "V1__one.sql", "V1_5__between.sql", "V2__two.sql");
    Outcome outOfOrder = db("check", "--location", "filesystem:" + merged);
    assertEquals(1, outOfOrder.code(), outOfOrder.toString());
    assertTrue(outOfOrder.out().contains("V1.5 (between) is packaged but was never applied"), outOfOrder.out());
  }

  @Test
  void baselineMarksAnExistingSchemaOnce() {
    Outcome baseline = db("baseline", "--version", "1", "--json");
    assertEquals(0, baseline.code(), baseline.toString());
    assertEquals("1", baseline.json().getString("baseline_version"));
    JsonObject current = db("current", "--json").json();
    assertEquals("1", current.getString("schema_version"));
    assertEquals(packaged - 1, current.getInteger("pending"));

    Outcome twice = db("baseline");
    assertEquals(1, twice.code(), twice.toString());
    assertTrue(twice.err().contains("already has a schema history (version 1)"), twice.err());
  }

  @Test
  void checkpointInfoDescribesTheCheckpointDatabase() {
    String checkpoints = backend == Backend.SQLITE ? url + ".checkpoints.db" : url;
    Outcome info = run(Map.of("CHECKPOINTS_DATABASE_URL", checkpoints), "db", "info", "--checkpoints", "--json",
        "--database-url", url);
    assertEquals(0, info.code(), info.toString());
    assertFalse(info.json().getBoolean("managed_by_flyway"));
    Outcome text = run(Map.of("CHECKPOINTS_DATABASE_URL", checkpoints), "db", "current", "--checkpoints",
        "--database-url", url);
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("Not managed by Flyway"), text.out());
  }
}
