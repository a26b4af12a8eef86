package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pgjdbc connections of a {@link PostgresDatabase}: a fixed number of {@link Slot}s, each holding at
 * most one connection, opened lazily and replaced when it breaks. A slot is used by one thread at a
 * time (the hand-off through the queue orders its fields), so slots and their statement caches need
 * no locking.
 *
 * <p>While the server is unreachable the pool fails fast: after a failed connection attempt, requests
 * that need a new connection fail at once with UNAVAILABLE for {@link #RECONNECT_PAUSE_MS}; after
 * that, one request at a time tries again (the others keep failing at once), so an outage never piles
 * up threads waiting for connect timeouts. The first successful attempt closes the circuit.
 */
final class PostgresPool {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresPool.class);

  /** How long requests fail without a connection attempt after one failed, in milliseconds. */
  static final long RECONNECT_PAUSE_MS = 1_000;

  /** Opens one configured connection (see {@link PostgresConnections#open}). */
  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  /** A place for one connection; {@code connection} is null until opened and after a discard. */
  static final class Slot {
    private Connection connection;
  }

  private final DrainingQueue<Slot> slots;
  private final Opener opener;
  private final String description;
  private final String password;
  private final AtomicBoolean probing = new AtomicBoolean();

  /** Why the last connection attempt failed, or null while the server is reachable. */
  private volatile String downReason;
  /** System.nanoTime() before which no new connection attempt is made while down. */
  private volatile long retryAtNanos;


  /**
   * @param first       an open connection for the first slot (opened by the caller to fail fast), or null
   * @param description for logs, without secrets
   * @param password    only to redact it from messages; may be null
   */
  PostgresPool(int size, Opener opener, Connection first, String description, String password) {
    this.opener = opener;
    this.description = description;
    this.password = password;
    List<Slot> all = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      all.add(new Slot());
    }
    this.slots = new DrainingQueue<>(all, this::discard, "the connections of " + description);
    if (first != null) {
      StatementCache.register(first);
      slots.peek().connection = first;
    }
  }

  /**
   * Takes a slot, waiting up to {@code timeoutMs} milliseconds.
   *
   * @throws StoreException UNAVAILABLE when the pool is closed or no slot became free in time
   */
  Slot borrow(long timeoutMs) throws InterruptedException {
    return slots.borrow(timeoutMs, "No database connection became free; retry shortly.");
  }

  /**
   * The slot's connection, opening a new one when it has none or its connection is closed.
   *
   * @throws StoreException UNAVAILABLE when the server cannot be reached (or was not reachable less
   *                        than {@link #RECONNECT_PAUSE_MS} ago)
   */
  Connection connection(Slot slot) {
    Connection connection = slot.connection;
    if (connection != null) {
      if (!isClosed(connection)) {
        return connection;
      }
      discard(slot);
    }
    slot.connection = openOrFail();
    return slot.connection;
  }

  /** Closes the slot's connection (after a connection loss or when its state is unknown). */
  void discard(Slot slot) {
    Connection connection = slot.connection;
    slot.connection = null;
    close(connection);
  }

  /** Takes a slot back; after {@link #close} its connection is closed instead. */
  void release(Slot slot) {
    slots.release(slot);
  }

  boolean isClosed() {
    return slots.isClosed();
  }

  /**
   * Refuses new borrows, then closes every connection, waiting up to {@code waitMs} milliseconds for
   * slots still in use (those are closed by {@link #release} when they come back).
   */
  void close(long waitMs) {
    slots.close(waitMs);
  }

  private Connection openOrFail() {
    boolean probe = false;
    String reason = downReason;
    if (reason != null) {
      // Down: only one request at a time, and not before the pause is over, tries to connect.
      if (System.nanoTime() - retryAtNanos < 0 || !probing.compareAndSet(false, true)) {
        throw unavailable(reason);
      }
      probe = true;
    }
    try {
      Connection connection = opener.open();
      StatementCache.register(connection);
      if (downReason != null) {
        downReason = null;
        LOG.info("{} is reachable again", description);
      }
      return connection;
    } catch (SQLException e) {
      String why = PostgresConnections.redact(PostgresConnections.shortReason(e), password);
      retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONNECT_PAUSE_MS);
      if (downReason == null) {
        LOG.warn("Cannot connect to {} ({}); requests fail with UNAVAILABLE until it is back", description, why);
      }
      downReason = why;
      throw unavailable(why);
    } finally {
      if (probe) {
        probing.set(false);
      }
    }
  }

  static StoreException unavailable(String reason) {
    return new StoreException(ErrorCode.UNAVAILABLE, "The database is unavailable: " + reason + "; retry shortly.");
  }

  private static boolean isClosed(Connection connection) {
    try {
      return connection.isClosed(); // pgjdbc answers from its own state, without a round trip
    } catch (SQLException e) {
      return true;
    }
  }

  private static void close(Connection connection) {
    if (connection == null) {
      return;
    }
    StatementCache cache = StatementCache.of(connection);
    if (cache != null) {
      cache.close();
    }
    PostgresConnections.closeQuietly(connection);
  }
}
