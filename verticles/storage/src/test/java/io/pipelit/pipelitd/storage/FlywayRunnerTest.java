package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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
