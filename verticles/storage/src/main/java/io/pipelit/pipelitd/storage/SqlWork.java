package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A unit of blocking JDBC work run by a {@link Database} on one of its own threads, never on an event
 * loop. A write's work runs inside a transaction the database owns (on SQLite the writer's, under its own
 * SAVEPOINT; on PostgreSQL its own): it must not commit, roll back, change the connection's auto-commit
 * mode or other session state. On PostgreSQL a work may run more than once (after a serialization
 * failure, a deadlock or a connection lost before COMMIT), so it must have no effect outside its
 * connection.
 *
 * @param <T> the result handed back to the caller
 */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Connection connection) throws SQLException;
}
