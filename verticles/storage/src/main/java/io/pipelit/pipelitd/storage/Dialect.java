package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What differs between SQLite and PostgreSQL, in one place, so repositories never test for the backend.
 * Timestamps are UTC instants; JSON columns hold JSON text (SQL NULL and the text {@code null} both
 * read as null); booleans are real booleans in Java. Implementations: {@link SqliteDialect},
 * {@link PostgresDialect}.
 */
public interface Dialect {

  /** "sqlite" or "postgresql": also the Flyway location suffix {@code db/migration/<name>}. */
  String name();

  void setTimestamp(PreparedStatement statement, int index, Instant value) throws SQLException;

  /** The instant in a column, or null. Accepts Pipelit's text forms on SQLite. */
  Instant getTimestamp(ResultSet rows, String column) throws SQLException;

  /** Binds JSON text (or SQL NULL when {@code json} is null). */
  void setJson(PreparedStatement statement, int index, String json) throws SQLException;

  /** JSON text of a column, or null for SQL NULL. */
  String getJson(ResultSet rows, String column) throws SQLException;

  void setBoolean(PreparedStatement statement, int index, boolean value) throws SQLException;

  boolean getBoolean(ResultSet rows, String column) throws SQLException;

  /** True when an exception is a unique or primary-key violation. */
  boolean isUniqueViolation(SQLException e);

  /** True when an exception is a foreign-key violation. */
  boolean isForeignKeyViolation(SQLException e);

  /**
   * A clause to append to a SELECT inside a write, locking the selected rows of {@code alias} until the
   * transaction ends, so that a read-decide-update (a status transition, a merge of a partial update)
   * cannot interleave with another write. {@code " FOR UPDATE OF alias"} on PostgreSQL; empty on
   * SQLite, whose single writer already runs writes one at a time.
   */
  String lockRows(String alias);

  /**
   * Holds a lock named by {@code key} until the current write's transaction ends, so that two writes
   * that find-then-insert by a natural key without a unique constraint (memory facts) cannot both
   * insert. A transaction-scoped advisory lock on PostgreSQL; nothing on SQLite, whose single writer
   * already runs writes one at a time.
   */
  void lockKey(Connection connection, String key) throws SQLException;

  /**
   * Executes the rows added with {@code addBatch} to {@code insert}, an INSERT into {@code table} (a
   * trusted name) whose key column is {@code id}, as one JDBC batch of {@code rows} rows, and returns
   * their ids in batch order. For a {@link BatchedWrite} that needs the ids of the rows it inserted.
   * SQLite: the single writer hands out consecutive rowids after the largest one; this is checked, and
   * anything else throws (the BatchedWrite then runs its items one at a time). PostgreSQL: throws
   * {@link java.sql.SQLFeatureNotSupportedException} (other sessions draw from the same sequence); its
   * database never groups items, so insert one row with {@code RETURNING id} there.
   */
  long[] executeBatchForIds(Connection connection, PreparedStatement insert, String table, int rows)
      throws SQLException;
}
