package io.pipelit.pipelitd.persistence.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-process TOTP attempt limits, on a hand-driven clock. */
class MfaLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final MfaLimiter limiter = new MfaLimiter(now::get);

  @Test
  void fiveAttemptsPerMinutePerUser() {
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.tryAcquire(1), "attempt " + (i + 1));
    }
    assertFalse(limiter.tryAcquire(1));
    assertTrue(limiter.tryAcquire(2), "other users are counted apart");
    now.addAndGet(59_999);
    assertFalse(limiter.tryAcquire(1));
    now.addAndGet(1);
    assertTrue(limiter.tryAcquire(1), "a new window");
  }

  @Test
  void tenConsecutiveFailuresLockOutForFifteenMinutes() {
    for (int i = 0; i < 10; i++) {
      now.addAndGet(MfaLimiter.WINDOW_MS); // stay under the rate limit
      assertTrue(limiter.tryAcquire(7));
      limiter.failure(7);
    }
    now.addAndGet(MfaLimiter.WINDOW_MS);
    assertFalse(limiter.tryAcquire(7), "locked out");
    now.addAndGet(MfaLimiter.LOCKOUT_MS - MfaLimiter.WINDOW_MS - 1);
    assertFalse(limiter.tryAcquire(7), "still locked out just before 15 minutes");
    now.addAndGet(1);
    assertTrue(limiter.tryAcquire(7), "free again after 15 minutes");
  }

  @Test
  void aSuccessResetsTheFailureCount() {
    for (int i = 0; i < 9; i++) {
      now.addAndGet(MfaLimiter.WINDOW_MS);
      limiter.tryAcquire(3);
      limiter.failure(3);
    }
    limiter.success(3);
    for (int i = 0; i < 9; i++) {
      now.addAndGet(MfaLimiter.WINDOW_MS);
      assertTrue(limiter.tryAcquire(3));
      limiter.failure(3);
    }
    now.addAndGet(MfaLimiter.WINDOW_MS);
    assertTrue(limiter.tryAcquire(3), "9 + 9 failures with a success between: no lockout");
  }

  @Test
  void clearForgetsTheUser() {
    for (int i = 0; i < 6; i++) {
      limiter.tryAcquire(4);
    }
    assertFalse(limiter.tryAcquire(4));
    limiter.clear(4);
    assertTrue(limiter.tryAcquire(4));
  }

  @Test
  void provisioningUriFollowsPyotp() {
    assertEquals("otpauth://totp/Pipelit:alice?secret=ABC&issuer=Pipelit", MfaStore.provisioningUri("alice", "ABC"));
    assertEquals("otpauth://totp/Pipelit:a%20b@c?secret=ABC&issuer=Pipelit", MfaStore.provisioningUri("a b@c", "ABC"));
  }
}
