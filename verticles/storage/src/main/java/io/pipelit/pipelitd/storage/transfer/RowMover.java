package io.pipelit.pipelitd.storage.transfer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Inserting rows into one table in batches through JDBC, ids as they come ({@link TableWriter}), and the
 * SELECT that reads a table back in primary-key order. The caller owns the transactions.
 */
public final class RowMover {
  /** Rows per JDBC batch (and fetch size when reading): large enough to amortise round trips. */
  public static final int DEFAULT_BATCH = 1_000;

  private RowMover() {}

  /** {@code SELECT <columns> FROM <table> ORDER BY <primary key>} (no ORDER BY without a key). */
  static String selectSql(TransferDialect dialect, Table table, List<Column> columns) {
    StringBuilder sql = new StringBuilder("SELECT ")
        .append(columns.stream().map(c -> TransferDialect.quote(c.name())).collect(Collectors.joining(", ")))
        .append(" FROM ").append(TransferDialect.quote(table.name()));
    if (!table.primaryKey().isEmpty()) {
      sql.append(" ORDER BY ").append(table.primaryKey().stream()
          .map(name -> dialect.orderTerm(table.column(name).orElseThrow()))
          .collect(Collectors.joining(", ")));
    }
    return sql.toString();
  }

  /**
   * Inserts rows into one table, {@code batchSize} per JDBC batch. Values of deferred columns (references
   * to rows that may not exist yet, see {@link TableCatalog#deferredColumns}) are inserted as NULL and
   * kept; {@link #applyDeferred()} sets them once every table is loaded.
   */
  public static final class TableWriter implements AutoCloseable {
    private final Table table;
    private final TransferDialect dialect;
    private final List<Column> columns;
    private final int[] deferredIndexes;
    private final int[] keyIndexes;
    private final int batchSize;
    /** SQLite: a batched INSERT. */
    private final PreparedStatement insert;
    /** PostgreSQL: rows as COPY ... FROM STDIN (FORMAT csv) text, sent every batch (much faster than INSERT). */
    private final StringBuilder copyRows;
    private final String copySql;
    private final Connection connection;
    private final List<Object[]> deferredRows = new ArrayList<>();
    private int pending;
    private long written;

    /**
     * @param columnNames the columns each row gives, in order (a subset of the table's; the others take
     *                    their defaults)
     * @param deferred    column names to set after the load (must be nullable; the key must be given)
     */
    public TableWriter(Connection target, Table table, List<String> columnNames, Set<String> deferred,
        int batchSize) throws SQLException {
      this.connection = target;
      this.table = table;
      this.dialect = TransferDialect.of(target);
      this.batchSize = Math.max(1, batchSize);
      this.columns = new ArrayList<>();
      for (String name : columnNames) {
        columns.add(table.column(name).orElseThrow(
            () -> new SQLException("table " + table.name() + " has no column " + name)));
      }
      List<Integer> deferredList = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        if (deferred.contains(columns.get(i).name())) {
          if (!columns.get(i).nullable()) {
            throw new SQLException("cannot load " + table.name() + ": " + columns.get(i).name()
                + " references a table loaded later (a cycle) and is NOT NULL");
          }
          deferredList.add(i);
        }
      }
      this.deferredIndexes = deferredList.stream().mapToInt(Integer::intValue).toArray();
      this.keyIndexes = table.primaryKey().stream().mapToInt(columnNames::indexOf).toArray();
      if (deferredIndexes.length > 0 && (keyIndexes.length == 0 || java.util.Arrays.stream(keyIndexes).anyMatch(i -> i < 0))) {
        throw new SQLException("cannot load " + table.name() + ": it references itself but its key is not given");
      }
      String sql = "INSERT INTO " + TransferDialect.quote(table.name()) + " ("
          + columns.stream().map(c -> TransferDialect.quote(c.name())).collect(Collectors.joining(", "))
          + ") VALUES (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
      if (dialect == TransferDialect.POSTGRESQL) {
        this.insert = null;
        this.copyRows = new StringBuilder(1 << 16);
        this.copySql = "COPY " + TransferDialect.quote(table.name()) + " ("
            + columns.stream().map(c -> TransferDialect.quote(c.name())).collect(Collectors.joining(", "))
            + ") FROM STDIN (FORMAT csv)";
      } else {
        this.insert = target.prepareStatement(sql);
        this.copyRows = null;
        this.copySql = null;
      }
    }

    /** Adds one row: values in {@code columnNames} order, of the Java types of the columns' types. */
    public void add(Object[] values) throws SQLException {
      boolean keepDeferred = false;
      for (int i : deferredIndexes) {
        keepDeferred |= values[i] != null;
      }
      if (keepDeferred) {
        deferredRows.add(values.clone());
      }
      int d = 0;
      for (int i = 0; i < columns.size(); i++) {
        boolean isDeferred = d < deferredIndexes.length && deferredIndexes[d] == i;
        if (isDeferred) {
          d++;
        }
        Object value = isDeferred ? null : values[i];
        if (copyRows != null) {
          if (i > 0) {
            copyRows.append(',');
          }
          Values.appendCsv(copyRows, value, columns.get(i));
        } else {
          Values.bind(insert, i + 1, value, columns.get(i), dialect);
        }
      }
      if (copyRows != null) {
        copyRows.append('\n');
      } else {
        insert.addBatch();
      }
      if (++pending >= batchSize) {
        flush();
      }
    }

    /** Rows inserted so far (flushed). */
    public long written() {
      return written;
    }

    /** Sends the last batch; returns the number of rows inserted. */
    public long finish() throws SQLException {
      flush();
      return written;
    }

    /** Sets the deferred column values (call after every table is loaded). */
    public void applyDeferred() throws SQLException {
      if (deferredRows.isEmpty()) {
        return;
      }
      String sql = "UPDATE " + TransferDialect.quote(table.name()) + " SET "
          + java.util.Arrays.stream(deferredIndexes).mapToObj(i -> TransferDialect.quote(columns.get(i).name()) + " = ?")
              .collect(Collectors.joining(", "))
          + " WHERE " + java.util.Arrays.stream(keyIndexes).mapToObj(i -> TransferDialect.quote(columns.get(i).name()) + " = ?")
              .collect(Collectors.joining(" AND "));
      try (PreparedStatement update = connection.prepareStatement(sql)) {
        int count = 0;
        for (Object[] row : deferredRows) {
          int p = 1;
          for (int i : deferredIndexes) {
            Values.bind(update, p++, row[i], columns.get(i), dialect);
          }
          for (int i : keyIndexes) {
            Values.bind(update, p++, row[i], columns.get(i), dialect);
          }
          update.addBatch();
          if (++count % batchSize == 0) {
            update.executeBatch();
          }
        }
        update.executeBatch();
      }
      deferredRows.clear();
    }

    private void flush() throws SQLException {
      if (pending == 0) {
        return;
      }
      if (copyRows != null) {
        try {
          connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
              .copyIn(copySql, new java.io.StringReader(copyRows.toString()));
        } catch (java.io.IOException e) {
          throw new SQLException("COPY into " + table.name() + " failed: " + e.getMessage(), e);
        }
        copyRows.setLength(0);
      } else {
        insert.executeBatch();
      }
      written += pending;
      pending = 0;
    }

    @Override
    public void close() throws SQLException {
      if (insert != null) {
        insert.close();
      }
    }
  }
}
