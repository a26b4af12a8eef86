package io.pipelit.pipelitd.persistence.impl;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * In-process limits on TOTP attempts per user (Pipelit keeps them in Redis; pipelitd has no Redis):
 * at most {@link #MAX_ATTEMPTS_PER_WINDOW} attempts per {@link #WINDOW_MS} (a fixed window, like
 * Pipelit's {@code INCR} + {@code EXPIRE}), and after {@link #LOCKOUT_FAILURES} consecutive failures a
 * lockout of {@link #LOCKOUT_MS}. A refused attempt is answered like a wrong code and does not say why.
 * State lives in this process only: a restart clears it, and cluster nodes count separately.
 */
public final class MfaLimiter {
  public static final int MAX_ATTEMPTS_PER_WINDOW = 5;
  public static final long WINDOW_MS = 60_000;
  public static final int LOCKOUT_FAILURES = 10;
  public static final long LOCKOUT_MS = 15 * 60_000;

  private static final class State {
    long windowStart;
    int attempts;
    int consecutiveFailures;
    long lockedUntil;
  }

  private final LongSupplier clockMs;
  private final Map<Long, State> states = new HashMap<>();

  public MfaLimiter() {
    this(System::currentTimeMillis);
  }

  public MfaLimiter(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  /** Records an attempt; false when the user is locked out or over the rate (the attempt must fail). */
  public synchronized boolean tryAcquire(long userId) {
    long now = clockMs.getAsLong();
    State state = states.computeIfAbsent(userId, id -> new State());
    if (now < state.lockedUntil) {
      return false;
    }
    if (now - state.windowStart >= WINDOW_MS) {
      state.windowStart = now;
      state.attempts = 0;
    }
    state.attempts++;
    return state.attempts <= MAX_ATTEMPTS_PER_WINDOW;
  }

  /** A wrong code: counts towards the lockout. */
  public synchronized void failure(long userId) {
    State state = states.computeIfAbsent(userId, id -> new State());
    state.consecutiveFailures++;
    if (state.consecutiveFailures >= LOCKOUT_FAILURES) {
      state.lockedUntil = clockMs.getAsLong() + LOCKOUT_MS;
      state.consecutiveFailures = 0;
    }
  }

  /** A right code: the consecutive-failure count starts again. */
  public synchronized void success(long userId) {
    State state = states.get(userId);
    if (state != null) {
      state.consecutiveFailures = 0;
    }
  }

  /** Forgets everything about a user (MFA reset). */
  public synchronized void clear(long userId) {
    states.remove(userId);
  }
}
