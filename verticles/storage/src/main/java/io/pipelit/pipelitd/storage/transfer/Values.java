package io.pipelit.pipelitd.storage.transfer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.pipelit.pipelitd.storage.Timestamps;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Column values between the two backends. A value read from either backend is held as one Java type per
 * {@link ColumnType}: Long, Double, BigDecimal, Boolean, LocalDateTime (naive UTC, microseconds), String
 * (JSON text for JSON), String, byte[]. From there it is bound to the other backend, encoded canonically
 * for checksums, or written to a portable archive.
 */
final class Values {
  private Values() {}

  /** Pipelit's timestamp text on SQLite: exactly six fraction digits. */
  private static final DateTimeFormatter SQLITE_TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
  private static final JsonFactory JSON = new JsonFactory();

  /** Reads column {@code index} (1-based) of the current row as the Java type of {@code column.type()}. */
  static Object read(ResultSet rows, int index, Column column, TransferDialect dialect) throws SQLException {
    if (column.type() == ColumnType.TIMESTAMP && dialect == TransferDialect.POSTGRESQL) {
      if (column.nativeType().equals("timestamptz")) {
        OffsetDateTime value = rows.getObject(index, OffsetDateTime.class);
        return value == null ? null : micros(value.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
      }
      if (column.nativeType().equals("date")) {
        java.time.LocalDate value = rows.getObject(index, java.time.LocalDate.class);
        return value == null ? null : value.atStartOfDay();
      }
      LocalDateTime value = rows.getObject(index, LocalDateTime.class);
      return value == null ? null : micros(value);
    }
    if (column.type() == ColumnType.BINARY) {
      return rows.getBytes(index);
    }
    if (column.type() == ColumnType.JSON || column.type() == ColumnType.TEXT) {
      return rows.getString(index);
    }
    Object raw = rows.getObject(index);
    return raw == null ? null : convert(raw, column.type());
  }

  /** Any value (as a driver or an archive hands it over) as the Java type of {@code type}. */
  static Object convert(Object value, ColumnType type) {
    if (value == null) {
      return null;
    }
    try {
      return switch (type) {
        case INTEGER -> value instanceof Boolean b ? (b ? 1L : 0L)
            : value instanceof Number n ? n.longValue() : Long.parseLong(text(value).trim());
        case REAL -> value instanceof Number n ? n.doubleValue() : Double.parseDouble(text(value).trim());
        case NUMERIC -> value instanceof BigDecimal d ? d
            : value instanceof Double || value instanceof Float ? new BigDecimal(value.toString())
            : value instanceof Number n ? BigDecimal.valueOf(n.longValue()) : new BigDecimal(text(value).trim());
        case BOOLEAN -> booleanOf(value);
        case TIMESTAMP -> timestampOf(value);
        case JSON, TEXT -> text(value);
        case BINARY -> value instanceof byte[] bytes ? bytes : text(value).getBytes(StandardCharsets.UTF_8);
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read " + describe(value) + " as " + type, e);
    }
  }

  /** Binds a value (already of {@code column.type()}'s Java type) for the target backend. */
  static void bind(PreparedStatement s, int index, Object value, Column column, TransferDialect dialect)
      throws SQLException {
    if (value == null) {
      s.setNull(index, Types.NULL);
      return;
    }
    switch (column.type()) {
      case INTEGER -> s.setLong(index, (Long) value);
      case REAL -> s.setDouble(index, (Double) value);
      case NUMERIC -> {
        BigDecimal number = (BigDecimal) value;
        if (dialect == TransferDialect.POSTGRESQL) {
          s.setBigDecimal(index, number);
        } else if (number.stripTrailingZeros().scale() <= 0) {
          s.setLong(index, number.longValueExact());
        } else {
          s.setDouble(index, number.doubleValue());
        }
      }
      case BOOLEAN -> {
        if (dialect == TransferDialect.POSTGRESQL) {
          s.setBoolean(index, (Boolean) value);
        } else {
          s.setInt(index, (Boolean) value ? 1 : 0);
        }
      }
      case TIMESTAMP -> {
        LocalDateTime time = (LocalDateTime) value;
        if (dialect == TransferDialect.SQLITE) {
          s.setString(index, SQLITE_TIMESTAMP.format(time));
        } else if (column.nativeType().equals("timestamptz")) {
          s.setObject(index, time.atOffset(ZoneOffset.UTC));
        } else if (column.nativeType().equals("date")) {
          s.setObject(index, time.toLocalDate());
        } else {
          s.setObject(index, time);
        }
      }
      case JSON -> {
        if (dialect == TransferDialect.POSTGRESQL) {
          s.setObject(index, value, Types.OTHER); // an untyped literal: the server casts it to json/jsonb
        } else {
          s.setString(index, (String) value);
        }
      }
      case TEXT -> s.setString(index, (String) value);
      case BINARY -> s.setBytes(index, (byte[]) value);
    }
  }

  /**
   * Appends a value as one field of PostgreSQL's COPY CSV format: NULL as nothing, every other value
   * quoted (so that '' stays an empty string), in the text form PostgreSQL parses for the column's type.
   */
  static void appendCsv(StringBuilder out, Object value, Column column) {
    if (value == null) {
      return;
    }
    String text = switch (column.type()) {
      case INTEGER -> Long.toString((Long) value);
      case REAL -> Double.toString((Double) value); // NaN and Infinity are PostgreSQL's spellings too
      case NUMERIC -> ((BigDecimal) value).toPlainString();
      case BOOLEAN -> (Boolean) value ? "t" : "f";
      case TIMESTAMP -> column.nativeType().equals("timestamptz")
          ? SQLITE_TIMESTAMP.format((LocalDateTime) value) + "+00"
          : column.nativeType().equals("date") ? ((LocalDateTime) value).toLocalDate().toString()
          : SQLITE_TIMESTAMP.format((LocalDateTime) value);
      case JSON, TEXT -> (String) value;
      case BINARY -> "\\x" + java.util.HexFormat.of().formatHex((byte[]) value);
    };
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        out.append('"');
      }
      out.append(c);
    }
    out.append('"');
  }

