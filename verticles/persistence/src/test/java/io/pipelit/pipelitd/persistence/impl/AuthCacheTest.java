package io.pipelit.pipelitd.persistence.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthCacheTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final AtomicInteger invalidations = new AtomicInteger();
  private final AuthCache cache = new AuthCache(5, clock::get, invalidations::incrementAndGet);
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
    AuthCache off = new AuthCache(0, clock::get, () -> { });
    off.put("d", found(null), off.generation());
    assertNull(off.get("d", now));
    assertThrows(IllegalArgumentException.class, () -> new AuthCache(-1, () -> { }));
  }

  @Test
  void theCacheIsBounded() {
    for (int i = 0; i <= AuthCache.MAX_ENTRIES; i++) {
      cache.put("k" + i, found(null), cache.generation());
    }
    assertTrue(cache.size() <= AuthCache.MAX_ENTRIES);
  }

  @Test
  void answersAreReusableWhileTheEntryLivesAndLastUsedAtIsNotDue() {
    cache.put("d", found(null), cache.generation()); // never used: last_used_at is due
    assertEquals(0, cache.reuseMillis("d", now));
    cache.touched("d", now.minusSeconds(30));
    assertEquals(5_000, cache.reuseMillis("d", now), "the entry's 5 s TTL comes first");
    AuthCache hour = new AuthCache(3_600, clock::get, () -> { });
    hour.put("d", found(now.plusSeconds(20)), hour.generation());
    hour.touched("d", now.minusSeconds(30));
    assertEquals(20_000, hour.reuseMillis("d", now), "then the key's expiry");
    hour.put("e", found(null), hour.generation());
    hour.touched("e", now.minusSeconds(30));
    assertEquals(30_000, hour.reuseMillis("e", now), "then the minute after which last_used_at is written again");
    assertEquals(0, hour.reuseMillis("e", now.plusSeconds(31)));
    cache.touched("unknown", now); // no entry: nothing created
    assertNull(cache.get("unknown", now));
    assertEquals(0, cache.reuseMillis("unknown", now));
    cache.invalidateAll();
    cache.touched("d", now);
    assertNull(cache.get("d", now), "a touch after an invalidation brings nothing back");
    assertEquals(0, cache.reuseMillis("d", now));
  }

  @Test
  void invalidationTellsItsListenerOnceTheEntriesAreGone() {
    cache.put("d", found(null), cache.generation());
    AuthCache[] seen = {null};
    AuthCache told = new AuthCache(5, clock::get, () -> assertNull(seen[0].get("d", now)));
    seen[0] = told;
    told.put("d", found(null), told.generation());
    told.invalidateAll();
    cache.invalidateAll();
    cache.invalidateAll();
    assertEquals(2, invalidations.get());
  }
}
