package io.pipelit.pipelitd.checkpoints;

import java.util.concurrent.atomic.AtomicLong;

/** LangGraph-style checkpoint ids for tests: version-6 UUIDs, time-ordered, at a chosen time. */
final class Uuid6 {
  private Uuid6() {}

  private static final long GREGORIAN_TO_UNIX_100NS = 0x01B21DD213814000L;
  private static final AtomicLong TICK = new AtomicLong();

  /** A v6 UUID for {@code epochMillis}; ids made for the same millisecond still sort in creation order. */
  static String at(long epochMillis) {
    long ts = epochMillis * 10_000 + GREGORIAN_TO_UNIX_100NS + (TICK.incrementAndGet() % 10_000);
    long high48 = ts >>> 12;
    long low12 = ts & 0xFFF;
    String h = String.format("%012x", high48);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-6" + String.format("%03x", low12) + "-8001-"
        + "8a1503f9b875";
  }

  static String now() {
    return at(System.currentTimeMillis());
  }
}
