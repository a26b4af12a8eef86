package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A unit of blocking JDBC work run by a {@link Database} on one of its own threads, never on an event
 * loop. A write's work runs inside the writer's transaction, under its own SAVEPOINT: it must not
 * commit, roll back or change the connection's auto-commit mode.
 *
 * @param <T> the result handed back to the caller
 */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Connection connection) throws SQLException;
}
