package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * PostgreSQL with native types: timestamps are {@code TIMESTAMP} (without time zone) holding UTC, the
 * same naive-UTC convention as Pipelit's SQLite text; JSON columns are {@code JSONB}; booleans are
 * {@code BOOLEAN}. Stateless; use {@link #INSTANCE}.
 */
public final class PostgresDialect implements Dialect {

  public static final PostgresDialect INSTANCE = new PostgresDialect();

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String FOREIGN_KEY_VIOLATION = "23503";

  private PostgresDialect() {}

  @Override
  public String name() {
    return "postgresql";
  }

  /**
   * Binds the instant as a UTC {@code LocalDateTime}, truncated to microseconds (PostgreSQL's
   * precision) as SQLite's text is: pgjdbc would round instead, so the two backends would disagree on
   * the last digit.
   */
  @Override
  public void setTimestamp(PreparedStatement statement, int index, Instant value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.TIMESTAMP);
    } else {
      statement.setObject(index, LocalDateTime.ofInstant(value.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
    }
  }

  /** The UTC instant in a {@code TIMESTAMP} column, or null; independent of JVM and session time zones. */
  @Override
  public Instant getTimestamp(ResultSet rows, String column) throws SQLException {
    LocalDateTime value = rows.getObject(column, LocalDateTime.class);
    return value == null ? null : value.toInstant(ZoneOffset.UTC);
  }

  /** Binds JSON text with an unspecified type, so that the server parses it into the JSONB column. */
  @Override
  public void setJson(PreparedStatement statement, int index, String json) throws SQLException {
    if (json == null) {
      statement.setNull(index, Types.OTHER);
    } else {
      statement.setObject(index, json, Types.OTHER);
    }
  }

  /** The JSON text (as PostgreSQL normalises it); SQL NULL and the JSON {@code null} both read as null. */
  @Override
  public String getJson(ResultSet rows, String column) throws SQLException {
    String json = rows.getString(column);
    return json == null || json.strip().equals("null") ? null : json;
  }

  @Override
  public void setBoolean(PreparedStatement statement, int index, boolean value) throws SQLException {
    statement.setBoolean(index, value);
  }

  /** NULL reads as false, as on SQLite. */
  @Override
  public boolean getBoolean(ResultSet rows, String column) throws SQLException {
    return rows.getBoolean(column);
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return PostgresConnections.sqlState(e, UNIQUE_VIOLATION) != null;
  }

  @Override
  public boolean isForeignKeyViolation(SQLException e) {
    return PostgresConnections.sqlState(e, FOREIGN_KEY_VIOLATION) != null;
  }

  @Override
  public String lockRows(String alias) {
    return " FOR UPDATE OF " + alias;
  }

  /** Not here: concurrent sessions interleave their sequence values, so a batch's ids are unknown. */
  @Override
  public long[] executeBatchForIds(Connection connection, PreparedStatement insert, String table, int rows)
      throws SQLException {
    throw new SQLFeatureNotSupportedException("ids of a batched INSERT on PostgreSQL: insert one row with"
        + " RETURNING id");
  }

  /** {@code pg_advisory_xact_lock} on a 64-bit hash of the key; released at COMMIT or ROLLBACK. */
  @Override
  public void lockKey(Connection connection, String key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      statement.setString(1, key);
      statement.executeQuery().close();
    }
  }
}
