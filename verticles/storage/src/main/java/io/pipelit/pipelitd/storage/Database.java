package io.pipelit.pipelitd.storage;

import io.vertx.core.Future;

/**
 * The database behind a store: reads on a read pool, writes through the write path.
 *
 * <p>Guarantees of {@link #write}: the returned future succeeds only after the transaction holding the
 * work has committed; a work that throws is rolled back alone (its SAVEPOINT) and its future fails with
 * that exception, while the other writes of the same batch commit; a full queue fails the future at
 * once with {@code StoreException(OVERLOADED)}. Futures complete on the caller's Vert.x context.
 */
public interface Database {

  /** Runs read-only work on a read connection. */
  <T> Future<T> read(SqlWork<T> work);

  /** Queues write work for the writer (see the class comment for the guarantees). */
  <T> Future<T> write(SqlWork<T> work);

  /** True when a trivial query succeeds on a read connection. Never fails. */
  Future<Boolean> ping();

  /** Writes waiting for the writer right now. */
  int writeQueueDepth();

  /** SQL differences of this database. */
  Dialect dialect();

  /** A human description for logs, without secrets: "SQLite /abs/path/db.sqlite3". */
  String describe();

  /** Stops accepting writes, lets queued writes commit, then closes every connection. */
  Future<Void> close();
}
