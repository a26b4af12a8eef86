package io.pipelit.pipelitd.storage.transfer;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.pipelit.pipelitd.storage.JdbcConnections;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A whole database in one backend-independent file, restorable into an empty SQLite or PostgreSQL
 * database: gzip'd UTF-8 JSON lines.
 *
 * <pre>
 * {"format":"pipelitd-portable-archive","format_version":1,"schema_version":"3","pipelitd_version":"…",
 *  "source_backend":"sqlite","created_at":"2026-…Z"}
 * {"table":"user_profiles","columns":[{"name":"id","type":"INTEGER"},…],"primary_key":["id"]}
 * [1,"admin",…]                                   one JSON array per row, in primary-key order
 * {"end_table":"user_profiles","rows":1,"checksum":"…"}
 * …                                               every table, in foreign-key order
 * {"end_archive":true,"tables":12}
 * </pre>
 *
 * Values: integers, doubles and booleans as JSON numbers and booleans; decimals, timestamps (naive UTC,
 * six fraction digits), JSON documents and text as strings; binary as base64. The checksum is
 * {@link ContentDigest}'s, so a restore is verified against it. Flyway's history is not in the archive:
 * the target is migrated to the archive's {@code schema_version} with its own migrations first.
 *
 * <p>Blocking: run it on a worker thread.
 */
public final class PortableArchive {
  public static final String FORMAT = "pipelitd-portable-archive";
  public static final int FORMAT_VERSION = 1;

  private PortableArchive() {}

  /** The archive's first line. {@code schemaVersion} is null for a database without Flyway history. */
  public record Header(String schemaVersion, String pipelitdVersion, String sourceBackend, String createdAt) {
    JsonObject toJson() {
      return new JsonObject().put("format", FORMAT).put("format_version", FORMAT_VERSION)
          .put("schema_version", schemaVersion).put("pipelitd_version", pipelitdVersion)
          .put("source_backend", sourceBackend).put("created_at", createdAt);
    }

    static Header fromJson(JsonObject json) throws IOException {
      if (!FORMAT.equals(json.getString("format"))) {
        throw new IOException("not a pipelitd portable archive");
      }
      if (!Integer.valueOf(FORMAT_VERSION).equals(json.getInteger("format_version"))) {
        throw new IOException("unsupported portable archive format version " + json.getValue("format_version"));
      }
      return new Header(json.getString("schema_version"), json.getString("pipelitd_version"),
          json.getString("source_backend"), json.getString("created_at"));
    }
  }

  /** What was written, or what was restored and how it verified (source = the archive's figures). */
  public record Summary(Header header, List<DatabaseCopy.TableResult> tables) {
    public boolean verified() {
      return tables.stream().allMatch(DatabaseCopy.TableResult::matches);
    }
  }

  /** The main database's migrations for a backend ({@code classpath:db/migration/<backend>}). */
  public static List<String> defaultMigrations(DatabaseUrl.Backend backend) {
    return List.of("classpath:db/migration/" + backend.name().toLowerCase(Locale.ROOT));
  }

  /** Writes every table of the database at {@code url} to {@code out} (which is finished but not closed). */
  public static Summary write(DatabaseUrl url, String pipelitdVersion, OutputStream out, Progress progress)
      throws SQLException, IOException {
    return write(url, name -> true, pipelitdVersion, out, progress);
  }

  /**
   * Writes the tables {@code include} accepts (by name): e.g. without the checkpoint tables that share a
   * PostgreSQL database with the main schema.
   */
  public static Summary write(DatabaseUrl url, java.util.function.Predicate<String> include, String pipelitdVersion,
      OutputStream out, Progress progress) throws SQLException, IOException {
    try (Connection c = JdbcConnections.open(url, "pipelitd-archive")) {
      return write(c, include, pipelitdVersion, out, progress);
    }
  }

