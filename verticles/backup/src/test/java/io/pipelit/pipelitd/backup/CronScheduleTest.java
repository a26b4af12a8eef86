package io.pipelit.pipelitd.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  static final ZoneId UTC = ZoneId.of("UTC");
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static ZonedDateTime at(ZoneId zone, int y, int mo, int d, int h, int mi) {
    return ZonedDateTime.of(y, mo, d, h, mi, 0, 0, zone);
  }

  static List<ZonedDateTime> firings(String expression, ZonedDateTime from, int count) {
    CronSchedule schedule = CronSchedule.parse(expression);
    List<ZonedDateTime> result = new ArrayList<>();
    ZonedDateTime t = from;
    for (int i = 0; i < count; i++) {
      t = schedule.next(t);
      assertNotNull(t, expression + " fires again");
      result.add(t);
    }
    return result;
  }

  @Test
  void defaultScheduleIsNightlyAtTwo() {
    assertEquals(List.of(at(UTC, 2026, 11, 27, 2, 0), at(UTC, 2026, 11, 28, 2, 0)),
        firings("0 2 * * *", at(UTC, 2026, 11, 26, 13, 5), 2));
  }

  @Test
  void nextIsStrictlyAfter() {
    assertEquals(at(UTC, 2026, 11, 28, 2, 0), CronSchedule.parse("0 2 * * *").next(at(UTC, 2026, 11, 27, 2, 0)));
    assertEquals(at(UTC, 2026, 11, 27, 2, 0),
        CronSchedule.parse("0 2 * * *").next(at(UTC, 2026, 11, 27, 1, 59).plusSeconds(59)));
  }

  @Test
  void rangesStepsAndLists() {
    assertEquals(List.of(at(UTC, 2026, 1, 1, 9, 0), at(UTC, 2026, 1, 1, 9, 20), at(UTC, 2026, 1, 1, 9, 40),
        at(UTC, 2026, 1, 1, 11, 0)), firings("*/20 9-11/2 * * *", at(UTC, 2026, 1, 1, 8, 59), 4));
    assertEquals(List.of(at(UTC, 2026, 1, 1, 0, 5), at(UTC, 2026, 1, 1, 0, 7), at(UTC, 2026, 1, 1, 0, 30),
        at(UTC, 2026, 1, 1, 1, 5)), firings("5,7,30 * * * *", at(UTC, 2026, 1, 1, 0, 0), 4));
    // a/n: from a to the end of the field
    assertEquals(List.of(at(UTC, 2026, 1, 1, 0, 50), at(UTC, 2026, 1, 1, 1, 50)),
        firings("50/15 * * * *", at(UTC, 2026, 1, 1, 0, 0), 2));
    // lists of ranges and steps
    assertEquals(List.of(at(UTC, 2026, 1, 1, 1, 0), at(UTC, 2026, 1, 1, 2, 0), at(UTC, 2026, 1, 1, 10, 0),
        at(UTC, 2026, 1, 1, 20, 0)), firings("0 1-2,10-20/10 * * *", at(UTC, 2026, 1, 1, 0, 0), 4));
  }

  @Test
  void namesOfMonthsAndDays() {
    // 2026-01-02 is a Friday; MON-FRI at 08:30
    assertEquals(List.of(at(UTC, 2026, 1, 2, 8, 30), at(UTC, 2026, 1, 5, 8, 30)),
        firings("30 8 * * mon-FRI", at(UTC, 2026, 1, 2, 0, 0), 2));
    assertEquals(List.of(at(UTC, 2026, 3, 1, 0, 0), at(UTC, 2026, 6, 1, 0, 0)),
        firings("0 0 1 MAR,jun *", at(UTC, 2026, 1, 1, 0, 0), 2));
    // Sunday is 0 and 7
    assertEquals(firings("0 0 * * 0", at(UTC, 2026, 1, 1, 0, 0), 3), firings("0 0 * * 7", at(UTC, 2026, 1, 1, 0, 0), 3));
    assertEquals(firings("0 0 * * SUN", at(UTC, 2026, 1, 1, 0, 0), 1), List.of(at(UTC, 2026, 1, 4, 0, 0)));
  }

  @Test
  void dayOfMonthOrDayOfWeekWhenBothAreRestricted() {
    // the 13th OR any Friday: 2026-02-06 (Fri), 2026-02-13 (Fri and 13th), 2026-02-20 (Fri), 2026-02-27, 2026-03-06, 2026-03-13
    assertEquals(List.of(at(UTC, 2026, 2, 6, 0, 0), at(UTC, 2026, 2, 13, 0, 0), at(UTC, 2026, 2, 20, 0, 0)),
        firings("0 0 13 * FRI", at(UTC, 2026, 2, 1, 0, 0), 3));
    // only day of month restricted: AND with '*'
    assertEquals(List.of(at(UTC, 2026, 2, 13, 0, 0), at(UTC, 2026, 3, 13, 0, 0)),
        firings("0 0 13 * *", at(UTC, 2026, 2, 1, 0, 0), 2));
  }

  @Test
  void leapDayAndShortMonths() {
    assertEquals(List.of(at(UTC, 2028, 2, 29, 0, 0), at(UTC, 2032, 2, 29, 0, 0)),
        firings("0 0 29 2 *", at(UTC, 2026, 1, 1, 0, 0), 2));
    assertEquals(List.of(at(UTC, 2026, 1, 31, 0, 0), at(UTC, 2026, 3, 31, 0, 0)),
        firings("0 0 31 * *", at(UTC, 2026, 1, 1, 0, 0), 2));
  }

  @Test
  void shorthands() {
    assertEquals(firings("0 0 * * *", at(UTC, 2026, 1, 1, 5, 0), 2), firings("@daily", at(UTC, 2026, 1, 1, 5, 0), 2));
    assertEquals(List.of(at(UTC, 2026, 1, 1, 6, 0)), firings("@hourly", at(UTC, 2026, 1, 1, 5, 0), 1));
  }

  @Test
  void springForwardGapFiresOnceAtTheJump() {
    // Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 02:30 does not exist that day.
    List<ZonedDateTime> got = firings("30 2 * * *", at(BERLIN, 2026, 3, 28, 0, 0), 3);
    assertEquals(at(BERLIN, 2026, 3, 28, 2, 30).toInstant(), got.get(0).toInstant());
    assertEquals(at(BERLIN, 2026, 3, 29, 3, 0).toInstant(), got.get(1).toInstant(), "fires at the jump");
    assertEquals(at(BERLIN, 2026, 3, 30, 2, 30).toInstant(), got.get(2).toInstant());
    // every 15 minutes across the gap: 01:45 CET, then 03:00 CEST (one firing for the skipped hour), 03:15
    List<ZonedDateTime> quarter = firings("*/15 * * * *", at(BERLIN, 2026, 3, 29, 1, 40), 3);
    assertEquals(at(BERLIN, 2026, 3, 29, 1, 45).toInstant(), quarter.get(0).toInstant());
    assertEquals(at(BERLIN, 2026, 3, 29, 3, 0).toInstant(), quarter.get(1).toInstant());
    assertEquals(at(BERLIN, 2026, 3, 29, 3, 15).toInstant(), quarter.get(2).toInstant());
  }

  @Test
  void fallBackOverlapFiresOnce() {
    // Berlin: 2026-10-25 03:00 CEST -> 02:00 CET; 02:30 happens twice. It fires once, at the first.
    ZonedDateTime firstOccurrence = ZonedDateTime.ofLocal(java.time.LocalDateTime.of(2026, 10, 25, 2, 30), BERLIN, null);
    List<ZonedDateTime> got = firings("30 2 * * *", at(BERLIN, 2026, 10, 24, 12, 0), 2);
    assertEquals(firstOccurrence.toInstant(), got.get(0).toInstant());
    assertEquals(at(BERLIN, 2026, 10, 26, 2, 30).toInstant(), got.get(1).toInstant());
    assertTrue(got.get(1).toInstant().getEpochSecond() - got.get(0).toInstant().getEpochSecond() == 25 * 3600,
        "25 real hours between the two firings");
  }

  @Test
  void timezoneShiftsTheInstant() {
    ZonedDateTime berlin = CronSchedule.parse("0 2 * * *").next(at(BERLIN, 2026, 1, 10, 12, 0));
    assertEquals(at(UTC, 2026, 1, 11, 1, 0).toInstant(), berlin.toInstant());
  }

  @Test
  void badExpressionsAreRefusedWithTheField() {
    assertMessage("0 2 * *", "five");
    assertMessage("60 2 * * *", "minute value 60");
    assertMessage("0 24 * * *", "hour value 24");
    assertMessage("0 0 0 * *", "day of month value 0");
    assertMessage("0 0 * 13 *", "month value 13");
    assertMessage("0 0 * * 8", "day of week value 8");
    assertMessage("0 0 * FOO *", "not a number or a name");
    assertMessage("0 5-1 * * *", "backwards");
    assertMessage("*/0 * * * *", "outside");
    assertMessage("0 0 31 2 *", "never fires");
    assertMessage("1,,2 * * * *", "empty list item");
    assertMessage("", "empty");
  }

  static void assertMessage(String expression, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(expression));
    assertTrue(e.getMessage().contains(part), expression + ": " + e.getMessage());
  }
}
