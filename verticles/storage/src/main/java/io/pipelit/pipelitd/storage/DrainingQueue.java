package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The borrow/return/close mechanics shared by the connection pools ({@link ReadPool}, {@link PostgresPool}):
 * a fixed set of items, borrowed with a timeout, given back, and on close each one closed — at once when
 * idle, when it comes back when still in use, bounded by a wait.
 *
 * @param <T> what is pooled (a connection, or a slot holding one)
 */
final class DrainingQueue<T> {
  private static final Logger LOG = LoggerFactory.getLogger(DrainingQueue.class);

  private final BlockingQueue<T> idle;
  private final Consumer<T> closer;
  private final String description;
  private boolean closed; // guarded by this
  private int open;       // guarded by this: items not closed yet

  /**
   * @param items       every item of the pool, all idle
   * @param closer      closes one item (never throws)
   * @param description for logs, without secrets
   */
  DrainingQueue(Collection<T> items, Consumer<T> closer, String description) {
    this.idle = new ArrayBlockingQueue<>(Math.max(1, items.size()), false, items);
    this.closer = closer;
    this.description = description;
    this.open = items.size();
  }

  /** The next idle item without taking it (for setting up the first one), or null. */
  T peek() {
    return idle.peek();
  }

  /**
   * Takes an item, waiting up to {@code timeoutMs} milliseconds.
   *
   * @param busyDetail the UNAVAILABLE detail when none became free in time
   */
  T borrow(long timeoutMs, String busyDetail) throws InterruptedException {
    if (isClosed()) {
      throw new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down");
    }
    T item = idle.poll(timeoutMs, TimeUnit.MILLISECONDS);
    if (item == null) {
      throw new StoreException(ErrorCode.UNAVAILABLE, busyDetail);
    }
    return item;
  }

  /** Takes an item back; after {@link #close} it is closed instead. */
  void release(T item) {
    synchronized (this) {
      if (!closed) {
        idle.add(item);
        return;
      }
      open--;
    }
    closer.accept(item);
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Refuses new borrows, then closes every item, waiting up to {@code waitMs} milliseconds for items still
   * in use (those are closed by {@link #release} when they come back).
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
        T item = left <= 0 ? idle.poll() : idle.poll(left, TimeUnit.NANOSECONDS);
        if (item == null) {
          if (left <= 0) {
            LOG.warn("Closing {} while work still runs; its connections close when that work is done", description);
            return;
          }
          continue;
        }
        synchronized (this) {
          open--;
        }
        closer.accept(item);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
