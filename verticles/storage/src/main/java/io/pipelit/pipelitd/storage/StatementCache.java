package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sqlite.SQLiteConnection;

/**
 * Prepared statements of one connection owned by a {@link SqliteDatabase} or a {@link PostgresDatabase},
 * reused across works.
 *
 * <p>Not thread-safe, and it needs no locking: a connection (and so its cache) is used by one thread
 * at a time, the writer thread or the worker that borrowed it. After each work,
 * {@link #afterWork} closes the result sets left open and clears the parameters: on SQLite a
 * statement left un-reset keeps its read transaction open, which pins the WAL snapshot (later reads on
 * that connection would see stale data) and blocks checkpoints. After a failed work, the statements
 * it used are closed instead: in sqlite-jdbc 3.54.1.0 a prepared statement whose step failed with
 * SQLITE_ERROR (e.g. "malformed JSON") answers every later execute with "statement is not executing".
 */
final class StatementCache {

  /** Distinct statements kept per connection; the least recently used beyond this are closed. */
  static final int MAX_STATEMENTS = 256;

  /** Connection (identity: neither sqlite-jdbc nor pgjdbc overrides equals) to its cache. */
  private static final Map<Connection, StatementCache> REGISTRY = new ConcurrentHashMap<>();

  private final Connection connection;
  /** sqlite-jdbc's connection: see {@link #forgetParameters}. */
  private final boolean sqlite;
  private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true);
  private final List<PreparedStatement> used = new ArrayList<>();

  private StatementCache(Connection connection) {
    this.connection = connection;
    this.sqlite = connection instanceof SQLiteConnection;
  }

  static StatementCache register(Connection connection) {
    StatementCache cache = new StatementCache(connection);
    REGISTRY.put(connection, cache);
    return cache;
  }

  static StatementCache of(Connection connection) {
    return REGISTRY.get(connection);
  }

  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null || statement.isClosed()) {
      // A caller may have closed a cached statement by mistake: prepare it again rather than fail.
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    used.add(statement);
    return statement;
  }

  /**
   * Resets every statement handed out since the last call (or, when the work {@code failed}, closes
   * them so that they are prepared afresh next time), then trims the cache.
   */
  void afterWork(boolean failed) {
    if (used.isEmpty()) {
      return;
    }
    for (PreparedStatement statement : used) {
      if (failed) {
        statements.values().remove(statement);
        closeQuietly(statement);
        continue;
      }
      try {
        if (!statement.isClosed()) {
          // sqlite-jdbc: getMoreResults() closes the open result set and resets the statement while
          // keeping it prepared (getResultSet() would throw "ResultSet already requested").
          statement.getMoreResults();
          forgetParameters(statement);
        }
      } catch (SQLException e) {
        statements.values().remove(statement);
        closeQuietly(statement);
      }
    }
    used.clear();
    Iterator<PreparedStatement> eldest = statements.values().iterator();
    while (statements.size() > MAX_STATEMENTS && eldest.hasNext()) {
      closeQuietly(eldest.next());
      eldest.remove();
    }
  }

  /**
   * Unsets the parameters, so that a parameter the next work forgets to bind is NULL rather than this
   * work's value. On SQLite each one is set to null in sqlite-jdbc's own array (bound at the next execute)
   * instead of calling clearParameters(): that calls sqlite3_clear_bindings, which expires a statement
   * whose plan may depend on a bound value, and the next execute compiles the statement again. Measured
   * with sqlite-jdbc 3.54.1.0 (issue 11, B1): the scope check ({@code w.owner_id = ? OR ? = 1}) that every
   * execution-log batch runs on the writer thread took 16-25 us instead of 3-5 us; a lookup by a unique
   * key alone was not affected. The values stay bound inside SQLite until the next execute.
   */
  private void forgetParameters(PreparedStatement statement) throws SQLException {
    if (!sqlite) {
      statement.clearParameters();
      return;
    }
    int parameters = statement.getParameterMetaData().getParameterCount();
    for (int i = 1; i <= parameters; i++) {
      statement.setNull(i, Types.NULL);
    }
  }

  /** Closes every statement and forgets the connection; call before closing the connection. */
  void close() {
    REGISTRY.remove(connection, this);
    statements.values().forEach(StatementCache::closeQuietly);
    statements.clear();
    used.clear();
  }

  int size() {
    return statements.size();
  }

  private static void closeQuietly(PreparedStatement statement) {
    try {
      statement.close();
    } catch (SQLException ignored) {
      // Closing a statement only frees native memory; nothing to recover.
    }
  }
}
