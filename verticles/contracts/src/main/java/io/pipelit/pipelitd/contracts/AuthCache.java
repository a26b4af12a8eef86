package io.pipelit.pipelitd.contracts;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Successful bearer-key look-ups, by key digest, for a short time: every HTTP request authenticates,
 * and without this each one costs a database read on the read pool.
 *
 * <p>One instance per Vert.x instance, shared in process memory (not over the event bus): the store fills
 * and invalidates it ({@link #share(Vertx)} when it starts), and the HTTP API reads it ({@link #of(Vertx)})
 * before asking the store, so that a request whose key was recently seen makes one event-bus round trip
 * (its own work) instead of two. On a node without a local store the HTTP API finds none and always asks.
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
 * Because invalidation runs in the store before it answers the change, and the HTTP API reads this same
 * object, a revoke acknowledged to one client is refused to the next request on any connection.
 *
 * <p>{@code last_used_at}: a key's row is updated at most once per {@link #LAST_USED_DEBOUNCE}, by the
 * store. {@link #fresh} serves a hit without the store only while the entry's {@code lastUsedAt} is within
 * that minute; past it the request goes to the store, which writes the column and {@link #touched
 * refreshes} the entry. So the column is as current as when every request went through the store.
 *
 * <p>Credential changes are rare next to requests, so invalidation drops every entry rather than tracking
 * which keys a change touched.
 */
public final class AuthCache implements Shareable {
  /** Past this many entries the cache starts over: bounds memory against floods of distinct valid keys. */
  static final int MAX_ENTRIES = 10_000;

  /** Pipelit updates {@code api_keys.last_used_at} at most once a minute per key; so do we. */
  public static final Duration LAST_USED_DEBOUNCE = Duration.ofMinutes(1);

  /** The Vert.x local map (in-process shared data) that holds the store's instance, under {@link #SHARED_KEY}. */
  private static final String SHARED_MAP = "pipelitd.auth-cache";
  private static final String SHARED_KEY = "store";

  /** What a successful look-up found; {@code keyExpiresAt} and {@code lastUsedAt} may be null. */
  public record Found(long keyId, long userId, String username, String role, Instant lastUsedAt,
      Instant keyExpiresAt) {}

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

  /**
   * The hex SHA-256 of a bearer key: what {@code api_keys.key} stores and what this cache is keyed by (the
   * key itself is never kept).
   */
  public static String digest(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Makes this the instance that {@link #of(Vertx)} returns in {@code vertx}; the store calls it at start. */
  public void share(Vertx vertx) {
    sharedMap(vertx).put(SHARED_KEY, this);
  }

  /** Undoes {@link #share(Vertx)} (if this is still the shared instance); the store calls it at stop. */
  public void unshare(Vertx vertx) {
    sharedMap(vertx).removeIfPresent(SHARED_KEY, this);
  }

  /** The instance a store of this process shares, or null (no store here, or not started yet). */
  public static AuthCache of(Vertx vertx) {
    return sharedMap(vertx).get(SHARED_KEY);
  }

  private static LocalMap<String, AuthCache> sharedMap(Vertx vertx) {
    return vertx.sharedData().getLocalMap(SHARED_MAP);
  }

  boolean enabled() {
    return ttlNanos > 0;
  }

  /** The generation to hand back to {@link #put}; read it BEFORE the database look-up starts. */
  public long generation() {
    return generation.get();
  }

  /** A still-valid success for this digest, or null. */
  public Found get(String digest, Instant now) {
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
  public void put(String digest, Found found, long generationBeforeRead) {
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
   * As {@link #get}, but null also when the key's {@code last_used_at} is due for its update (older than
   * {@link #LAST_USED_DEBOUNCE}, or never set): the HTTP API then asks the store, which writes it.
   */
  public Found fresh(String digest, Instant now) {
    Found found = get(digest, now);
    return found == null || found.lastUsedAt() == null
        || !found.lastUsedAt().isAfter(now.minus(LAST_USED_DEBOUNCE)) ? null : found;
  }

  /** Records that the store wrote {@code last_used_at = usedAt} for this digest's key; no entry, no change. */
  public void touched(String digest, Instant usedAt) {
    entries.computeIfPresent(digest, (d, entry) -> new Entry(new Found(entry.found().keyId(), entry.found().userId(),
        entry.found().username(), entry.found().role(), usedAt, entry.found().keyExpiresAt()), entry.validUntilNanos()));
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
