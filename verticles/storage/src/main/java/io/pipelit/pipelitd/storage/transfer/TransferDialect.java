package io.pipelit.pipelitd.storage.transfer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What whole-database tools do differently on SQLite and PostgreSQL: reading the catalog
 * ({@code sqlite_master} + PRAGMAs versus {@code information_schema}), a consistent read snapshot,
 * ordering text keys the same way on both, emptying tables and re-seeding sequences.
 */
public enum TransferDialect {
  SQLITE {
    @Override
    List<String> tableNames(Connection c) throws SQLException {
      return firstColumn(c, "SELECT name FROM sqlite_master WHERE type = 'table'"
          + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
    }

    @Override
    Table table(Connection c, String name) throws SQLException {
      List<Column> columns = new ArrayList<>();
      Map<Integer, String> keyParts = new TreeMap<>();
      try (Statement s = c.createStatement();
           ResultSet rows = s.executeQuery("PRAGMA table_info(" + quote(name) + ")")) {
        while (rows.next()) {
          String column = rows.getString("name");
          String declared = rows.getString("type");
          int pk = rows.getInt("pk");
          boolean notNull = rows.getInt("notnull") != 0 || pk > 0;
          columns.add(new Column(column, ColumnType.ofSqlite(declared), declared == null ? "" : declared,
              !notNull, false));
          if (pk > 0) {
            keyParts.put(pk, column);
          }
        }
      }
      Map<Integer, List<String>> fkColumns = new LinkedHashMap<>();
      Map<Integer, String> fkTables = new LinkedHashMap<>();
      try (Statement s = c.createStatement();
           ResultSet rows = s.executeQuery("PRAGMA foreign_key_list(" + quote(name) + ")")) {
        while (rows.next()) {
          int id = rows.getInt("id");
          fkTables.put(id, rows.getString("table"));
          fkColumns.computeIfAbsent(id, k -> new ArrayList<>()).add(rows.getString("from"));
        }
      }
      List<ForeignKey> keys = new ArrayList<>();
      fkTables.forEach((id, referenced) -> keys.add(new ForeignKey(fkColumns.get(id), referenced)));
      return new Table(name, columns, new ArrayList<>(keyParts.values()), keys);
    }

    @Override
    void beginSnapshot(Connection c) throws SQLException {
      c.setAutoCommit(false);
      // A deferred transaction takes its WAL snapshot at the first read: every later read sees the same.
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
        rows.next();
      }
    }

    @Override
    String orderTerm(Column column) {
      // BINARY collation: UTF-8 byte order, the same as PostgreSQL's COLLATE "C".
      return quote(column.name());
    }

    @Override
    void empty(Connection c, List<Table> tablesInLoadOrder) throws SQLException {
      try (Statement s = c.createStatement()) {
        for (int i = tablesInLoadOrder.size() - 1; i >= 0; i--) {
          s.executeUpdate("DELETE FROM " + quote(tablesInLoadOrder.get(i).name()));
        }
      }
    }

    @Override
    void reseed(Connection c, Table table) {
      // INTEGER PRIMARY KEY takes max(rowid) + 1 by itself.
    }
  },

