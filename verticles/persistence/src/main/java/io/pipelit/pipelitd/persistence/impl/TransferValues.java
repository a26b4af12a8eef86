package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.persistence.impl.TransferTables.Column;
import io.pipelit.pipelitd.persistence.impl.TransferTables.Kind;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.json.Json;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Column values between the database and the export file, per {@link Kind}: read into JSON values,
 * checked on import (a sentence naming what is wrong, or null), converted to what the JDBC bind needs,
 * bound through the {@link Dialect}. References travel as the key of the row they point to.
 */
final class TransferValues {
  private TransferValues() {}

  /** The JSON value of a column of the current row (null for SQL NULL). */
  static Object read(Dialect dialect, ResultSet rows, Column column, boolean uuidReference) throws SQLException {
    String name = column.name();
    return switch (column.kind()) {
      case TEXT, SECRET -> rows.getString(name);
      case INT -> Rows.nullableLong(rows, name);
      case REF -> uuidReference ? rows.getString(name) : Rows.nullableLong(rows, name);
      case REAL -> Rows.nullableDouble(rows, name);
      case DECIMAL -> rows.getBigDecimal(name);
      case BOOL -> rows.getObject(name) == null ? null : dialect.getBoolean(rows, name);
      case JSON -> Rows.json(dialect, rows, name);
      case TIME -> Rows.timestamp(dialect, rows, name);
    };
  }

  /**
   * What is wrong with a value of the file for this column, or null when it fits. References are only
   * type-checked here; whether they point to a row is the importer's business.
   */
  static String problem(Column column, Object value, boolean uuidReference) {
    if (value == null) {
      return null;
    }
    return switch (column.kind()) {
      case TEXT, SECRET -> value instanceof String ? null : "must be a string";
      case INT -> isWhole(value) ? null : "must be a whole number";
      case REF -> uuidReference ? (value instanceof String ? null : "must be a string (the key of the row)")
          : (isWhole(value) ? null : "must be a whole number (an id)");
      case REAL, DECIMAL -> value instanceof Number ? null : "must be a number";
      case BOOL -> value instanceof Boolean ? null : "must be true or false";
      case JSON -> null;
      case TIME -> value instanceof String text && instant(text) != null ? null
          : "must be an ISO-8601 timestamp such as 2026-03-01T10:00:00.000000+00:00";
    };
  }

  /** The value ready for {@link #bind}: JSON as text, timestamps as instants, numbers widened. */
  static Object prepare(Column column, Object value) {
    if (value == null) {
      return null;
    }
    return switch (column.kind()) {
      case INT -> ((Number) value).longValue();
      case REAL -> ((Number) value).doubleValue();
      case DECIMAL -> new BigDecimal(value.toString());
      case JSON -> Json.encode(value); // any JSON value: object, array, string, number, boolean
      case TIME -> instant((String) value);
      case REF -> value instanceof Number n ? (Object) n.longValue() : value;
      default -> value;
    };
  }

  /** Binds a prepared value (or SQL NULL) at {@code index}. */
  static void bind(Dialect dialect, PreparedStatement statement, int index, Kind kind, Object value) throws SQLException {
    switch (kind) {
      case TEXT, SECRET -> {
        if (value == null) {
          statement.setNull(index, Types.VARCHAR);
        } else {
          statement.setString(index, (String) value);
        }
      }
      case INT, REF -> {
        if (value == null) {
          statement.setNull(index, Types.BIGINT);
        } else if (value instanceof String text) {
          statement.setString(index, text);
        } else {
          statement.setLong(index, (Long) value);
        }
      }
      case REAL -> {
        if (value == null) {
          statement.setNull(index, Types.DOUBLE);
        } else {
          statement.setDouble(index, (Double) value);
        }
      }
      case DECIMAL -> {
        if (value == null) {
          statement.setNull(index, Types.NUMERIC);
        } else {
          statement.setBigDecimal(index, (BigDecimal) value);
        }
      }
      case BOOL -> {
        if (value == null) {
          statement.setNull(index, Types.BOOLEAN);
        } else {
          dialect.setBoolean(statement, index, (Boolean) value);
        }
      }
      case JSON -> dialect.setJson(statement, index, (String) value);
      case TIME -> dialect.setTimestamp(statement, index, (Instant) value);
    }
  }

  private static boolean isWhole(Object value) {
    return value instanceof Integer || value instanceof Long
        || (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !(value instanceof Float));
  }

  /** The instant of an ISO-8601 text with an offset or a Z, or null when it is none. */
  static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }
}
