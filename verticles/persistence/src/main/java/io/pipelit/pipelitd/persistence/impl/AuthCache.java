package io.pipelit.pipelitd.persistence.impl;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Successful bearer-key look-ups, by key digest, for a short time: every HTTP request authenticates,
 * and without this each one costs a database read on the read pool.
 *
 * <p>Safety rules:
 * <ul>
 *   <li>Only successes are kept; a refused key (unknown, revoked, expired, deactivated user) is looked up
 *       again on every request, so a key created or re-activated works at once.</li>
 *   <li>An entry lives at most {@code ttlSeconds} and never past the key's own {@code expires_at}.</li>
 *   <li>{@link #invalidateAll()} is called by the stores after every committed change that can take a key's
 *       identity away or change it (revoke, user deactivation, role or password change, login rotating
 *       the session key): the change takes effect on the next request of this process. Changes made
 *       outside this process (another node, direct SQL) take effect within {@code ttlSeconds}.</li>
 *   <li>A look-up that read the database before an invalidation is not cached after it (the generation
 *       check in {@link #put}), so a stale row never outlives the change that made it stale.</li>
 * </ul>
 * Credential changes are rare next to requests, so invalidation drops every entry rather than tracking
 * which keys a change touched.
 */
public final class AuthCache {
  /** Past this many entries the cache starts over: bounds memory against floods of distinct valid keys. */
  static final int MAX_ENTRIES = 10_000;

  /** What a successful look-up found; {@code keyExpiresAt} may be null (the key never expires). */
  record Found(long keyId, long userId, String username, String role, Instant lastUsedAt, Instant keyExpiresAt) {}

  private record Entry(Found found, long validUntilNanos) {}

  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  /** @param ttlSeconds how long a success is reused; 0 turns the cache off */
  public AuthCache(long ttlSeconds) {
    this(ttlSeconds, System::nanoTime);
  }

  AuthCache(long ttlSeconds, LongSupplier nanoClock) {
    if (ttlSeconds < 0) {
      throw new IllegalArgumentException("ttlSeconds must be >= 0");
    }
    this.ttlNanos = ttlSeconds * 1_000_000_000L;
    this.nanoClock = nanoClock;
  }

  boolean enabled() {
    return ttlNanos > 0;
  }

  /** The generation to hand back to {@link #put}; read it BEFORE the database look-up starts. */
  long generation() {
    return generation.get();
  }

  /** A still-valid success for this digest, or null. */
  Found get(String digest, Instant now) {
    Entry entry = entries.get(digest);
    if (entry == null) {
      return null;
    }
    if (nanoClock.getAsLong() - entry.validUntilNanos() > 0
        || (entry.found().keyExpiresAt() != null && !entry.found().keyExpiresAt().isAfter(now))) {
      entries.remove(digest, entry);
      return null;
    }
    return entry.found();
  }

  /** Keeps a success read while {@code generationBeforeRead} was current; dropped if an invalidation came since. */
  void put(String digest, Found found, long generationBeforeRead) {
    if (!enabled() || generation.get() != generationBeforeRead) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    Entry entry = new Entry(found, nanoClock.getAsLong() + ttlNanos);
    entries.put(digest, entry);
    // An invalidation between the check above and the put: its clear() may have run before our put.
    if (generation.get() != generationBeforeRead) {
      entries.remove(digest, entry);
    }
  }

  /** Forgets every entry; called after a committed credential change (see the class comment). */
  public void invalidateAll() {
    generation.incrementAndGet();
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}
