package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A kind of small, frequent write (an execution-log append) that the SQLite writer runs many at a time:
 * consecutive queued items of the same kind (the same instance: keep one per store) go to one
 * {@link #run} call inside the writer's transaction, so that checks shared by the items run once and
 * the rows go in as one JDBC statement batch. On PostgreSQL, and for an item queued alone, {@link #run}
 * gets a list of one.
 *
 * <p>All or nothing: {@link #run} either writes every item and returns their results, or throws and
 * writes none of them (the writer rolls back to a savepoint taken before the call). After a throw the
 * writer runs each item again on its own, so one bad item (an execution out of the caller's scope)
 * fails alone with its own error and the others still succeed. The same rules as {@link SqlWork} apply:
 * no commit, no rollback, no session state.
 *
 * @param <I> one item: everything a write needs, validated on the caller's thread
 * @param <R> the result of one item
 */
@FunctionalInterface
public interface BatchedWrite<I, R> {

  /** Writes every item, in order; returns one result per item, in the same order. */
  List<R> run(Connection connection, List<I> items) throws SQLException;

  /** Runs one item on its own: its result, or the exception {@link #run} threw for it. */
  default R runOne(Connection connection, I item) throws SQLException {
    List<R> results = run(connection, List.of(item));
    if (results.size() != 1) {
      throw new IllegalStateException("a batched write returned " + results.size() + " results for one item");
    }
    return results.get(0);
  }
}
