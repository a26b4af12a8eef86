package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostgresDialect round trips through real TIMESTAMP, JSONB and BOOLEAN columns. */
class PostgresDialectTest {

  private static final Dialect DIALECT = PostgresDialect.INSTANCE;

  private static Connection connection;

  @BeforeAll
  static void createTable() throws SQLException {
    connection = TestPostgres.connect(TestPostgres.freshDatabase());
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE t (id INT PRIMARY KEY, ts TIMESTAMP, doc JSONB, flag BOOLEAN)");
      s.execute("CREATE TABLE child (id INT PRIMARY KEY, t_id INT REFERENCES t (id))");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    connection.close();
  }

  @BeforeEach
  void empty() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("TRUNCATE t CASCADE");
    }
  }

  private static void insert(Instant ts, String json, boolean flag) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t (id, ts, doc, flag) VALUES (1, ?, ?, ?)")) {
      DIALECT.setTimestamp(insert, 1, ts);
      DIALECT.setJson(insert, 2, json);
      DIALECT.setBoolean(insert, 3, flag);
      insert.executeUpdate();
    }
  }

  private static <T> T read(String sql, Reader<T> reader) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      assertTrue(rows.next());
      return reader.read(rows);
    }
  }

  private interface Reader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  @Test
  void name() {
    assertEquals("postgresql", DIALECT.name());
  }

  @Test
  void timestampIsStoredAsNaiveUtcTruncatedToMicroseconds() throws SQLException {
    insert(Instant.parse("2026-03-01T10:00:00.123456789Z"), null, false);
    assertEquals("2026-03-01 10:00:00.123456", read("SELECT ts::text FROM t", rows -> rows.getString(1)),
        "the same wall-clock text as Pipelit's SQLite rows");
    assertEquals(Instant.parse("2026-03-01T10:00:00.123456Z"), read("SELECT ts FROM t", rows -> DIALECT.getTimestamp(rows, "ts")));
  }

  @Test
  void timestampDoesNotDependOnTheJvmZone() throws SQLException {
    TimeZone jvmZone = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
      insert(Instant.parse("2026-12-31T23:30:00Z"), null, false);
      assertEquals("2026-12-31 23:30:00", read("SELECT ts::text FROM t", rows -> rows.getString(1)));
      assertEquals(Instant.parse("2026-12-31T23:30:00Z"), read("SELECT ts FROM t", rows -> DIALECT.getTimestamp(rows, "ts")));
    } finally {
      TimeZone.setDefault(jvmZone);
    }
  }

  @Test
  void nullTimestamp() throws SQLException {
    insert(null, null, false);
    assertNull(read("SELECT ts FROM t", rows -> DIALECT.getTimestamp(rows, "ts")));
  }

  @Test
  void jsonIsStoredAsJsonb() throws SQLException {
    insert(null, "{\"b\": [1, 2], \"a\": \"x\"}", false);
    assertEquals("object", read("SELECT jsonb_typeof(doc) FROM t", rows -> rows.getString(1)));
    assertEquals("x", read("SELECT doc->>'a' FROM t", rows -> rows.getString(1)));
    // JSONB normalises the text (key order, spacing): compare as JSON, not as strings.
    String json = read("SELECT doc FROM t", rows -> DIALECT.getJson(rows, "doc"));
    assertEquals(new io.vertx.core.json.JsonObject("{\"a\":\"x\",\"b\":[1,2]}"), new io.vertx.core.json.JsonObject(json));
  }

  @Test
  void jsonNullTextAndSqlNullBothReadAsNull() throws SQLException {
    insert(null, "null", false);
    assertEquals("null", read("SELECT jsonb_typeof(doc) FROM t", rows -> rows.getString(1)));
    assertNull(read("SELECT doc FROM t", rows -> DIALECT.getJson(rows, "doc")));
    empty();
    insert(null, null, false);
    assertTrue((boolean) read("SELECT doc IS NULL FROM t", rows -> rows.getBoolean(1)));
    assertNull(read("SELECT doc FROM t", rows -> DIALECT.getJson(rows, "doc")));
  }

  @Test
  void invalidJsonIsRefusedByTheServer() {
    SQLException e = assertThrows(SQLException.class, () -> insert(null, "{not json", false));
    assertEquals("22P02", e.getSQLState());
  }

  @Test
  void booleansAreNative() throws SQLException {
    insert(null, null, true);
    assertEquals("boolean", read("SELECT pg_typeof(flag)::text FROM t", rows -> rows.getString(1)));
    assertTrue((boolean) read("SELECT flag FROM t", rows -> DIALECT.getBoolean(rows, "flag")));
    empty();
    insert(null, null, false);
    assertFalse((boolean) read("SELECT flag FROM t", rows -> DIALECT.getBoolean(rows, "flag")));
    assertFalse((boolean) read("SELECT NULL::boolean AS flag", rows -> DIALECT.getBoolean(rows, "flag")), "NULL reads as false");
  }

  @Test
  void uniqueAndForeignKeyViolationsAreRecognised() throws SQLException {
    insert(null, null, false);
    SQLException duplicate = assertThrows(SQLException.class, () -> insert(null, null, false));
    assertTrue(DIALECT.isUniqueViolation(duplicate));
    assertFalse(DIALECT.isForeignKeyViolation(duplicate));
    SQLException orphan = assertThrows(SQLException.class, () -> {
      try (Statement s = connection.createStatement()) {
        s.execute("INSERT INTO child (id, t_id) VALUES (1, 99)");
      }
    });
    assertTrue(DIALECT.isForeignKeyViolation(orphan));
    assertFalse(DIALECT.isUniqueViolation(orphan));
  }

  @Test
  void aKeyLockIsHeldUntilTheTransactionEnds() throws SQLException {
    DatabaseUrl url = TestPostgres.freshDatabase();
    try (Connection holder = TestPostgres.connect(url); Connection other = TestPostgres.connect(url)) {
      holder.setAutoCommit(false);
      DIALECT.lockKey(holder, "memory_facts|agent|1:a");
      assertFalse(tryLock(other, "memory_facts|agent|1:a"), "held by the first transaction");
      assertTrue(tryLock(other, "memory_facts|agent|1:b"), "another key is another lock");
      holder.commit();
      assertTrue(tryLock(other, "memory_facts|agent|1:a"), "released at COMMIT");
    }
  }

  /** Whether an auto-commit statement on {@code c} could take the lock of {@code key} (and at once release it). */
  private static boolean tryLock(Connection c, String key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))")) {
      s.setString(1, key);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getBoolean(1);
      }
    }
  }
}
