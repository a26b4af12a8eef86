package io.pipelit.pipelitd.storage.transfer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies every row of one database into another whose schema is already in place (the same migrations
 * applied), in both directions between SQLite and PostgreSQL: tables in foreign-key order, ids preserved,
 * values converted ({@link Values}), PostgreSQL sequences re-seeded, all in one target transaction (a
 * failure leaves the target as it was). The source is read from one snapshot. Afterwards every table is
 * verified: row count and content checksum of the source (taken while copying) against the target
 * (read back after the commit).
 *
 * <p>Tables only the source has (for example checkpoint tables sharing a PostgreSQL database) are not
 * copied and are reported. Encrypted values are text and are copied as they are.
 */
public final class DatabaseCopy {
  private DatabaseCopy() {}

  /** One table's verification. */
  public record TableResult(String table, TableSummary source, TableSummary target) {
    public boolean matches() {
      return source.rows() == target.rows() && source.checksum().equals(target.checksum());
    }
  }

  /**
   * @param tables    every copied table, in load order
   * @param notCopied      source tables the target schema does not have
   * @param droppedColumns per table, source columns the target lacks (only with {@link Rows#byName})
   */
  public record Result(List<TableResult> tables, List<String> notCopied, Map<String, List<String>> droppedColumns) {
    public boolean verified() {
      return tables.stream().allMatch(TableResult::matches);
    }

    public long rows() {
      return tables.stream().mapToLong(t -> t.target().rows()).sum();
    }
  }

  /** The target already holds rows (and no truncation was asked for). */
  public static final class TargetNotEmptyException extends SQLException {
    private static final long serialVersionUID = 1L;
    private final List<String> tables;

    TargetNotEmptyException(List<String> tables) {
      super("the target database is not empty (rows in " + String.join(", ", tables) + ")");
      this.tables = List.copyOf(tables);
    }

    public List<String> tables() {
      return tables;
    }
  }