  /**
   * The canonical text of a value for checksums, the same whichever backend it came from: integers and
   * decimals without trailing zeros, doubles in Java's shortest round-trip form, booleans t/f, timestamps
   * with six fraction digits, JSON with sorted keys and no spaces (PostgreSQL's jsonb reorders keys and
   * normalises spacing), binary as base64.
   */
  static String canonical(Object value, ColumnType type) {
    return switch (type) {
      case INTEGER -> Long.toString((Long) value);
      case REAL -> Double.toString((Double) value);
      case NUMERIC -> plain((BigDecimal) value);
      case BOOLEAN -> (Boolean) value ? "t" : "f";
      case TIMESTAMP -> SQLITE_TIMESTAMP.format((LocalDateTime) value);
      case JSON -> canonicalJson((String) value);
      case TEXT -> (String) value;
      case BINARY -> Base64.getEncoder().encodeToString((byte[]) value);
    };
  }

  /** The value as a portable-archive JSON value: numbers and booleans as such, everything else as text. */
  static Object toArchive(Object value, ColumnType type) {
    if (value == null) {
      return null;
    }
    return switch (type) {
      case INTEGER, BOOLEAN -> value;
      case REAL -> Double.isFinite((Double) value) ? value : value.toString();
      case NUMERIC -> ((BigDecimal) value).toPlainString();
      case TIMESTAMP -> SQLITE_TIMESTAMP.format((LocalDateTime) value);
      case JSON, TEXT -> value;
      case BINARY -> Base64.getEncoder().encodeToString((byte[]) value);
    };
  }

  /** The inverse of {@link #toArchive}. */
  static Object fromArchive(Object value, ColumnType type) {
    if (value == null) {
      return null;
    }
    if (type == ColumnType.BINARY) {
      return Base64.getDecoder().decode((String) value);
    }
    return convert(value, type);
  }

  /** The JSON text with object keys sorted, no insignificant spaces and numbers in plain form. */
  static String canonicalJson(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return "invalid-json:" + text;
      }
      Object tree = tree(parser, first);
      if (parser.nextToken() != null) {
        return "invalid-json:" + text;
      }
      StringBuilder out = new StringBuilder(text.length());
      write(tree, out);
      return out.toString();
    } catch (IOException e) {
      return "invalid-json:" + text;
    }
  }

  private static Object tree(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> object = new TreeMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String key = parser.currentName();
          object.put(key, tree(parser, parser.nextToken())); // a repeated key keeps its last value, as jsonb does
        }
        return object;
      }
      case START_ARRAY -> {
        List<Object> array = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          array.add(tree(parser, t));
        }
        return array;
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new BigDecimal(parser.getText());
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return JsonNull.INSTANCE;
      }
      default -> throw new IOException("unexpected " + token);
    }
  }

  private enum JsonNull { INSTANCE }

  private static void write(Object node, StringBuilder out) {
    if (node instanceof Map<?, ?> object) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : object.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quoted((String) entry.getKey(), out);
        out.append(':');
        write(entry.getValue(), out);
      }
      out.append('}');
    } else if (node instanceof List<?> array) {
      out.append('[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(array.get(i), out);
      }
      out.append(']');
    } else if (node instanceof String string) {
      quoted(string, out);
    } else if (node instanceof BigDecimal number) {
      out.append(plain(number));
    } else if (node instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else {
      out.append("null");
    }
  }

  private static void quoted(String text, StringBuilder out) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    out.append('"');
  }

  private static String plain(BigDecimal number) {
    return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
  }

  private static Boolean booleanOf(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Number n) {
      return n.doubleValue() != 0;
    }
    String text = text(value).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "1", "t", "true", "y", "yes", "on" -> true;
      case "0", "f", "false", "n", "no", "off" -> false;
      default -> throw new IllegalArgumentException("not a boolean");
    };
  }

  private static LocalDateTime timestampOf(Object value) {
    if (value instanceof LocalDateTime t) {
      return micros(t);
    }
    if (value instanceof OffsetDateTime t) {
      return micros(t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }
    if (value instanceof Timestamp t) {
      return micros(t.toLocalDateTime());
    }
    String text = text(value);
    LocalDateTime usual = usualForm(text);
    return usual != null ? usual : micros(LocalDateTime.ofInstant(Timestamps.parse(text), ZoneOffset.UTC));
  }

  /**
   * The forms nearly every SQLite timestamp has, {@code yyyy-MM-dd HH:mm:ss} with no or six fraction
   * digits, read without a formatter (the general parser dominates a large copy); null for anything else.
   */
  private static LocalDateTime usualForm(String text) {
    int length = text.length();
    if ((length != 19 && length != 26) || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
        || text.charAt(13) != ':' || text.charAt(16) != ':' || (length == 26 && text.charAt(19) != '.')) {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int micros = length == 26 ? digits(text, 20, 26) : 0;
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || micros < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1_000);
    } catch (java.time.DateTimeException e) {
      return null; // out of range: the general parser reports it
    }
  }

  /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String text, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static LocalDateTime micros(LocalDateTime time) {
    return time.truncatedTo(ChronoUnit.MICROS);
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
  }

  /** For error messages: only the value's type, never the value (it may be a secret). */
  private static String describe(Object value) {
    return "a " + value.getClass().getSimpleName() + " value";
  }

}
