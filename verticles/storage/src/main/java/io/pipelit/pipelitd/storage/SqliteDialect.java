package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite as Pipelit uses it: timestamps are TEXT in naive UTC ({@link Timestamps}), JSON is TEXT,
 * booleans are 0/1. Stateless; use {@link #INSTANCE}.
 */
public final class SqliteDialect implements Dialect {

  public static final SqliteDialect INSTANCE = new SqliteDialect();

  private SqliteDialect() {}

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public void setTimestamp(PreparedStatement statement, int index, Instant value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, Timestamps.format(value));
    }
  }

  @Override
  public Instant getTimestamp(ResultSet rows, String column) throws SQLException {
    String text = rows.getString(column);
    if (text == null) {
      return null;
    }
    try {
      return Timestamps.parse(text);
    } catch (IllegalArgumentException e) {
      throw new SQLException("column " + column + " does not hold a timestamp", e);
    }
  }

  @Override
  public void setJson(PreparedStatement statement, int index, String json) throws SQLException {
    if (json == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, json);
    }
  }

  /** SQLAlchemy's JSON type stores Python's None as the text {@code null}: both read as null here. */
  @Override
  public String getJson(ResultSet rows, String column) throws SQLException {
    String json = rows.getString(column);
    return json == null || json.strip().equals("null") ? null : json;
  }

  @Override
  public void setBoolean(PreparedStatement statement, int index, boolean value) throws SQLException {
    statement.setInt(index, value ? 1 : 0);
  }

  /** 0 and NULL are false, any other integer is true. */
  @Override
  public boolean getBoolean(ResultSet rows, String column) throws SQLException {
    return rows.getInt(column) != 0;
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    SQLiteErrorCode code = resultCode(e);
    return code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
        || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
  }

  @Override
  public boolean isForeignKeyViolation(SQLException e) {
    return resultCode(e) == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY;
  }

  @Override
  public String lockRows(String alias) {
    return ""; // the single writer serialises every write
  }

  /**
   * Reads the largest id first, then runs the batch: with no explicit id SQLite gives each new row the
   * largest rowid plus one, so n rows get largest+1 .. largest+n unless the largest is already the
   * maximum (then rowids are random): the last rowid tells which happened.
   */
  @Override
  public long[] executeBatchForIds(Connection connection, PreparedStatement insert, String table, int rows)
      throws SQLException {
    long largest;
    try (ResultSet result = Statements.prepare(connection, "SELECT coalesce(max(id), 0) FROM " + table)
        .executeQuery()) {
      result.next();
      largest = result.getLong(1);
    }
    insert.executeBatch();
    long last;
    try (ResultSet result = Statements.prepare(connection, "SELECT last_insert_rowid()").executeQuery()) {
      result.next();
      last = result.getLong(1);
    }
    if (largest > Long.MAX_VALUE - rows || last != largest + rows) {
      throw new SQLException("the " + rows + " rows batched into " + table + " did not get consecutive ids after "
          + largest + " (last " + last + ")");
    }
    long[] ids = new long[rows];
    for (int i = 0; i < rows; i++) {
      ids[i] = largest + 1 + i;
    }
    return ids;
  }

  /** The extended result code of the first SQLiteException in the cause chain, or null. */
  private static SQLiteErrorCode resultCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLiteException sqlite) {
        return sqlite.getResultCode();
      }
    }
    return null;
  }

  /** Nothing to do: the single writer runs one write at a time. */
  @Override
  public void lockKey(Connection connection, String key) {
    // no-op on SQLite
  }
}
