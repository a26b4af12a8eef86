package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlywayRunnerTest {

  private static final List<String> LOCATIONS = List.of("classpath:db/testmigration");

  @TempDir
  Path dir;

  @Test
  void migratesOnceThenHasNothingToDo() {
    Path file = dir.resolve("platform/db.sqlite3");
    FlywayRunner runner = FlywayRunner.forSqlite(file, LOCATIONS);
    assertEquals(2, runner.pendingCount());
    assertNull(runner.currentVersion());

    FlywayRunner.MigrateResult first = runner.migrate();
    assertEquals(2, first.applied());
    assertEquals("2", first.targetVersion());
    assertEquals(0, runner.pendingCount());
    assertEquals("2", runner.currentVersion());
    runner.validate();
    assertTrue(Files.exists(file));

    FlywayRunner.MigrateResult second = FlywayRunner.forSqlite(file, LOCATIONS).migrate();
    assertEquals(0, second.applied());
    assertEquals("2", second.targetVersion());
  }

  @Test
  void twoProcessesMigratingOneFreshFileTakeTurns() throws Exception {
    // The daemon and `pipelitd setup` may start on a fresh file at the same moment.
    Path file = dir.resolve("fresh/db.sqlite3");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      processes.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
          MigrateInAnotherProcess.class.getName(), file.toString()).redirectErrorStream(true).start());
    }
    int applied = 0;
    for (Process process : processes) {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
      assertEquals(0, process.exitValue(), output);
      Matcher matcher = Pattern.compile("applied=(\\d+)").matcher(output);
      assertTrue(matcher.find(), output);
      applied += Integer.parseInt(matcher.group(1));
    }
    assertEquals(2, applied, "each migration applied exactly once");
    assertEquals("2", FlywayRunner.forSqlite(file, LOCATIONS).currentVersion());
  }

  @Test
  void threadsOfOneProcessMigratingOneFileTakeTurns() throws Exception {
    Path file = dir.resolve("threads/db.sqlite3");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<FlywayRunner.MigrateResult>> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(pool.submit(() -> FlywayRunner.forSqlite(file, LOCATIONS).migrate()));
    }
    int applied = 0;
    for (Future<FlywayRunner.MigrateResult> result : results) {
      applied += result.get(60, TimeUnit.SECONDS).applied();
    }
    pool.shutdown();
    assertEquals(2, applied);
  }

  @Test
  void migratedSchemaIsUsableAndForeignKeysWereOn() throws SQLException {
    Path file = dir.resolve("db.sqlite3");
    FlywayRunner.forSqlite(file, LOCATIONS).migrate();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("SELECT name FROM parent WHERE id = 1")) {
        rows.next();
        assertEquals("first", rows.getString(1));
      }
      try (ResultSet rows = s.executeQuery("PRAGMA journal_mode")) {
        rows.next();
        assertEquals("wal", rows.getString(1));
      }
    }
  }

  @Test
  void validateFailsWhileMigrationsArePending() {
    FlywayRunner runner = FlywayRunner.forSqlite(dir.resolve("db.sqlite3"), LOCATIONS);
    IllegalStateException e = assertThrows(IllegalStateException.class, runner::validate);
    assertTrue(e.getMessage().startsWith("Cannot validate the schema of SQLite "), e.getMessage());
  }

  @Test
  void aChangedMigrationFailsValidation() throws Exception {
    Path file = dir.resolve("db.sqlite3");
    FlywayRunner.forSqlite(file, LOCATIONS).migrate();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement s = c.createStatement()) {
      s.execute("UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '1'");
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> FlywayRunner.forSqlite(file, LOCATIONS).validate());
    assertTrue(e.getMessage().toLowerCase().contains("checksum"), e.getMessage());
  }

  @Test
  void needsAtLeastOneLocation() {
    assertThrows(IllegalArgumentException.class, () -> FlywayRunner.forSqlite(dir.resolve("x.db"), List.of()));
  }
}