  /** Tables of {@code catalog} among {@code names} that hold at least one row. */
  public static List<String> nonEmptyTables(Connection c, List<Table> tables) throws SQLException {
    List<String> nonEmpty = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      for (Table t : tables) {
        try (ResultSet rows = s.executeQuery("SELECT 1 FROM " + TransferDialect.quote(t.name()) + " LIMIT 1")) {
          if (rows.next()) {
            nonEmpty.add(t.name());
          }
        }
      }
    }
    return nonEmpty;
  }

  /**
   * Copies {@code source} into {@code target} (blocking; both connections are left in auto-commit mode).
   *
   * @param truncate empty the target's tables first (in the same transaction) instead of refusing
   * @throws TargetNotEmptyException when the target holds rows and {@code truncate} is false
   * @throws SQLException            on a database failure or a source column the target lacks; the target
   *                                 is rolled back
   */
  public static Result copy(Connection source, Connection target, int batchSize, boolean truncate,
      Progress progress) throws SQLException {
    return copy(source, target, name -> true, batchSize, truncate, progress);
  }

  /**
   * {@link #copy(Connection, Connection, int, boolean, Progress)} limited to the tables {@code include}
   * accepts (by name): the main database and the checkpoint tables may share one PostgreSQL database.
   */
  public static Result copy(Connection source, Connection target, java.util.function.Predicate<String> include,
      int batchSize, boolean truncate, Progress progress) throws SQLException {
    return copy(source, target, include, Rows.EXACT, batchSize, truncate, progress);
  }

  /**
   * How rows are carried over. {@link #EXACT}: same columns on both sides (a source column the target
   * lacks is an error), values as they are. {@link #byName}: the columns both have, each row passed
   * through a transformation first (adopting a database of another schema); the checksum then compares
   * the transformed rows with what the target holds.
   */
  public record Rows(boolean dropMissingColumns, RowTransform transform) {
    public static final Rows EXACT = new Rows(false, (table, columns, values) -> values);

    public static Rows byName(RowTransform transform) {
      return new Rows(true, transform);
    }
  }

  /** Changes one row on its way (values of the target columns' Java types, in {@code columns} order). */
  @FunctionalInterface
  public interface RowTransform {
    /** Returns the values to insert (may be {@code values} itself, changed in place). */
    Object[] apply(String table, List<String> columns, Object[] values) throws SQLException;
  }

  /** The general form: which tables, how rows are carried over, batch size, truncation and progress. */
  public static Result copy(Connection source, Connection target, java.util.function.Predicate<String> include,
      Rows mode, int batchSize, boolean truncate, Progress progress) throws SQLException {
    TableCatalog from = TableCatalog.read(source);
    TableCatalog to = TableCatalog.read(target);
    List<Table> load = new ArrayList<>();
    for (Table t : to.tables()) {
      if (include.test(t.name()) && from.table(t.name()).isPresent()) {
        load.add(t);
      }
    }
    List<String> notCopied = from.tables().stream().map(Table::name)
        .filter(name -> include.test(name) && to.table(name).isEmpty()).toList();
    Map<String, List<String>> dropped = new LinkedHashMap<>();
    for (Table t : load) {
      for (Column c : from.table(t.name()).orElseThrow().columns()) {
        if (t.column(c.name()).isEmpty() && mode.dropMissingColumns()) {
          dropped.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(c.name());
        } else if (t.column(c.name()).isEmpty()) {
          throw new SQLException("column " + t.name() + "." + c.name() + " exists in the source but not in the"
              + " target: the two schemas differ (migrate both to the same version first)");
        }
      }
    }
    List<String> loadOrder = load.stream().map(Table::name).toList();
    Map<String, TableSummary> sourceSummaries = new LinkedHashMap<>();
    target.setAutoCommit(false);
    try {
      List<String> nonEmpty = nonEmptyTables(target, load);
      if (!nonEmpty.isEmpty()) {
        if (!truncate) {
          throw new TargetNotEmptyException(nonEmpty);
        }
        to.dialect().empty(target, load);
      }
      from.dialect().beginSnapshot(source);
      List<RowMover.TableWriter> writers = new ArrayList<>();
      try {
        for (Table t : load) {
          Table sourceTable = from.table(t.name()).orElseThrow();
          RowMover.TableWriter writer = copyTable(source, from.dialect(), sourceTable, target, t,
              TableCatalog.deferredColumns(t, loadOrder), mode, batchSize, progress, sourceSummaries);
          writers.add(writer);
        }
        for (RowMover.TableWriter writer : writers) {
          writer.applyDeferred();
        }
      } finally {
        for (RowMover.TableWriter writer : writers) {
          writer.close();
        }
        source.rollback(); // read only: ends the snapshot
        source.setAutoCommit(true);
      }
      for (Table t : load) {
        to.dialect().reseed(target, t);
      }
      target.commit();
    } catch (SQLException | RuntimeException e) {
      target.rollback();
      throw e;
    } finally {
      target.setAutoCommit(true);
    }
    List<TableResult> results = new ArrayList<>();
    to.dialect().beginSnapshot(target);
    try {
      for (Table t : load) {
        results.add(new TableResult(t.name(), sourceSummaries.get(t.name()),
            ContentDigest.summarize(target, t, sourceColumnsAsTarget(from.table(t.name()).orElseThrow(), t))));
      }
    } finally {
      target.rollback();
      target.setAutoCommit(true);
    }
    return new Result(results, notCopied, dropped);
  }

  /** The target's columns the source also has, in the source's column order (as values are read and digested). */
  private static List<Column> sourceColumnsAsTarget(Table sourceTable, Table targetTable) {
    return sourceTable.columns().stream().filter(c -> targetTable.column(c.name()).isPresent())
        .map(c -> targetTable.column(c.name()).orElseThrow()).toList();
  }

  private static RowMover.TableWriter copyTable(Connection source, TransferDialect sourceDialect,
      Table sourceTable, Connection target, Table targetTable, Set<String> deferred, Rows mode, int batchSize,
      Progress progress, Map<String, TableSummary> summaries) throws SQLException {
    List<Column> readColumns = sourceTable.columns().stream()
        .filter(c -> targetTable.column(c.name()).isPresent()).toList();
    List<Column> targetColumns = sourceColumnsAsTarget(sourceTable, targetTable);
    List<String> names = readColumns.stream().map(Column::name).toList();
    ContentDigest digest = new ContentDigest(targetColumns.stream().map(Column::type).toList(),
        !sourceTable.primaryKey().isEmpty());
    RowMover.TableWriter writer = new RowMover.TableWriter(target, targetTable,
        readColumns.stream().map(Column::name).toList(), deferred, batchSize);
    long started = System.nanoTime();
    progress.tableStarted(targetTable.name(), -1);
    try (Statement s = source.createStatement()) {
      s.setFetchSize(batchSize);
      try (ResultSet rows = s.executeQuery(RowMover.selectSql(sourceDialect, sourceTable, readColumns))) {
        long count = 0;
        while (rows.next()) {
          Object[] values = new Object[readColumns.size()];
          for (int i = 0; i < values.length; i++) {
            Object value = Values.read(rows, i + 1, readColumns.get(i), sourceDialect);
            try {
              values[i] = Values.convert(value, targetColumns.get(i).type());
            } catch (IllegalArgumentException e) {
              throw new SQLException(targetTable.name() + "." + readColumns.get(i).name() + ": " + e.getMessage(), e);
            }
          }
          values = mode.transform().apply(targetTable.name(), names, values);
          digest.add(values);
          writer.add(values);
          if (++count % batchSize == 0) {
            progress.rowsMoved(targetTable.name(), count);
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      writer.close();
      throw e;
    }
    long rows = writer.finish();
    progress.tableDone(targetTable.name(), rows, System.nanoTime() - started);
    summaries.put(targetTable.name(), new TableSummary(targetTable.name(), digest.rows(), digest.hex()));
    return writer;
  }
}
