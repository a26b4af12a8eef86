package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Reused prepared statements for {@link SqlWork} run by a {@link SqliteDatabase} or a
 * {@link PostgresDatabase}: on SQLite preparing a statement costs more than running a small INSERT, and
 * the writer thread is the bottleneck of the write path; on PostgreSQL a reused statement becomes a
 * server-side prepared statement after a few executions (pgjdbc's {@code prepareThreshold}, 5), which
 * saves parsing and planning.
 *
 * <pre>{@code
 * db.write(c -> {
 *   PreparedStatement insert = Statements.prepare(c, "INSERT INTO t (name) VALUES (?)");
 *   insert.setString(1, name);
 *   return insert.executeUpdate();
 * });
 * }</pre>
 */
public final class Statements {

  private Statements() {}

  /**
   * The cached statement for {@code sql} on a connection handed to a work by {@link SqliteDatabase}
   * (writer or read connection) or by {@link PostgresDatabase}. The caller must NOT close it (closing its ResultSet is fine, and any
   * ResultSet left open is closed after the work); every parameter must be set before each use, as
   * parameters are cleared after each work. Valid only inside the work that got it.
   *
   * @throws IllegalArgumentException when {@code connection} does not belong to one of these: use
   *                                  {@code connection.prepareStatement(sql)} and close it yourself
   */
  public static PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    StatementCache cache = StatementCache.of(connection);
    if (cache == null) {
      throw new IllegalArgumentException("Statements.prepare needs a connection handed to a SqlWork by "
          + "SqliteDatabase or PostgresDatabase; on other connections use connection.prepareStatement(sql) "
          + "and close it");
    }
    return cache.prepare(sql);
  }
}
