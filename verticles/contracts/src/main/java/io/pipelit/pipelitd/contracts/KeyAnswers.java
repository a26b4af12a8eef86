package io.pipelit.pipelitd.contracts;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The AUTHENTICATE answers an {@link Authenticator} may reuse, by key digest, each for as long as the store
 * said ({@code reuse_ms}), all dropped when {@link StoreAddresses#AUTH_INVALIDATED} arrives. The store decides
 * how long (its own cache's TTL, the key's expiry, when {@code last_used_at} is due), so the policy lives
 * there; this only remembers. Touched only on its verticle's event loop, hence a plain map.
 */
final class KeyAnswers {
  /** Past this many entries the map starts over: bounds memory against floods of distinct valid keys. */
  static final int MAX_ENTRIES = 10_000;

  private record Answer(Identity identity, long validUntilNanos) {}

  private final Map<String, Answer> answers = new HashMap<>();
  private final LongSupplier nanoClock;

  KeyAnswers() {
    this(System::nanoTime);
  }

  KeyAnswers(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** The identity of a still-reusable answer for this digest, or null. */
  Identity get(String digest) {
    Answer answer = answers.get(digest);
    if (answer == null) {
      return null;
    }
    if (nanoClock.getAsLong() - answer.validUntilNanos() >= 0) {
      answers.remove(digest);
      return null;
    }
    return answer.identity();
  }

  /** Keeps an answer for {@code reuseMillis} (nothing when 0 or less). */
  void put(String digest, Identity identity, long reuseMillis) {
    if (reuseMillis <= 0) {
      return;
    }
    if (answers.size() >= MAX_ENTRIES) {
      answers.clear();
    }
    answers.put(digest, new Answer(identity, nanoClock.getAsLong() + reuseMillis * 1_000_000));
  }

  void clear() {
    answers.clear();
  }
}
