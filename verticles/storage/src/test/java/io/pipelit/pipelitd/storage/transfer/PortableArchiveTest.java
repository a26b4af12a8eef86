package io.pipelit.pipelitd.storage.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.pipelit.pipelitd.storage.JdbcConnections;
import io.pipelit.pipelitd.storage.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PortableArchive and the pieces under it, on a schema with every converted type, a self-reference, a
 * two-table cycle and a table without a primary key: written from either backend and restored into
 * either, with identical content, verified; a damaged archive and a non-empty target are refused.
 */
class PortableArchiveTest {
  static final String JSON = "{\"b\": [1, 2.50, {\"x\": null}], \"a\": \"ü\\\"\"}";

  @TempDir
  Path folder;

  static List<String> migrations(DatabaseUrl.Backend backend) {
    return List.of("classpath:db/transfer-" + (backend == DatabaseUrl.Backend.SQLITE ? "sqlite" : "postgresql"));
  }

  private int files;

  DatabaseUrl fresh(DatabaseUrl.Backend backend) {
    return backend == DatabaseUrl.Backend.SQLITE
        ? DatabaseUrl.parse("sqlite:///" + folder.resolve("t" + (++files) + ".sqlite3"), folder)
        : TestPostgres.freshDatabase();
  }

  static FlywayRunner runner(DatabaseUrl url) {
    return url.backend() == DatabaseUrl.Backend.SQLITE
        ? FlywayRunner.forSqlite(url.sqlitePath(), migrations(url.backend()))
        : FlywayRunner.forPostgres(url, migrations(url.backend()));
  }

