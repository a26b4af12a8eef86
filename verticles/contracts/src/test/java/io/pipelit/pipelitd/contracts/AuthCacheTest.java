package io.pipelit.pipelitd.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthCacheTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final AuthCache cache = new AuthCache(5, clock::get);
  private final Instant now = Instant.parse("2026-11-26T12:00:00Z");

  private static AuthCache.Found found(Instant keyExpiresAt) {
    return new AuthCache.Found(7, 3, "ann", "normal", null, keyExpiresAt);
  }

  @Test
  void anEntryLivesForTheTtlOnly() {
    cache.put("d", found(null), cache.generation());
    assertNotNull(cache.get("d", now));
    clock.addAndGet(5 * SECOND);
    assertNotNull(cache.get("d", now));
    clock.addAndGet(1);
    assertNull(cache.get("d", now));
    assertEquals(0, cache.size());
  }

  @Test
  void anEntryNeverOutlivesItsKeysExpiry() {
    cache.put("d", found(now.plusSeconds(1)), cache.generation());
    assertNotNull(cache.get("d", now));
    assertNull(cache.get("d", now.plusSeconds(1)));
  }

  @Test
  void invalidationDropsEverything() {
    cache.put("a", found(null), cache.generation());
    cache.put("b", found(null), cache.generation());
    cache.invalidateAll();
    assertNull(cache.get("a", now));
    assertNull(cache.get("b", now));
  }

  @Test
  void aLookUpReadBeforeAnInvalidationIsNotKept() {
    long before = cache.generation();
    cache.invalidateAll(); // e.g. a revoke committed while the look-up was reading the old row
    cache.put("d", found(null), before);
    assertNull(cache.get("d", now));
  }

  @Test
  void zeroTurnsTheCacheOff() {
    AuthCache off = new AuthCache(0, clock::get);
    off.put("d", found(null), off.generation());
    assertNull(off.get("d", now));
    assertThrows(IllegalArgumentException.class, () -> new AuthCache(-1));
  }

  @Test
  void theCacheIsBounded() {
    for (int i = 0; i <= AuthCache.MAX_ENTRIES; i++) {
      cache.put("k" + i, found(null), cache.generation());
    }
    assertTrue(cache.size() <= AuthCache.MAX_ENTRIES);
  }

  @Test
  void freshNeedsALastUseWithinTheMinuteAndTouchedRefreshesIt() {
    cache.put("d", found(null), cache.generation()); // never used: last_used_at is due
    assertNull(cache.fresh("d", now));
    cache.touched("d", now.minusSeconds(30));
    assertEquals(now.minusSeconds(30), cache.fresh("d", now).lastUsedAt());
    assertNull(cache.fresh("d", now.plusSeconds(31)), "a minute after the last write, the store must write again");
    cache.touched("unknown", now); // no entry: nothing created
    assertNull(cache.get("unknown", now));
    cache.invalidateAll();
    cache.touched("d", now);
    assertNull(cache.get("d", now), "a touch after an invalidation brings nothing back");
  }

  @Test
  void theDigestIsTheStoredFormOfAKey() {
    // SHA-256 of "abc", hex (FIPS 180-2 test vector)
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AuthCache.digest("abc"));
  }

  @Test
  void oneInstanceIsSharedPerVertxUntilItsOwnerUnsharesIt() {
    Vertx vertx = Vertx.vertx();
    Vertx other = Vertx.vertx();
    try {
      assertNull(AuthCache.of(vertx));
      cache.share(vertx);
      assertSame(cache, AuthCache.of(vertx), "shared, not copied");
      assertNull(AuthCache.of(other));
      AuthCache successor = new AuthCache(5);
      successor.share(vertx);
      cache.unshare(vertx); // no longer the shared one: leaves the successor alone
      assertSame(successor, AuthCache.of(vertx));
      successor.unshare(vertx);
      assertNull(AuthCache.of(vertx));
    } finally {
      vertx.close().await();
      other.close().await();
    }
  }
}
