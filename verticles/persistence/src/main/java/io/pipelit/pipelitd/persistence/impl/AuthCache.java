package io.pipelit.pipelitd.persistence.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Successful bearer-key look-ups, by key digest, for a short time: every HTTP request authenticates,
 * and without this each one costs a database read on the read pool.
 *
 * <p>The front doors (HTTP API and bridge, through contracts' Authenticator) keep AUTHENTICATE answers for a
 * while too (as long as the answer's {@code reuse_ms}, see {@link #reuseMillis}), so that a recently seen key
 * costs them no round trip: {@link #invalidateAll()} tells them through its listener (the store publishes
 * {@code StoreAddresses.AUTH_INVALIDATED}).
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
 * The invalidation listener runs on the store's context before the store answers the change, and every
 * answer the store sends comes from that context, so a caller reusing answers sees the invalidation before
 * the change's answer and before any answer read after it.
 *
 * <p>{@code last_used_at}: a key's row is updated at most once per {@link #LAST_USED_DEBOUNCE}, by the
 * store. {@link #reuseMillis} never lets an answer be reused past the moment the column is due again, so
 * the first request after that reaches the store, which writes it and {@link #touched refreshes} the
 * entry: the column is as current as when every request reached the store.
 *
 * <p>Credential changes are rare next to requests, so invalidation drops every entry rather than tracking
 * which keys a change touched.
 */
public final class AuthCache {
  /** Past this many entries the cache starts over: bounds memory against floods of distinct valid keys. */
  static final int MAX_ENTRIES = 10_000;

  /** Pipelit updates {@code api_keys.last_used_at} at most once a minute per key; so do we. */
  static final Duration LAST_USED_DEBOUNCE = Duration.ofMinutes(1);

  /** What a successful look-up found; {@code keyExpiresAt} and {@code lastUsedAt} may be null. */
  record Found(long keyId, long userId, String username, String role, Instant lastUsedAt,
      Instant keyExpiresAt) {}

  private record Entry(Found found, long validUntilNanos) {}

  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final Runnable onInvalidate;

  /**
   * @param ttlSeconds   how long a success is reused; 0 turns the cache off
   * @param onInvalidate run by {@link #invalidateAll()} after the entries are gone (the store publishes
   *                     AUTH_INVALIDATED there)
   */
  public AuthCache(long ttlSeconds, Runnable onInvalidate) {
    this(ttlSeconds, System::nanoTime, onInvalidate);
  }

  AuthCache(long ttlSeconds, LongSupplier nanoClock, Runnable onInvalidate) {
    if (ttlSeconds < 0) {
      throw new IllegalArgumentException("ttlSeconds must be >= 0");
    }
    this.ttlNanos = ttlSeconds * 1_000_000_000L;
    this.nanoClock = nanoClock;
    this.onInvalidate = onInvalidate;
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

  /**
   * How long a caller may reuse the answer for this digest's key, in milliseconds: while its entry lives,
   * the key has not expired and {@code last_used_at} is not due again; 0 without an entry (the cache is
   * off, or an invalidation came after the look-up: the generation check in {@link #put}).
   */
  long reuseMillis(String digest, Instant now) {
    Entry entry = entries.get(digest);
    if (entry == null || entry.found().lastUsedAt() == null) {
      return 0;
    }
    long millis = Math.min((entry.validUntilNanos() - nanoClock.getAsLong()) / 1_000_000,
        Duration.between(now, entry.found().lastUsedAt().plus(LAST_USED_DEBOUNCE)).toMillis());
    if (entry.found().keyExpiresAt() != null) {
      millis = Math.min(millis, Duration.between(now, entry.found().keyExpiresAt()).toMillis());
    }
    return Math.max(0, millis);
  }

  /** Records that the store wrote {@code last_used_at = usedAt} for this digest's key; no entry, no change. */
  void touched(String digest, Instant usedAt) {
    entries.computeIfPresent(digest, (d, entry) -> new Entry(new Found(entry.found().keyId(), entry.found().userId(),
        entry.found().username(), entry.found().role(), usedAt, entry.found().keyExpiresAt()), entry.validUntilNanos()));
  }

  /** Forgets every entry; called after a committed credential change (see the class comment). */
  public void invalidateAll() {
    generation.incrementAndGet();
    entries.clear();
    onInvalidate.run();
  }

  int size() {
    return entries.size();
  }
}