  POSTGRESQL {
    @Override
    List<String> tableNames(Connection c) throws SQLException {
      return firstColumn(c, "SELECT table_name FROM information_schema.tables"
          + " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
    }

    @Override
    Table table(Connection c, String name) throws SQLException {
      List<Column> columns = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT column_name, udt_name, is_nullable, is_identity,"
          + " column_default FROM information_schema.columns WHERE table_schema = current_schema()"
          + " AND table_name = ? ORDER BY ordinal_position")) {
        s.setString(1, name);
        try (ResultSet rows = s.executeQuery()) {
          while (rows.next()) {
            String udt = rows.getString("udt_name");
            String defaultValue = rows.getString("column_default");
            boolean identity = "YES".equals(rows.getString("is_identity"))
                || (defaultValue != null && defaultValue.startsWith("nextval("));
            columns.add(new Column(rows.getString("column_name"), ColumnType.ofPostgres(udt), udt,
                "YES".equals(rows.getString("is_nullable")), identity));
          }
        }
      }
      List<String> primaryKey = new ArrayList<>();
      List<ForeignKey> keys = new ArrayList<>();
      // pg_constraint keeps key columns in declaration order (conkey); information_schema would need
      // three joins for the same.
      try (PreparedStatement s = c.prepareStatement("SELECT con.contype, ref.relname,"
          + " ARRAY(SELECT att.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)"
          + "   JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum ORDER BY k.n)"
          + " FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid"
          + " JOIN pg_namespace ns ON ns.oid = rel.relnamespace LEFT JOIN pg_class ref ON ref.oid = con.confrelid"
          + " WHERE ns.nspname = current_schema() AND rel.relname = ? AND con.contype IN ('p', 'f')"
          + " ORDER BY con.conname")) {
        s.setString(1, name);
        try (ResultSet rows = s.executeQuery()) {
          while (rows.next()) {
            List<String> keyColumns = new ArrayList<>();
            for (Object column : (Object[]) rows.getArray(3).getArray()) {
              keyColumns.add(column.toString());
            }
            if ("p".equals(rows.getString(1))) {
              primaryKey.addAll(keyColumns);
            } else {
              keys.add(new ForeignKey(keyColumns, rows.getString(2)));
            }
          }
        }
      }
      return new Table(name, columns, primaryKey, keys);
    }

    @Override
    void beginSnapshot(Connection c) throws SQLException {
      c.setAutoCommit(false); // also what makes pgjdbc honour the fetch size (a cursor)
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    }

    @Override
    String orderTerm(Column column) {
      return column.type() == ColumnType.TEXT ? quote(column.name()) + " COLLATE \"C\"" : quote(column.name());
    }

    @Override
    void empty(Connection c, List<Table> tablesInLoadOrder) throws SQLException {
      if (tablesInLoadOrder.isEmpty()) {
        return;
      }
      List<String> names = tablesInLoadOrder.stream().map(t -> quote(t.name())).toList();
      try (Statement s = c.createStatement()) {
        s.executeUpdate("TRUNCATE TABLE " + String.join(", ", names));
      }
    }

    @Override
    void reseed(Connection c, Table table) throws SQLException {
      for (Column column : table.columns()) {
        if (!column.identity()) {
          continue;
        }
        // setval(seq, max, true) hands out max + 1 next; on an empty table setval(seq, 1, false) hands out 1.
        String sql = "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(max(" + quote(column.name())
            + "), 1), max(" + quote(column.name()) + ") IS NOT NULL) FROM " + quote(table.name());
        try (PreparedStatement s = c.prepareStatement(sql)) {
          s.setString(1, quote(table.name()));
          s.setString(2, column.name());
          s.executeQuery().close();
        }
      }
    }
  };

  /** The dialect of an open connection. */
  public static TransferDialect of(Connection c) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("sqlite")) {
      return SQLITE;
    }
    if (product.contains("postgres")) {
      return POSTGRESQL;
    }
    throw new SQLException("unsupported database: " + product);
  }

  /** User tables of the connection's database (schema), by name. */
  abstract List<String> tableNames(Connection c) throws SQLException;

  /** Columns, primary key and foreign keys of one table. */
  abstract Table table(Connection c, String name) throws SQLException;

  /** Starts a read transaction in which every table is read from one consistent snapshot. */
  abstract void beginSnapshot(Connection c) throws SQLException;

  /** An ORDER BY term that sorts the same way on both backends. */
  abstract String orderTerm(Column column);

  /** Deletes every row of these tables (given in load order, emptied in the reverse). */
  abstract void empty(Connection c, List<Table> tablesInLoadOrder) throws SQLException;

  /** Moves the table's identity sequences past the largest id present. */
  abstract void reseed(Connection c, Table table) throws SQLException;

  /** A double-quoted identifier (names come from the catalog, never from user input). */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The first column of every row {@code sql} returns, in order. */
  private static List<String> firstColumn(Connection c, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }
}
