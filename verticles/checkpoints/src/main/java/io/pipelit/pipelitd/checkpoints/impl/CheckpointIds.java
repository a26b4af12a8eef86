package io.pipelit.pipelitd.checkpoints.impl;

/**
 * The creation time carried by a checkpoint id. LangGraph's checkpoint ids are version-6 UUIDs
 * ({@code uuid6(clock_seq=step)}: a 60-bit count of 100 ns intervals since 1582-10-15, most significant
 * bits first, so that ids sort by time); version-1 (same clock, other bit order) and version-7 (Unix
 * milliseconds) UUIDs are read too. Anything else has no known time.
 */
public final class CheckpointIds {
  private CheckpointIds() {}

  /** 100 ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
  private static final long GREGORIAN_TO_UNIX_100NS = 0x01B21DD213814000L;

  /** Milliseconds since the Unix epoch encoded in {@code id}, or -1 when it is not a time-based UUID. */
  public static long epochMillis(String id) {
    if (id == null || id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(18) != '-'
        || id.charAt(23) != '-') {
      return -1;
    }
    String hex = id.replace("-", "");
    long high;
    long low;
    try {
      high = Long.parseUnsignedLong(hex.substring(0, 16), 16);
      low = Long.parseUnsignedLong(hex.substring(16), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
    if (((low >>> 62) & 0x3) != 0x2) {
      return -1; // not the RFC 4122/9562 variant
    }
    int version = (int) ((high >>> 12) & 0xF);
    switch (version) {
      case 1: {
        long timeLow = high >>> 32;
        long timeMid = (high >>> 16) & 0xFFFF;
        long timeHigh = high & 0x0FFF;
        return gregorianToMillis((timeHigh << 48) | (timeMid << 32) | timeLow);
      }
      case 6: {
        long timeHighAndMid = high >>> 16;      // 48 most significant bits of the timestamp
        long timeLow = high & 0x0FFF;           // 12 least significant bits
        return gregorianToMillis((timeHighAndMid << 12) | timeLow);
      }
      case 7:
        return high >>> 16;
      default:
        return -1;
    }
  }

  private static long gregorianToMillis(long intervals) {
    return (intervals - GREGORIAN_TO_UNIX_100NS) / 10_000;
  }
}
