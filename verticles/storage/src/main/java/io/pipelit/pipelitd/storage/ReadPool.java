package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only connections of a {@link SqliteDatabase}. There are as many connections as read threads,
 * so {@link #borrow()} waits only while the pool is closing or when something is badly wrong.
 */
final class ReadPool {
  private static final Logger LOG = LoggerFactory.getLogger(ReadPool.class);

  /** How long a read waits for a connection before failing with UNAVAILABLE, in milliseconds. */
  private static final long BORROW_TIMEOUT_MS = 10_000;

  private final BlockingQueue<Connection> idle;
  private final int size;
  private boolean closed; // guarded by this
  private int open;       // guarded by this: connections not closed yet

  ReadPool(List<Connection> connections) {
    this.size = connections.size();
    this.idle = new ArrayBlockingQueue<>(size, false, connections);
    this.open = size;
    connections.forEach(StatementCache::register);
  }

  Connection borrow() throws InterruptedException {
    if (isClosed()) {
      throw new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down");
    }
    Connection connection = idle.poll(BORROW_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (connection == null) {
      throw new StoreException(ErrorCode.UNAVAILABLE, "no read connection became free; retry shortly");
    }
    return connection;
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
    synchronized (this) {
      if (!closed) {
        idle.add(connection);
        return;
      }
      open--;
    }
    closeConnection(connection);
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Refuses new reads, then closes every connection, waiting up to {@code waitMs} milliseconds for reads
   * still running (those connections are closed by {@link #release} when they come back).
   */
  void close(long waitMs) {
    synchronized (this) {
      closed = true;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    try {
      while (true) {
        synchronized (this) {
          if (open == 0) {
            return;
          }
        }
        long left = deadline - System.nanoTime();
        Connection connection = left <= 0 ? idle.poll() : idle.poll(left, TimeUnit.NANOSECONDS);
        if (connection == null) {
          if (left <= 0) {
            LOG.warn("Closing the SQLite read pool while reads are still running; they will close their connections");
            return;
          }
          continue;
        }
        synchronized (this) {
          open--;
        }
        closeConnection(connection);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
