package io.pipelit.pipelitd.persistence.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
