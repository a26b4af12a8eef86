package io.pipelit.pipelitd.storage;

import io.vertx.core.Future;

/**
 * The database behind a store: reads on a read pool, writes through the write path.
 *
 * <p>Guarantees of {@link #write}: the returned future succeeds only after the transaction holding the
 * work has committed; a work that throws is rolled back alone and its future fails with that exception,
 * while other writes commit. Futures complete on the caller's Vert.x context. Per backend:
 * <ul>
 *   <li>{@link SqliteDatabase}: one writer groups queued writes into one transaction, each under its own
 *       SAVEPOINT; a full queue fails the future at once with {@code StoreException(OVERLOADED)}.</li>
 *   <li>{@link PostgresDatabase}: each write is its own transaction on a pooled connection; conflicts
 *       (40001, 40P01) and a connection lost before COMMIT run the work again; an unreachable server
 *       fails the future with {@code StoreException(UNAVAILABLE)}.</li>
 * </ul>
 */
public interface Database {

  /** Runs read-only work on a read connection. */
  <T> Future<T> read(SqlWork<T> work);

  /** Queues write work for the writer (see the class comment for the guarantees). */
  <T> Future<T> write(SqlWork<T> work);

  /**
   * Writes one item of a {@link BatchedWrite} kind, with the guarantees of {@link #write}. The SQLite
   * writer hands consecutive queued items of the same kind to one {@link BatchedWrite#run} call; other
   * backends run each item alone.
   */
  default <I, R> Future<R> writeBatched(BatchedWrite<I, R> kind, I item) {
    return write(connection -> kind.runOne(connection, item));
  }

  /** True when a trivial query succeeds on a read connection. Never fails. */
  Future<Boolean> ping();

  /** True while writes are accepted: the SQLite writer thread runs and the database is not closing. */
  boolean acceptsWrites();

  /** Writes waiting right now: for the SQLite writer, or for a PostgreSQL connection. */
  int writeQueueDepth();

  /** SQL differences of this database. */
  Dialect dialect();

  /**
   * A human description for logs, without secrets: "SQLite /abs/path/db.sqlite3" or
   * "PostgreSQL user@host:5432/db".
   */
  String describe();

  /** Stops accepting writes, lets accepted writes commit, then closes every connection. */
  Future<Void> close();
}
