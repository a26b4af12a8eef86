package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The digit-by-digit formats against java.time's formatters, which they replace on the hot path. */
class TimestampsTest {
  private static final DateTimeFormatter PIPELIT_TEXT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_WITH_OFFSET =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ROOT).withZone(ZoneOffset.UTC);

  @Test
  void isoHasMicrosecondsAndTheUtcOffset() {
    assertEquals("2026-03-01T10:00:00.123456+00:00", Timestamps.iso(Instant.parse("2026-03-01T10:00:00.123456789Z")));
    assertEquals("1970-01-01T00:00:00.000000+00:00", Timestamps.iso(Instant.EPOCH));
  }

  @Test
  void bothFormsAgreeWithTheFormattersAcrossTheRangeAndAtItsEdges() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 200_000; i++) {
      // Years 0001..9999 (four digits), plus a margin either side where the formatters take over.
      Instant instant = Instant.ofEpochSecond(random.nextLong(-62_300_000_000L, 253_500_000_000L),
          random.nextInt(1_000_000_000));
      assertEquals(PIPELIT_TEXT.format(instant), Timestamps.format(instant), instant::toString);
      assertEquals(ISO_WITH_OFFSET.format(instant), Timestamps.iso(instant), instant::toString);
    }
    for (String edge : new String[] {"0001-01-01T00:00:00Z", "0000-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z", "-0001-06-01T12:00:00Z"}) {
      Instant instant = Instant.parse(edge);
      assertEquals(PIPELIT_TEXT.format(instant), Timestamps.format(instant), edge);
      assertEquals(ISO_WITH_OFFSET.format(instant), Timestamps.iso(instant), edge);
    }
  }

  @Test
  void parsingWhatIsWrittenGivesTheInstantBackToTheMicrosecond() {
    Instant instant = Instant.parse("2026-11-26T16:05:07.000042Z");
    assertEquals(instant, Timestamps.parse(Timestamps.format(instant)));
    assertEquals(instant, Timestamps.parse(Timestamps.iso(instant)));
  }
}