  /** A migrated database with rows in every table, the cycle and the self-reference set. */
  DatabaseUrl filled(DatabaseUrl.Backend backend) throws SQLException {
    DatabaseUrl url = fresh(backend);
    runner(url).migrate();
    try (Connection c = JdbcConnections.open(url, "test")) {
      boolean pg = backend == DatabaseUrl.Backend.POSTGRESQL;
      try (PreparedStatement s = c.prepareStatement("INSERT INTO owners (id, name, active, created_at, settings, ratio,"
          + " cost, avatar, mentor_id) VALUES (?, ?, ?, ?, " + (pg ? "CAST(? AS jsonb)" : "?") + ", ?, ?, ?, ?)")) {
        for (int i = 1; i <= 2_500; i++) {
          s.setLong(1, i * 3L);
          s.setString(2, "owner " + i + " ✓");
          s.setBoolean(3, i % 2 == 0);
          if (pg) {
            s.setObject(4, java.time.LocalDateTime.of(2026, 3, 1, 10, 0, i % 60, i * 1000));
          } else {
            s.setString(4, String.format("2026-03-01 10:00:%02d.%06d", i % 60, i));
          }
          if (i % 5 == 0) {
            s.setNull(5, java.sql.Types.NULL);
          } else {
            s.setString(5, i % 7 == 0 ? "null" : JSON);
          }
          s.setDouble(6, i / 3.0);
          s.setBigDecimal(7, new java.math.BigDecimal("0.000123").multiply(java.math.BigDecimal.valueOf(i)));
          s.setBytes(8, new byte[] {0, (byte) i, (byte) 0xff});
          if (i > 1) {
            s.setLong(9, (i % 3 == 0 ? i + 1 : i - 1) * 3L); // some point forwards: a self-reference to a later row
          } else {
            s.setNull(9, java.sql.Types.BIGINT);
          }
          s.addBatch();
        }
        // Forward references only resolve at commit: insert without them first on SQLite (immediate FKs).
        c.setAutoCommit(false);
        if (!pg) {
          try (Statement off = c.createStatement()) {
            off.execute("PRAGMA defer_foreign_keys = ON");
          }
        } else {
          try (Statement off = c.createStatement()) {
            off.execute("ALTER TABLE owners DROP CONSTRAINT owners_mentor_id_fkey");
          }
        }
        s.executeBatch();
        if (pg) {
          try (Statement on = c.createStatement()) {
            on.execute("ALTER TABLE owners ADD CONSTRAINT owners_mentor_id_fkey FOREIGN KEY (mentor_id)"
                + " REFERENCES owners (id) ON DELETE SET NULL");
          }
        }
        c.commit();
        c.setAutoCommit(true);
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO items (id, owner_id, payload) VALUES ('b-item', 3, '{\"k\": 1}'), ('a-item', 6, '[]'),"
            + " ('Z-item', 6, '{}'), ('é-item', 9, '\"x\"')");
        s.executeUpdate("UPDATE owners SET best_item = 'a-item' WHERE id = 3");
        s.executeUpdate("INSERT INTO tags (label, item) VALUES ('t', 'a-item'), ('t', 'a-item'), ('u', NULL)");
      }
    }
    return url;
  }

  static Map<String, TableSummary> summaries(DatabaseUrl url) throws SQLException {
    Map<String, TableSummary> out = new LinkedHashMap<>();
    try (Connection c = JdbcConnections.open(url, "test")) {
      for (Table t : TableCatalog.read(c).tables()) {
        out.put(t.name(), ContentDigest.summarize(c, t, t.columns()));
      }
    }
    return out;
  }

  @Test
  void catalogOrdersByForeignKeysAndDefersTheCycleAndSelfReference() throws SQLException {
    DatabaseUrl url = fresh(DatabaseUrl.Backend.SQLITE);
    runner(url).migrate();
    try (Connection c = JdbcConnections.open(url, "test")) {
      TableCatalog catalog = TableCatalog.read(c);
      List<String> order = catalog.tables().stream().map(Table::name).toList();
      assertEquals(List.of("owners", "items", "tags"), order, "flyway_schema_history is not listed");
      assertTrue(catalog.hasFlywayHistory());
      assertEquals(java.util.Set.of("mentor_id", "best_item"),
          TableCatalog.deferredColumns(catalog.table("owners").orElseThrow(), order));
      assertEquals(java.util.Set.of(), TableCatalog.deferredColumns(catalog.table("items").orElseThrow(), order));
      Table owners = catalog.table("owners").orElseThrow();
      assertEquals(List.of("id"), owners.primaryKey());
      assertEquals(ColumnType.BOOLEAN, owners.column("active").orElseThrow().type());
      assertEquals(ColumnType.TIMESTAMP, owners.column("created_at").orElseThrow().type());
      assertEquals(ColumnType.JSON, owners.column("settings").orElseThrow().type());
      assertEquals(ColumnType.NUMERIC, owners.column("cost").orElseThrow().type());
      assertEquals(ColumnType.BINARY, owners.column("avatar").orElseThrow().type());
    }
  }

  @Test
  void postgresCatalogSeesIdentityColumnsAndTheSameOrder() throws SQLException {
    DatabaseUrl url = fresh(DatabaseUrl.Backend.POSTGRESQL);
    runner(url).migrate();
    try (Connection c = JdbcConnections.open(url, "test")) {
      TableCatalog catalog = TableCatalog.read(c);
      assertEquals(List.of("owners", "items", "tags"), catalog.tables().stream().map(Table::name).toList());
      assertTrue(catalog.table("owners").orElseThrow().column("id").orElseThrow().identity());
      assertEquals(ColumnType.JSON, catalog.table("items").orElseThrow().column("payload").orElseThrow().type());
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseUrl.Backend.class)
  void archiveRestoresIntoBothBackendsWithIdenticalContent(DatabaseUrl.Backend sourceBackend) throws Exception {
    DatabaseUrl source = filled(sourceBackend);
    Map<String, TableSummary> expected = summaries(source);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    PortableArchive.Summary written = PortableArchive.write(source, "9.9-test", archive, Progress.silent());
    assertEquals("1", written.header().schemaVersion());
    assertEquals(2_500, written.tables().get(0).source().rows());
    String header = new String(new GZIPInputStream(new ByteArrayInputStream(archive.toByteArray())).readNBytes(200),
        StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"format\":\"pipelitd-portable-archive\""), header);

    for (DatabaseUrl.Backend targetBackend : DatabaseUrl.Backend.values()) {
      DatabaseUrl target = fresh(targetBackend);
      PortableArchive.Summary restored = PortableArchive.restore(target, migrations(targetBackend),
          new ByteArrayInputStream(archive.toByteArray()), Progress.silent());
      assertTrue(restored.verified(), restored.toString());
      assertEquals(expected, summaries(target), sourceBackend + " -> " + targetBackend);
      try (Connection c = JdbcConnections.open(target, "test"); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO owners (name) VALUES ('after restore')");
        try (ResultSet rows = s.executeQuery("SELECT max(id) FROM owners")) {
          rows.next();
          assertEquals(7_501, rows.getLong(1), "ids continue after the restored ones");
        }
      }
    }
  }

  @Test
  void copyBetweenBackendsVerifiesAndRefusesANonEmptyTarget() throws Exception {
    DatabaseUrl source = filled(DatabaseUrl.Backend.SQLITE);
    DatabaseUrl target = fresh(DatabaseUrl.Backend.POSTGRESQL);
    runner(target).migrate();
    try (Connection from = JdbcConnections.open(source, "test"); Connection to = JdbcConnections.open(target, "test")) {
      DatabaseCopy.Result result = DatabaseCopy.copy(from, to, 100, false, Progress.silent());
      assertTrue(result.verified(), result.toString());
      assertEquals(2_500 + 4 + 3, result.rows());
      assertThrows(DatabaseCopy.TargetNotEmptyException.class,
          () -> DatabaseCopy.copy(from, to, 100, false, Progress.silent()));
      assertTrue(DatabaseCopy.copy(from, to, 100, true, Progress.silent()).verified());
    }
    assertEquals(summaries(source), summaries(target));
  }

  @Test
  void aDamagedArchiveIsRefusedAndLeavesNothing() throws Exception {
    DatabaseUrl source = filled(DatabaseUrl.Backend.SQLITE);
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    PortableArchive.write(source, "test", archive, Progress.silent());
    String text = new String(new GZIPInputStream(new ByteArrayInputStream(archive.toByteArray())).readAllBytes(),
        StandardCharsets.UTF_8);
    String tampered = text.replace("\"owner 17 ✓\"", "\"owner 17 X\"");
    ByteArrayOutputStream damaged = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(damaged)) {
      gzip.write(tampered.getBytes(StandardCharsets.UTF_8));
    }
    DatabaseUrl target = fresh(DatabaseUrl.Backend.SQLITE);
    IOException failure = assertThrows(IOException.class, () -> PortableArchive.restore(target,
        migrations(DatabaseUrl.Backend.SQLITE), new ByteArrayInputStream(damaged.toByteArray()), Progress.silent()));
    assertTrue(failure.getMessage().contains("owners"), failure.getMessage());
    assertEquals(0, summaries(target).get("owners").rows(), "nothing kept");
    assertThrows(IOException.class, () -> PortableArchive.readHeader(
        new ByteArrayInputStream("not gzip".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void canonicalJsonIgnoresKeyOrderSpacingAndNumberForm() {
    assertEquals(Values.canonicalJson("{\"a\":\"ü\\\"\",\"b\":[1,2.5,{\"x\":null}]}"), Values.canonicalJson(JSON));
    assertEquals("null", Values.canonicalJson("null"));
    assertTrue(Values.canonicalJson("{not json").startsWith("invalid-json:"));
  }

  @Test
  void timestampsInEveryFormPipelitWritesReadAsNaiveUtc() {
    assertEquals(java.time.LocalDateTime.of(2026, 3, 1, 10, 0, 0, 123_456_000),
        Values.convert("2026-03-01 10:00:00.123456", ColumnType.TIMESTAMP));
    assertEquals(java.time.LocalDateTime.of(2026, 3, 1, 10, 0), Values.convert("2026-03-01 10:00:00", ColumnType.TIMESTAMP));
    assertEquals(java.time.LocalDateTime.of(2026, 3, 1, 9, 0, 0, 500_000_000),
        Values.convert("2026-03-01T10:00:00.5+01:00", ColumnType.TIMESTAMP));
    assertThrows(IllegalArgumentException.class, () -> Values.convert("2026-13-01 10:00:00", ColumnType.TIMESTAMP));
  }
}
