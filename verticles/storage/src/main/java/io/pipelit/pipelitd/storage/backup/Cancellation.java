package io.pipelit.pipelitd.storage.backup;

import java.util.concurrent.CancellationException;

/**
 * Lets a running backup be aborted from another thread (the daemon stopping): long steps check
 * {@link #check()} between chunks, and the step running right now (a {@code VACUUM INTO}, a
 * {@code pg_dump} process) registers how to interrupt itself.
 */
public final class Cancellation {
  /** Never cancelled: for commands that run to the end. */
  public static Cancellation none() {
    return new Cancellation();
  }

  private volatile boolean cancelled;
  private Runnable interrupter; // guarded by this

  /** Aborts the backup: the current step is interrupted, the next check throws. */
  public void cancel() {
    Runnable current;
    synchronized (this) {
      cancelled = true;
      current = interrupter;
    }
    if (current != null) {
      current.run();
    }
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /** Throws {@link CancellationException} once cancelled. */
  public void check() {
    if (cancelled) {
      throw new CancellationException("the backup was aborted (pipelitd is stopping)");
    }
  }

  /** Registers how to interrupt the step about to run (null: nothing to interrupt). */
  public void onCancel(Runnable interrupt) {
    boolean already;
    synchronized (this) {
      interrupter = interrupt;
      already = cancelled;
    }
    if (already && interrupt != null) {
      interrupt.run();
    }
  }
}
