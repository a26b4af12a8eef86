package io.pipelit.pipelitd.storage.transfer;

import java.util.Locale;

/**
 * What a column holds, independent of the backend: the unit in which values are converted between SQLite
 * (declared types with affinity: BOOLEAN as 0/1, DATETIME as UTC text, JSON as text) and PostgreSQL
 * (native boolean, timestamp, jsonb), and in which checksums and portable archives encode them.
 */
public enum ColumnType {
  INTEGER,
  REAL,
  NUMERIC,
  BOOLEAN,
  /** Naive UTC date-time (timestamptz is read in UTC and written with offset zero). */
  TIMESTAMP,
  JSON,
  TEXT,
  BINARY;

  /**
   * From a SQLite declared type. The names pipelitd's and Pipelit's DDL use come first (BOOLEAN,
   * DATETIME, JSON), then SQLite's own affinity rules (INT, CHAR/CLOB/TEXT, BLOB, REAL/FLOA/DOUB); an
   * empty declared type is treated as text.
   */
  public static ColumnType ofSqlite(String declared) {
    String type = declared == null ? "" : declared.trim().toUpperCase(Locale.ROOT);
    if (type.startsWith("BOOL")) {
      return BOOLEAN;
    }
    if (type.startsWith("DATETIME") || type.startsWith("TIMESTAMP") || type.equals("DATE")) {
      return TIMESTAMP;
    }
    if (type.startsWith("JSON")) {
      return JSON;
    }
    if (type.contains("INT")) {
      return INTEGER;
    }
    if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") || type.isEmpty()) {
      return TEXT;
    }
    if (type.contains("BLOB")) {
      return BINARY;
    }
    if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB")) {
      return REAL;
    }
    if (type.startsWith("NUMERIC") || type.startsWith("DECIMAL")) {
      return NUMERIC;
    }
    return TEXT;
  }

  /** From a PostgreSQL type name ({@code pg_type.typname}, as in information_schema's udt_name). */
  public static ColumnType ofPostgres(String udtName) {
    return switch (udtName.toLowerCase(Locale.ROOT)) {
      case "int2", "int4", "int8", "oid" -> INTEGER;
      case "float4", "float8" -> REAL;
      case "numeric" -> NUMERIC;
      case "bool" -> BOOLEAN;
      case "timestamp", "timestamptz", "date" -> TIMESTAMP;
      case "json", "jsonb" -> JSON;
      case "bytea" -> BINARY;
      default -> TEXT;
    };
  }
}
