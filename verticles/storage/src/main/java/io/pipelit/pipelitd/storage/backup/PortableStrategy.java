package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.pipelit.pipelitd.storage.JdbcConnections;
import io.pipelit.pipelitd.storage.transfer.PortableArchive;
import io.pipelit.pipelitd.storage.transfer.Progress;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@link BackupFormat#PORTABLE}: the built-in logical archive ({@link PortableArchive}, gzip'd JSON
 * lines), needing no external tool and restorable into either backend. PostgreSQL backups use it when
 * no usable {@code pg_dump} is installed, or when it is chosen explicitly.
 *
 * <p>The checkpoint tables ({@link #CHECKPOINT_TABLES}) are not part of the main database's archive:
 * the main migrations do not create them (the checkpoint store does), so an archive holding them could
 * not be restored; when they share the PostgreSQL database, a restore leaves them as they are.
 */
final class PortableStrategy implements BackupStrategy {
  /** Tables the checkpoint store creates itself (see the checkpoints module's Schema). */
  static final Set<String> CHECKPOINT_TABLES = Set.of("checkpoints", "writes");
  /** The scratch schema a PostgreSQL restore is built in before it replaces public. */
  static final String SCRATCH_SCHEMA = "pipelitd_restore";

  private final String pipelitdVersion;

  PortableStrategy(String pipelitdVersion) {
    this.pipelitdVersion = pipelitdVersion;
  }

  @Override
  public BackupFormat format() {
    return BackupFormat.PORTABLE;
  }

  @Override
  public JsonObject write(DatabaseUrl source, Path folder, String baseName, BackupFiles.StreamOpener opener,
      Cancellation cancellation) throws Exception {
    String fileName = baseName + ".portable.gz";
    Path partial = folder.resolve(fileName + SqliteFileStrategy.PARTIAL);
    Path target = folder.resolve(fileName);
    try {
      cancellation.check();
      PortableArchive.Summary summary;
      try (OutputStream out = new BufferedOutputStream(opener.open(partial), 1 << 16)) {
        summary = PortableArchive.write(source, name -> !CHECKPOINT_TABLES.contains(name), pipelitdVersion, out,
            Progress.silent());
      }
      cancellation.check();
      BackupFiles.publish(partial, target);
      JsonObject counts = new JsonObject();
      summary.tables().forEach(table -> counts.put(table.table(), table.source().rows()));
      return BackupManifest.fileEntry(target, format(), "gzip", counts, summary.header().schemaVersion());
    } catch (Exception e) {
      BackupFiles.deleteQuietly(partial);
      BackupFiles.deleteQuietly(target);
      throw e;
    }
  }

  /** Checksum, then the whole archive reads back (every table's checksum) with the manifest's row counts. */
  @Override
  public JsonObject verify(Path folder, JsonObject entry) throws Exception {
    Path file = BackupManifest.entryFile(folder, entry);
    BackupManifest.checkChecksum(file, entry);
    Map<String, Long> rows;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      rows = PortableArchive.verify(in);
    } catch (java.io.IOException e) {
      throw new BackupException(entry.getString("file") + " does not read back: " + e.getMessage());
    }
    JsonObject expected = entry.getJsonObject("row_counts", new JsonObject());
    if (!expected.fieldNames().equals(rows.keySet())) {
      throw new BackupException(entry.getString("file") + " holds tables " + rows.keySet() + " but the manifest"
          + " lists " + expected.fieldNames());
    }
    for (Map.Entry<String, Long> table : rows.entrySet()) {
      if (!table.getValue().equals(expected.getLong(table.getKey()))) {
        throw new BackupException(entry.getString("file") + ": table " + table.getKey() + " has " + table.getValue()
            + " rows, the manifest says " + expected.getLong(table.getKey()));
      }
    }
    return new JsonObject().put("file", entry.getString("file")).put("sha256", true).put("read_back", true)
        .put("tables", rows.size());
  }

  @Override
  public void restore(Path folder, JsonObject entry, DatabaseUrl target, Consumer<String> progress) throws Exception {
    progress.accept("checking " + entry.getString("file") + " (SHA-256, reading the whole archive back)");
    verify(folder, entry);
    Path file = BackupManifest.entryFile(folder, entry);
    switch (target.backend()) {
      case SQLITE -> restoreIntoSqlite(file, target, progress);
      case POSTGRESQL -> restoreIntoPostgres(file, target, progress);
    }
    progress.accept("restored " + target.describe() + " from " + file);
  }

  /** Into a new file beside the database, which replaces it only once loaded and verified. */
  private static void restoreIntoSqlite(Path file, DatabaseUrl target, Consumer<String> progress) throws Exception {
    Path database = target.sqlitePath().toAbsolutePath();
    Files.createDirectories(database.getParent());
    Path staged = database.resolveSibling(database.getFileName() + ".restoring");
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      BackupFiles.deleteQuietly(Path.of(staged + suffix));
    }
    try {
      progress.accept("loading the archive into " + staged);
      DatabaseUrl stagedUrl = DatabaseUrl.parse("sqlite:///" + staged, database.getParent());
      PortableArchive.Summary summary;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        summary = PortableArchive.restore(stagedUrl, in, Progress.silent());
      }
      requireVerified(summary);
      BackupFiles.fsync(staged);
      SqliteFileStrategy.replaceWith(staged, database, progress);
    } finally {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        BackupFiles.deleteQuietly(Path.of(staged + suffix));
      }
    }
  }

  /**
   * All or nothing without an external tool: the archive is migrated and loaded into the scratch schema
   * {@value #SCRATCH_SCHEMA} (public is not touched; a failure there just drops the scratch schema), then
   * ONE transaction empties public ({@link PgSchemaReset}, sparing the checkpoint tables), moves every
   * restored table (with its indexes, constraints and owned sequences) into public and drops the scratch
   * schema. PostgreSQL's DDL is transactional, so readers see the old schema or the new one, never a mix.
   */
  private static void restoreIntoPostgres(Path file, DatabaseUrl target, Consumer<String> progress)
      throws Exception {
    try (Connection c = JdbcConnections.open(target, "pipelitd-restore"); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCRATCH_SCHEMA + " CASCADE");
      s.execute("CREATE SCHEMA " + SCRATCH_SCHEMA);
      try {
        progress.accept("loading the archive into schema " + SCRATCH_SCHEMA + " of " + target.describe());
        s.execute("SET search_path TO " + SCRATCH_SCHEMA);
        FlywayRunner runner = FlywayRunner.forPostgres(target, PortableArchive.defaultMigrations(target.backend()),
            SCRATCH_SCHEMA);
        PortableArchive.Summary summary;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
          summary = PortableArchive.restore(c, runner, target.describe(), in, Progress.silent());
        }
        requireVerified(summary);
        progress.accept("replacing schema public with the restored tables (one transaction)");
        s.execute("SET search_path TO public");
        swapIntoPublic(c, s);
      } finally {
        if (!c.getAutoCommit()) {
          c.rollback();
          c.setAutoCommit(true);
        }
        s.execute("DROP SCHEMA IF EXISTS " + SCRATCH_SCHEMA + " CASCADE");
      }
    }
  }

  private static void swapIntoPublic(Connection c, Statement s) throws SQLException {
    c.setAutoCommit(false);
    try {
      s.execute(PgSchemaReset.dropEverythingIn("public", CHECKPOINT_TABLES));
      List<String> moves = new ArrayList<>();
      // Tables carry their indexes, constraints and owned sequences along; free-standing sequences move alone.
      try (ResultSet rows = s.executeQuery("SELECT c.relname, c.relkind FROM pg_catalog.pg_class c"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + SCRATCH_SCHEMA + "'"
          + " AND (c.relkind IN ('r', 'p') OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
          + " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))))")) {
        while (rows.next()) {
          moves.add("ALTER " + ("S".equals(rows.getString(2)) ? "SEQUENCE " : "TABLE ") + SCRATCH_SCHEMA + "."
              + quote(rows.getString(1)) + " SET SCHEMA public");
        }
      }
      for (String move : moves) {
        s.execute(move);
      }
      // RESTRICT: anything the move missed fails the transaction instead of vanishing silently.
      s.execute("DROP SCHEMA " + SCRATCH_SCHEMA + " RESTRICT");
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void requireVerified(PortableArchive.Summary summary) {
    if (!summary.verified()) {
      throw new BackupException("the restored tables do not match the archive's checksums; nothing was replaced");
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
