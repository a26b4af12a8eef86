package io.pipelit.pipelitd.persistence.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The retry backoff of a failing scheduled job (Pipelit §6.6): doubling per retry, capped at 10 intervals. */
class ScheduleBackoffTest {

  @Test
  void doublesPerRetryUpToTenIntervals() {
    assertEquals(60, ScheduleStore.retryDelaySeconds(60, 1));
    assertEquals(120, ScheduleStore.retryDelaySeconds(60, 2));
    assertEquals(240, ScheduleStore.retryDelaySeconds(60, 3));
    assertEquals(480, ScheduleStore.retryDelaySeconds(60, 4));
    assertEquals(600, ScheduleStore.retryDelaySeconds(60, 5), "16 intervals are capped at 10");
    assertEquals(600, ScheduleStore.retryDelaySeconds(60, 64), "no overflow for large retry counts");
    assertEquals(600, ScheduleStore.retryDelaySeconds(60, Integer.MAX_VALUE));
  }
}
