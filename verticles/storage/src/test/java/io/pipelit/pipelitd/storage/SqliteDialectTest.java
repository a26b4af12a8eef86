package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqliteDialectTest {

  private final Dialect dialect = SqliteDialect.INSTANCE;

  @TempDir
  Path dir;

  private Connection connection;

  @BeforeEach
  void open() throws SQLException {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.enforceForeignKeys(true);
    connection = config.createConnection("jdbc:sqlite:" + dir.resolve("dialect.db"));
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME, doc JSON, flag BOOLEAN, name TEXT UNIQUE)");
      s.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id))");
    }
  }

  @AfterEach
  void close() throws SQLException {
    connection.close();
  }

  @Test
  void nameIsTheFlywayLocationSuffix() {
    assertEquals("sqlite", dialect.name());
  }

  @Test
  void formatIsPipelitsText() {
    assertEquals("2026-03-01 10:00:00.123456", Timestamps.format(Instant.parse("2026-03-01T10:00:00.123456789Z")));
    assertEquals("2026-03-01 10:00:00.000000", Timestamps.format(Instant.parse("2026-03-01T10:00:00Z")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2026-03-01 10:00:00.123456    | 2026-03-01T10:00:00.123456Z",
      "2026-03-01 10:00:00           | 2026-03-01T10:00:00Z",
      "2026-03-01T10:00:00           | 2026-03-01T10:00:00Z",
      "2026-03-01T10:00:00.5         | 2026-03-01T10:00:00.500Z",
      "2026-03-01T10:00:00.123456789 | 2026-03-01T10:00:00.123456789Z",
      "2026-03-01T10:00:00Z          | 2026-03-01T10:00:00Z",
      "2026-03-01T10:00:00+00:00     | 2026-03-01T10:00:00Z",
      "2026-03-01 10:00:00.25+02:00  | 2026-03-01T08:00:00.250Z",
      "2026-03-01T10:00:00-0130      | 2026-03-01T11:30:00Z",
      "2026-03-01T10:00:00+01        | 2026-03-01T09:00:00Z",
      "2026-03-01 10:00              | 2026-03-01T10:00:00Z",
      "2026-03-01                    | 2026-03-01T00:00:00Z",
  })
  void parsesPipelitForms(String text, String expected) {
    assertEquals(Instant.parse(expected), Timestamps.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"yesterday", "2026-13-01 10:00:00", "2026-02-30 10:00:00", "1700000000", "2026-03-01 25:00:00"})
  void rejectsNonTimestamps(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Timestamps.parse(text));
    assertTrue(e.getMessage().contains(text));
  }

  @Test
  void timestampRoundTripThroughTheDatabase() throws SQLException {
    Instant value = Instant.parse("2026-11-26T17:45:12.654321Z");
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t (id, at) VALUES (?, ?)")) {
      insert.setInt(1, 1);
      dialect.setTimestamp(insert, 2, value);
      insert.executeUpdate();
      insert.setInt(1, 2);
      dialect.setTimestamp(insert, 2, null);
      insert.executeUpdate();
    }
    assertEquals("2026-11-26 17:45:12.654321", text("SELECT at FROM t WHERE id = 1"));
    assertEquals(value, timestamp(1));
    assertNull(timestamp(2));
  }

  @Test
  void readsCurrentTimestampAsUtc() throws SQLException {
    Instant before = Instant.now().minusSeconds(2);
    try (Statement s = connection.createStatement()) {
      s.execute("INSERT INTO t (id, at) VALUES (3, CURRENT_TIMESTAMP)");
    }
    Instant read = timestamp(3);
    assertTrue(!read.isBefore(before) && !read.isAfter(Instant.now().plusSeconds(2)), read.toString());
  }

  @Test
  void unreadableTimestampIsASqlExceptionNamingTheColumn() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("INSERT INTO t (id, at) VALUES (4, 'garbage')");
    }
    SQLException e = assertThrows(SQLException.class, () -> timestamp(4));
    assertTrue(e.getMessage().contains("at"));
  }

  @Test
  void jsonTextAndNulls() throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t (id, doc) VALUES (?, ?)")) {
      insert.setInt(1, 1);
      dialect.setJson(insert, 2, "{\"a\": [1, 2]}");
      insert.executeUpdate();
      insert.setInt(1, 2);
      dialect.setJson(insert, 2, null);
      insert.executeUpdate();
      insert.setInt(1, 3);
      insert.setString(2, "null"); // what SQLAlchemy's JSON type writes for None
      insert.executeUpdate();
    }
    assertEquals("{\"a\": [1, 2]}", json(1));
    assertNull(json(2));
    assertNull(json(3));
    assertNull(text("SELECT doc FROM t WHERE id = 2"));
  }

  @Test
  void booleansAreZeroAndOne() throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t (id, flag) VALUES (?, ?)")) {
      insert.setInt(1, 1);
      dialect.setBoolean(insert, 2, true);
      insert.executeUpdate();
      insert.setInt(1, 2);
      dialect.setBoolean(insert, 2, false);
      insert.executeUpdate();
    }
    assertEquals("1", text("SELECT flag FROM t WHERE id = 1"));
    assertEquals("0", text("SELECT flag FROM t WHERE id = 2"));
    try (ResultSet rows = connection.createStatement().executeQuery("SELECT flag FROM t ORDER BY id")) {
      rows.next();
      assertTrue(dialect.getBoolean(rows, "flag"));
      rows.next();
      assertFalse(dialect.getBoolean(rows, "flag"));
    }
  }

  @Test
  void classifiesConstraintViolations() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("INSERT INTO t (id, name) VALUES (1, 'x')");
    }
    SQLException unique = assertThrows(SQLException.class, () -> execute("INSERT INTO t (id, name) VALUES (2, 'x')"));
    assertTrue(dialect.isUniqueViolation(unique));
    assertFalse(dialect.isForeignKeyViolation(unique));

    SQLException primaryKey = assertThrows(SQLException.class, () -> execute("INSERT INTO t (id) VALUES (1)"));
    assertTrue(dialect.isUniqueViolation(primaryKey));

    SQLException foreignKey = assertThrows(SQLException.class, () -> execute("INSERT INTO c (id, t_id) VALUES (1, 99)"));
    assertTrue(dialect.isForeignKeyViolation(foreignKey));
    assertFalse(dialect.isUniqueViolation(foreignKey));

    SQLException wrapped = new SQLException("wrapper", unique);
    assertTrue(dialect.isUniqueViolation(wrapped));

    SQLException syntax = assertThrows(SQLException.class, () -> execute("INSERT INTO nowhere VALUES (1)"));
    assertFalse(dialect.isUniqueViolation(syntax));
    assertFalse(dialect.isForeignKeyViolation(syntax));
  }

  private void execute(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  private String text(String sql) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private Instant timestamp(int id) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT at FROM t WHERE id = ?")) {
      s.setInt(1, id);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return dialect.getTimestamp(rows, "at");
      }
    }
  }

  private String json(int id) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT doc FROM t WHERE id = ?")) {
      s.setInt(1, id);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return dialect.getJson(rows, "doc");
      }
    }
  }
}
