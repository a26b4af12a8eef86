package io.pipelit.pipelitd.storage;

import java.sql.Connection;
import java.util.List;

/**
 * The read-only connections of a {@link SqliteDatabase}. There are as many connections as read threads,
 * so {@link #borrow()} waits only while the pool is closing or when something is badly wrong.
 */
final class ReadPool {
  /** How long a read waits for a connection before failing with UNAVAILABLE, in milliseconds. */
  private static final long BORROW_TIMEOUT_MS = 10_000;

  private final DrainingQueue<Connection> connections;
  private final int size;

  ReadPool(List<Connection> connections) {
    this.size = connections.size();
    connections.forEach(StatementCache::register);
    this.connections = new DrainingQueue<>(connections, ReadPool::closeConnection, "the SQLite read pool");
  }

  Connection borrow() throws InterruptedException {
    return connections.borrow(BORROW_TIMEOUT_MS, "no read connection became free; retry shortly");
  }

  /**
   * Takes a connection back after a work ({@code failed} when it threw); after {@link #close} the
   * connection is closed instead.
   */
  void release(Connection connection, boolean failed) {
    StatementCache cache = StatementCache.of(connection);
    if (cache != null) {
      cache.afterWork(failed);
    }
    connections.release(connection);
  }

  boolean isClosed() {
    return connections.isClosed();
  }

  /**
   * Refuses new reads, then closes every connection, waiting up to {@code waitMs} milliseconds for reads
   * still running (those connections are closed by {@link #release} when they come back).
   */
  void close(long waitMs) {
    connections.close(waitMs);
  }

  int size() {
    return size;
  }

  private static void closeConnection(Connection connection) {
    StatementCache cache = StatementCache.of(connection);
    if (cache != null) {
      cache.close();
    }
    SqliteConnections.closeQuietly(connection);
  }
}
