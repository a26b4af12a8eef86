package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New SQLite files (the main database and the checkpoint one alike: both are created through
 * SqliteConnections) get {@code auto_vacuum=INCREMENTAL} before their first table; existing files are
 * left as they are.
 */
class SqliteAutoVacuumTest {
  @TempDir
  Path dir;

  private static long pragma(Path file, String name) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA " + name)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void aFileCreatedByFlywayIsIncrementalAndInWal() throws Exception {
    Path file = dir.resolve("sub/new.sqlite3");
    FlywayRunner.forSqlite(file, List.of("classpath:db/testmigration")).migrate();
    assertEquals(2, pragma(file, "auto_vacuum"));
    assertEquals("wal", journalMode(file));
  }

  @Test
  void anEmptyFileCountsAsNew() throws Exception {
    Path file = dir.resolve("touched.sqlite3");
    Files.createFile(file);
    SqliteConnections.createPrivately(file);
    assertEquals(2, pragma(file, "auto_vacuum"));
  }

  @Test
  void anExistingDatabaseIsLeftAsItIs() throws Exception {
    Path file = dir.resolve("old.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x INTEGER)");
    }
    SqliteConnections.createPrivately(file);
    assertEquals(0, pragma(file, "auto_vacuum"));
  }

  private static String journalMode(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
      r.next();
      return r.getString(1);
    }
  }
}
