package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.storage.Dialect;
import io.pipelit.pipelitd.storage.Timestamps;
import io.vertx.core.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** Column reads shaped for JSON answers. */
public final class Rows {
  private Rows() {}

  /** ISO-8601 with microseconds and an explicit UTC offset, e.g. 2026-03-01T10:00:00.123456+00:00. */
  public static String iso(Instant instant) {
    return instant == null ? null : Timestamps.iso(instant);
  }

  public static String timestamp(Dialect dialect, ResultSet rows, String column) throws SQLException {
    return iso(dialect.getTimestamp(rows, column));
  }

  /** The decoded JSON value of a column (JsonObject, JsonArray, String, Number, Boolean) or null. */
  public static Object json(Dialect dialect, ResultSet rows, String column) throws SQLException {
    String text = dialect.getJson(rows, column);
    if (text == null) {
      return null;
    }
    try {
      return Json.decodeValue(text);
    } catch (RuntimeException e) {
      // Text that is not JSON (written by hand into an adopted database): hand it back as a string.
      return text;
    }
  }

  /** A nullable integer column. */
  public static Long nullableLong(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  public static Double nullableDouble(ResultSet rows, String column) throws SQLException {
    double value = rows.getDouble(column);
    return rows.wasNull() ? null : value;
  }
}