  /**
   * Writes the accepted tables of the connection's database from one snapshot (the connection ends in
   * auto-commit).
   */
  public static Summary write(Connection source, java.util.function.Predicate<String> include, String pipelitdVersion,
      OutputStream out, Progress progress) throws SQLException, IOException {
    TableCatalog catalog = TableCatalog.read(source);
    TransferDialect dialect = catalog.dialect();
    GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16);
    Writer writer = new BufferedWriter(new OutputStreamWriter(gzip, StandardCharsets.UTF_8), 1 << 16);
    List<DatabaseCopy.TableResult> results = new ArrayList<>();
    dialect.beginSnapshot(source);
    Header header;
    try {
      header = new Header(catalog.hasFlywayHistory() ? schemaVersion(source) : null, pipelitdVersion,
          dialect.name().toLowerCase(Locale.ROOT), Instant.now().toString());
      line(writer, header.toJson().encode());
      for (Table table : catalog.tables()) {
        if (!include.test(table.name())) {
          continue;
        }
        TableSummary summary = writeTable(source, dialect, table, writer, progress);
        results.add(new DatabaseCopy.TableResult(table.name(), summary, summary));
      }
      line(writer, new JsonObject().put("end_archive", true).put("tables", results.size()).encode());
    } finally {
      source.rollback();
      source.setAutoCommit(true);
    }
    writer.flush();
    gzip.finish();
    out.flush();
    return new Summary(header, results);
  }

  private static TableSummary writeTable(Connection source, TransferDialect dialect, Table table, Writer writer,
      Progress progress) throws SQLException, IOException {
    JsonArray columns = new JsonArray();
    table.columns().forEach(c -> columns.add(new JsonObject().put("name", c.name()).put("type", c.type().name())));
    line(writer, new JsonObject().put("table", table.name()).put("columns", columns)
        .put("primary_key", new JsonArray(new ArrayList<>(table.primaryKey()))).encode());
    ContentDigest digest = new ContentDigest(table.columns().stream().map(Column::type).toList(),
        !table.primaryKey().isEmpty());
    long started = System.nanoTime();
    progress.tableStarted(table.name(), -1);
    try (Statement s = source.createStatement()) {
      s.setFetchSize(RowMover.DEFAULT_BATCH);
      try (ResultSet rows = s.executeQuery(RowMover.selectSql(dialect, table, table.columns()))) {
        while (rows.next()) {
          Object[] values = new Object[table.columns().size()];
          JsonArray row = new JsonArray(new ArrayList<>(values.length));
          for (int i = 0; i < values.length; i++) {
            Column column = table.columns().get(i);
            values[i] = Values.read(rows, i + 1, column, dialect);
            row.add(Values.toArchive(values[i], column.type()));
          }
          digest.add(values);
          line(writer, row.encode());
          if (digest.rows() % RowMover.DEFAULT_BATCH == 0) {
            progress.rowsMoved(table.name(), digest.rows());
          }
        }
      }
    }
    TableSummary summary = new TableSummary(table.name(), digest.rows(), digest.hex());
    line(writer, new JsonObject().put("end_table", table.name()).put("rows", summary.rows())
        .put("checksum", summary.checksum()).encode());
    progress.tableDone(table.name(), summary.rows(), System.nanoTime() - started);
    return summary;
  }

  /** Restores into the empty main database at {@code url}, migrated first with {@link #defaultMigrations}. */
  public static Summary restore(DatabaseUrl url, InputStream in, Progress progress) throws SQLException, IOException {
    return restore(url, defaultMigrations(url.backend()), in, progress);
  }

  /**
   * Restores into the database at {@code url}: migrates it with {@code migrations} up to the archive's
   * schema version (refusing one already at another version), loads every table in one transaction
   * (refusing tables that hold rows), re-seeds sequences and verifies counts and checksums.
   *
   * @throws IOException  on a damaged or foreign file, or a checksum that does not match
   * @throws SQLException on a database failure (nothing is kept), or a non-empty target
   */
  public static Summary restore(DatabaseUrl url, List<String> migrations, InputStream in, Progress progress)
      throws SQLException, IOException {
    FlywayRunner runner = switch (url.backend()) {
      case SQLITE -> FlywayRunner.forSqlite(url.sqlitePath(), migrations);
      case POSTGRESQL -> FlywayRunner.forPostgres(url, migrations);
    };
    try (Connection c = JdbcConnections.open(url, "pipelitd-archive")) {
      return restore(c, runner, url.describe(), in, progress);
    }
  }

  /**
   * Restores into the database {@code target} is connected to, whose schema {@code runner} migrates
   * (both must point at the same schema: e.g. a scratch PostgreSQL schema that becomes public later).
   *
   * @param description the target for messages, without secrets
   */
  public static Summary restore(Connection target, FlywayRunner runner, String description, InputStream in,
      Progress progress) throws SQLException, IOException {
    BufferedReader reader = reader(in);
    Header header = Header.fromJson(json(reader.readLine()));
    if (header.schemaVersion() != null) {
      String current = runner.currentVersion();
      if (current == null) {
        runner.upTo(header.schemaVersion()).migrate();
        current = runner.currentVersion();
      }
      if (!header.schemaVersion().equals(current)) {
        throw new IOException("the archive is at schema version " + header.schemaVersion() + " but the target "
            + description + " is at " + current + " (restore into an empty database)");
      }
    }
    return restoreRows(target, header, reader, progress);
  }

  /**
   * Reads a whole archive without a database: every section closed, every table's rows matching its
   * row count and checksum. Returns the row count per table, in archive order.
   *
   * @throws IOException on a damaged, truncated or foreign file
   */
  public static java.util.Map<String, Long> verify(InputStream in) throws IOException {
    BufferedReader reader = reader(in);
    Header.fromJson(json(reader.readLine()));
    java.util.Map<String, Long> rowCounts = new java.util.LinkedHashMap<>();
    for (String text = reader.readLine(); ; text = reader.readLine()) {
      JsonObject section = json(text);
      if (section.getBoolean("end_archive", false)) {
        if (section.getInteger("tables", -1) != rowCounts.size()) {
          throw new IOException("the archive is damaged: it announces " + section.getValue("tables")
              + " tables but holds " + rowCounts.size());
        }
        return rowCounts;
      }
      String name = section.getString("table");
      if (name == null) {
        throw new IOException("the archive is damaged (a table section without a name)");
      }
      List<ColumnType> types = new ArrayList<>();
      for (Object c : section.getJsonArray("columns", new JsonArray())) {
        try {
          types.add(ColumnType.valueOf(String.valueOf(((JsonObject) c).getString("type"))));
        } catch (IllegalArgumentException | ClassCastException e) {
          throw new IOException("the archive is damaged: an unknown column type in table " + name, e);
        }
      }
      ContentDigest digest = new ContentDigest(types, !section.getJsonArray("primary_key", new JsonArray()).isEmpty());
      while (true) {
        String line = reader.readLine();
        if (line == null) {
          throw new IOException("the archive ends inside table " + name);
        }
        if (line.startsWith("{")) {
          JsonObject end = json(line);
          if (!name.equals(end.getString("end_table")) || end.getLong("rows", -1L) != digest.rows()
              || !digest.hex().equals(end.getString("checksum"))) {
            throw new IOException("the archive is damaged: table " + name + " does not match its checksum");
          }
          rowCounts.put(name, digest.rows());
          break;
        }
        JsonArray row;
        try {
          row = new JsonArray(line);
        } catch (DecodeException e) {
          throw new IOException("the archive is damaged in table " + name, e);
        }
        if (row.size() != types.size()) {
          throw new IOException("the archive is damaged in table " + name + ": a row has " + row.size()
              + " values for " + types.size() + " columns");
        }
        Object[] values = new Object[types.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = Values.fromArchive(row.getValue(i), types.get(i));
        }
        digest.add(values);
      }
    }
  }

  /** Restores into a connection whose schema is in place (the header already read). */
  private static Summary restoreRows(Connection target, Header header, BufferedReader reader, Progress progress)
      throws SQLException, IOException {
    TableCatalog catalog = TableCatalog.read(target);
    List<String> loadOrder = new ArrayList<>();
    List<RowMover.TableWriter> writers = new ArrayList<>();
    List<List<Column>> archiveColumns = new ArrayList<>();
    List<TableSummary> archiveSummaries = new ArrayList<>();
    target.setAutoCommit(false);
    try {
      for (String text = reader.readLine(); ; text = reader.readLine()) {
        JsonObject section = json(text);
        if (section.getBoolean("end_archive", false)) {
          break;
        }
        String name = section.getString("table");
        Table table = catalog.table(name).orElseThrow(() -> new IOException("the archive has table " + name
            + " which the target schema lacks"));
        if (!DatabaseCopy.nonEmptyTables(target, List.of(table)).isEmpty()) {
          throw new DatabaseCopy.TargetNotEmptyException(List.of(name));
        }
        List<Column> columns = new ArrayList<>();
        for (Object c : section.getJsonArray("columns")) {
          JsonObject column = (JsonObject) c;
          columns.add(new Column(column.getString("name"), ColumnType.valueOf(column.getString("type")), "", true, false));
        }
        loadOrder.add(name);
        archiveColumns.add(columns);
        RowMover.TableWriter writer = new RowMover.TableWriter(target, table,
            columns.stream().map(Column::name).toList(), TableCatalog.deferredColumns(table, loadOrder),
            RowMover.DEFAULT_BATCH);
        writers.add(writer);
        archiveSummaries.add(loadTable(reader, table, columns, writer, progress));
      }
      for (RowMover.TableWriter writer : writers) {
        writer.applyDeferred();
      }
      for (String name : loadOrder) {
        catalog.dialect().reseed(target, catalog.table(name).orElseThrow());
      }
      target.commit();
    } catch (SQLException | IOException | RuntimeException e) {
      target.rollback();
      throw e;
    } finally {
      for (RowMover.TableWriter writer : writers) {
        writer.close();
      }
      target.setAutoCommit(true);
    }
    List<DatabaseCopy.TableResult> results = new ArrayList<>();
    catalog.dialect().beginSnapshot(target);
    try {
      for (int i = 0; i < loadOrder.size(); i++) {
        Table table = catalog.table(loadOrder.get(i)).orElseThrow();
        results.add(new DatabaseCopy.TableResult(table.name(), archiveSummaries.get(i),
            ContentDigest.summarize(target, table, archiveColumns.get(i))));
      }
    } finally {
      target.rollback();
      target.setAutoCommit(true);
    }
    return new Summary(header, results);
  }

  private static TableSummary loadTable(BufferedReader reader, Table table, List<Column> columns,
      RowMover.TableWriter writer, Progress progress) throws IOException, SQLException {
    List<Column> targetColumns = new ArrayList<>();
    for (Column c : columns) {
      targetColumns.add(table.column(c.name()).orElseThrow(() -> new IOException("the archive has column "
          + table.name() + "." + c.name() + " which the target schema lacks")));
    }
    ContentDigest digest = new ContentDigest(columns.stream().map(Column::type).toList(), !table.primaryKey().isEmpty());
    long started = System.nanoTime();
    progress.tableStarted(table.name(), -1);
    while (true) {
      String text = reader.readLine();
      if (text == null) {
        throw new IOException("the archive ends inside table " + table.name());
      }
      if (text.startsWith("{")) {
        JsonObject end = json(text);
        if (!table.name().equals(end.getString("end_table"))) {
          throw new IOException("the archive's section of " + table.name() + " is not closed properly");
        }
        writer.finish();
        long expectedRows = end.getLong("rows", -1L);
        String expectedChecksum = end.getString("checksum", "");
        if (expectedRows != digest.rows() || !expectedChecksum.equals(digest.hex())) {
          throw new IOException("the archive is damaged: table " + table.name() + " does not match its checksum");
        }
        progress.tableDone(table.name(), expectedRows, System.nanoTime() - started);
        return new TableSummary(table.name(), expectedRows, expectedChecksum);
      }
      JsonArray row;
      try {
        row = new JsonArray(text);
      } catch (DecodeException e) {
        throw new IOException("the archive is damaged in table " + table.name(), e);
      }
      if (row.size() != columns.size()) {
        throw new IOException("the archive is damaged in table " + table.name() + ": a row has " + row.size()
            + " values for " + columns.size() + " columns");
      }
      Object[] archived = new Object[columns.size()];
      Object[] values = new Object[columns.size()];
      for (int i = 0; i < values.length; i++) {
        archived[i] = Values.fromArchive(row.getValue(i), columns.get(i).type());
        values[i] = Values.convert(archived[i], targetColumns.get(i).type());
      }
      digest.add(archived);
      writer.add(values);
      if (digest.rows() % RowMover.DEFAULT_BATCH == 0) {
        progress.rowsMoved(table.name(), digest.rows());
      }
    }
  }

  /** Reads the header of an archive without restoring it. */
  public static Header readHeader(InputStream in) throws IOException {
    return Header.fromJson(json(reader(in).readLine()));
  }

  private static BufferedReader reader(InputStream in) throws IOException {
    return new BufferedReader(new InputStreamReader(new GZIPInputStream(in, 1 << 16), StandardCharsets.UTF_8), 1 << 16);
  }

  private static JsonObject json(String line) throws IOException {
    if (line == null) {
      throw new IOException("the archive ends early (truncated file?)");
    }
    try {
      return new JsonObject(line);
    } catch (DecodeException | ClassCastException e) {
      throw new IOException("the archive is damaged (not JSON where a section mark was expected)", e);
    }
  }

  private static void line(Writer writer, String text) throws IOException {
    writer.write(text);
    writer.write('\n');
  }

  /** The version of the last successfully applied Flyway migration. */
  public static String schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT version FROM " + TransferDialect.quote(TableCatalog.FLYWAY_HISTORY)
             + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
      return rows.next() ? rows.getString(1) : null;
    }
  }
}
