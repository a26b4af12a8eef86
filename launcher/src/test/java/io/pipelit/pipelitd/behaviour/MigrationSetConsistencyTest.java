package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.persistence.impl.TransferTables;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.MigrationCheck;
import io.pipelit.pipelitd.storage.MigrationFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Build-time guard of the packaged migrations (it runs with the ordinary test command): no two files of
 * a dialect share a version, both dialects have the same versions, and migrating a fresh SQLite file and
 * a fresh PostgreSQL database gives the same tables with the same columns, nullability and types (in a
 * small common vocabulary: integer, text, boolean, real, numeric, timestamp, json, binary). Written
 * against whatever migrations exist, so it keeps holding as migrations are added. It also checks that
 * the export's table list covers every column of the tables it carries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationSetConsistencyTest {

  /** table → column → "type null|not null". */
  Map<String, Map<String, String>> sqlite;
  Map<String, Map<String, String>> postgres;

  @BeforeAll
  void migrateBoth() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-migration-set-");
    String sqliteUrl = TestDatabases.freshUrl(Backend.SQLITE, folder);
    String postgresUrl = TestDatabases.freshUrl(Backend.POSTGRESQL, folder);
    Migrations.runner(DatabaseUrl.parse(sqliteUrl, folder)).migrate();
    Migrations.runner(DatabaseUrl.parse(postgresUrl, folder)).migrate();
    try (Connection c = TestDatabases.connect(sqliteUrl)) {
      sqlite = sqliteSchema(c);
    }
    try (Connection c = TestDatabases.connect(postgresUrl)) {
      postgres = postgresSchema(c);
    }
  }

  private static List<MigrationFiles.File> files(String location) {
    return MigrationFiles.list(List.of(location), MigrationSetConsistencyTest.class.getClassLoader());
  }

  @Test
  void noTwoMigrationsShareAVersionAndBothDialectsHaveTheSameVersions() {
    List<MigrationFiles.File> sqliteFiles = files(Migrations.SQLITE_LOCATION);
    List<MigrationFiles.File> postgresFiles = files(Migrations.POSTGRESQL_LOCATION);
    assertFalse(sqliteFiles.isEmpty(), "no SQLite migrations found on the class path");
    List<MigrationCheck.Problem> problems = new ArrayList<>();
    problems.addAll(MigrationCheck.packaged("SQLite", sqliteFiles));
    problems.addAll(MigrationCheck.packaged("PostgreSQL", postgresFiles));
    problems.addAll(MigrationCheck.parity("SQLite", sqliteFiles, "PostgreSQL", postgresFiles));
    assertTrue(problems.isEmpty(), problems.stream().map(MigrationCheck.Problem::message)
        .collect(Collectors.joining("\n", "migration set problems:\n", "")));
  }

  @Test
  void bothDialectsBuildTheSameTablesAndColumns() {
    assertTrue(sqlite.containsKey("workflows") && sqlite.size() >= 10, "migrated SQLite tables: " + sqlite.keySet());
    assertEquals(sqlite.keySet(), postgres.keySet(), "the two dialects' migrations create different tables");
    List<String> differences = new ArrayList<>();
    for (String table : sqlite.keySet()) {
      Map<String, String> a = sqlite.get(table);
      Map<String, String> b = postgres.get(table);
      for (String column : union(a.keySet(), b.keySet())) {
        String left = a.get(column);
        String right = b.get(column);
        if (left == null || right == null || !left.equals(right)) {
          differences.add(table + "." + column + ": SQLite " + (left == null ? "missing" : left) + ", PostgreSQL "
              + (right == null ? "missing" : right));
        }
      }
    }
    assertTrue(differences.isEmpty(), String.join("\n", differences));
  }

  @Test
  void theExportCarriesEveryColumnOfItsTables() {
    List<String> differences = new ArrayList<>();
    for (TransferTables.Table table : TransferTables.ALL) {
      Map<String, String> actual = sqlite.get(table.name());
      if (actual == null) {
        differences.add(table.name() + ": no such table in the migrated schema");
        continue;
      }
      Set<String> declared = new TreeSet<>();
      declared.add(table.key());
      table.columns().forEach(c -> declared.add(c.name()));
      declared.addAll(table.excluded());
      if (!declared.equals(actual.keySet())) {
        differences.add(table.name() + ": TransferTables lists " + declared + " but the schema has " + actual.keySet()
            + " (add new columns to its line in TransferTables, or to its excluded columns)");
      }
      for (TransferTables.Column column : table.columns()) {
        String schema = actual.get(column.name());
        if (schema != null && column.required() != schema.endsWith(" not null")) {
          differences.add(table.name() + "." + column.name() + ": TransferTables says "
              + (column.required() ? "NOT NULL" : "nullable") + ", the schema says " + schema);
        }
      }
    }
    // Rule the importer relies on: a table references only tables before it (or itself).
    List<String> seen = new ArrayList<>();
    for (TransferTables.Table table : TransferTables.ALL) {
      seen.add(table.name());
      table.columns().stream().filter(c -> c.kind() == TransferTables.Kind.REF && !seen.contains(c.references()))
          .forEach(c -> differences.add(table.name() + "." + c.name() + " refers to a later table " + c.references()));
    }
    assertTrue(differences.isEmpty(), String.join("\n", differences));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static Map<String, Map<String, String>> sqliteSchema(Connection c) throws SQLException {
    Map<String, Map<String, String>> schema = new TreeMap<>();
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT name FROM sqlite_master"
        + " WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'flyway_schema_history'")) {
      while (rows.next()) {
        tables.add(rows.getString(1));
      }
    }
    for (String table : tables) {
      Map<String, String> columns = new TreeMap<>();
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA table_info(" + table + ")")) {
        while (rows.next()) {
          boolean notNull = rows.getInt("notnull") == 1 || rows.getInt("pk") > 0;
          columns.put(rows.getString("name"), common(rows.getString("type")) + (notNull ? " not null" : " null"));
        }
      }
      schema.put(table, columns);
    }
    return schema;
  }

  private static Map<String, Map<String, String>> postgresSchema(Connection c) throws SQLException {
    Map<String, Map<String, String>> schema = new TreeMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT c.table_name, c.column_name, c.data_type, c.is_nullable"
        + " FROM information_schema.columns c JOIN information_schema.tables t"
        + " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        + " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'flyway_schema_history'");
         ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        schema.computeIfAbsent(rows.getString(1), t -> new TreeMap<>()).put(rows.getString(2),
            common(rows.getString(3)) + ("NO".equals(rows.getString(4)) ? " not null" : " null"));
      }
    }
    return schema;
  }

  /** A declared SQL type in the common vocabulary; an unknown type is kept as it is (and will differ). */
  static String common(String declared) {
    String type = declared.toLowerCase(Locale.ROOT).replaceAll("\\(.*\\)", "").trim();
    return switch (type) {
      case "integer", "int", "bigint", "smallint", "int2", "int4", "int8", "serial", "bigserial" -> "integer";
      case "text", "varchar", "character varying", "char", "character", "clob", "uuid" -> "text";
      case "boolean", "bool" -> "boolean";
      case "float", "real", "double", "double precision", "float4", "float8" -> "real";
      case "numeric", "decimal" -> "numeric";
      case "datetime", "timestamp", "timestamp without time zone", "timestamp with time zone", "timestamptz" -> "timestamp";
      case "json", "jsonb" -> "json";
      case "blob", "bytea" -> "binary";
      default -> type;
    };
  }
}
