package io.pipelit.pipelitd.backup;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A standard five-field cron expression: {@code minute hour day-of-month month day-of-week}.
 *
 * <p>Each field is {@code *}, a number, a range {@code a-b}, a step {@code *}{@code /n}, {@code a-b/n} or
 * {@code a/n} (from a to the field's end), or a comma-separated list of those. Months accept {@code JAN}..
 * {@code DEC}, days of week {@code SUN}..{@code SAT} (any case); day of week 0 and 7 are both Sunday. As
 * in Vixie cron, when both day of month and day of week are restricted (neither starts with {@code *}),
 * a day matches when EITHER matches. Shorthands: {@code @yearly}, {@code @annually}, {@code @monthly},
 * {@code @weekly}, {@code @daily}, {@code @midnight}, {@code @hourly}.
 *
 * <p>Daylight-saving time, in the schedule's zone: a wall-clock time that does not exist (skipped when
 * clocks go forward) fires once, at the moment the clocks jump; a wall-clock time that happens twice
 * (clocks go back) fires once, at its first occurrence.
 */
public final class CronSchedule {
  /** The furthest ahead {@link #next} looks: a leap day on a given weekday recurs within 28 years. */
  private static final int SEARCH_YEARS = 30;

  private static final Map<String, String> SHORTHANDS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
      "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final String expression;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek; // 0 = Sunday .. 6 = Saturday
  private final boolean dayOfMonthRestricted;
  private final boolean dayOfWeekRestricted;

  private CronSchedule(String expression, String[] fields) {
    this.expression = expression;
    minutes = field(fields[0], "minute", 0, 59, null);
    hours = field(fields[1], "hour", 0, 23, null);
    daysOfMonth = field(fields[2], "day of month", 1, 31, null);
    months = field(fields[3], "month", 1, 12, MONTHS);
    BitSet week = field(fields[4], "day of week", 0, 7, DAYS);
    if (week.get(7)) {
      week.set(0);
      week.clear(7);
    }
    daysOfWeek = week;
    dayOfMonthRestricted = !fields[2].startsWith("*");
    dayOfWeekRestricted = !fields[4].startsWith("*");
  }

  /**
   * Parses an expression; {@link IllegalArgumentException} with a message naming the field and the
   * problem for anything else, including an expression that can never fire (such as {@code 0 0 31 2 *}).
   */
  public static CronSchedule parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("the cron expression is empty");
    }
    String trimmed = expression.trim();
    String expanded = SHORTHANDS.getOrDefault(trimmed.toLowerCase(Locale.ROOT), trimmed);
    String[] fields = expanded.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("'" + trimmed + "' has " + fields.length
          + " fields; a cron expression has five: minute hour day-of-month month day-of-week");
    }
    CronSchedule schedule = new CronSchedule(trimmed, fields);
    if (schedule.next(ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC"))) == null) {
      throw new IllegalArgumentException("'" + trimmed + "' never fires (no such date)");
    }
    return schedule;
  }

  private static BitSet field(String text, String name, int min, int max, List<String> names) {
    BitSet values = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException("the " + name + " field '" + text + "' has an empty list item");
      }
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), name, 1, max - min + 1, null);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max == 7 ? 6 : max; // '*' in day of week is 0..6 (7 repeats Sunday)
      } else {
        int dash = range.indexOf('-');
        if (dash > 0) {
          from = number(range.substring(0, dash), name, min, max, names);
          to = number(range.substring(dash + 1), name, min, max, names);
          if (to < from) {
            throw new IllegalArgumentException("the " + name + " range '" + range + "' runs backwards");
          }
        } else {
          from = number(range, name, min, max, names);
          to = slash >= 0 ? (max == 7 ? 6 : max) : from;
        }
      }
      for (int value = from; value <= to; value += step) {
        values.set(value);
      }
    }
    return values;
  }

  private static int number(String text, String name, int min, int max, List<String> names) {
    if (names != null) {
      int index = names.indexOf(text.toUpperCase(Locale.ROOT));
      if (index >= 0) {
        return names == MONTHS ? index + 1 : index;
      }
    }
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the " + name + " field has '" + text + "', not a number"
          + (names == null ? "" : " or a name (" + names.get(0) + ".." + names.get(names.size() - 1) + ")"));
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException("the " + name + " value " + value + " is outside " + min + ".." + max);
    }
    return value;
  }

  /** The expression as given. */
  public String expression() {
    return expression;
  }

  /** The first firing strictly after {@code after}, in its zone; null when none within 30 years. */
  public ZonedDateTime next(ZonedDateTime after) {
    ZoneId zone = after.getZone();
    Instant afterInstant = after.toInstant();
    LocalDateTime t = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
    // Start one hour back in wall-clock time: after clocks went back, a time that already passed on the
    // wall clock may still be the first occurrence's future. Candidates at or before `after` are skipped.
    t = t.minusHours(1);
    LocalDateTime limit = t.plusYears(SEARCH_YEARS);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).toLocalDate().plusMonths(1).atStartOfDay();
        continue;
      }
      if (!dayMatches(t)) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
        continue;
      }
      ZonedDateTime candidate = resolve(t, zone);
      if (candidate.toInstant().isAfter(afterInstant)) {
        return candidate;
      }
      t = t.plusMinutes(1);
    }
    return null;
  }

  private boolean dayMatches(LocalDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
    if (dayOfMonthRestricted && dayOfWeekRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /** A wall-clock time in a zone: the first occurrence when it repeats, the jump when it does not exist. */
  private static ZonedDateTime resolve(LocalDateTime local, ZoneId zone) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(local);
    if (transition != null && transition.isGap()) {
      return transition.getInstant().atZone(zone);
    }
    return ZonedDateTime.ofLocal(local, zone, null); // null: the earlier offset of an overlap
  }

  @Override
  public String toString() {
    return expression;
  }
}
