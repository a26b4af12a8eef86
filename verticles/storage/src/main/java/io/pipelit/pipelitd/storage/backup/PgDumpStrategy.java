package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link BackupFormat#PG_DUMP}: {@code pg_dump --format=custom} (compressed by pg_dump itself). The row
 * counts of the manifest and the dump come from one snapshot: a REPEATABLE READ transaction exports its
 * snapshot, counts the tables, and pg_dump runs with {@code --snapshot} while that transaction stays
 * open, so the counts describe exactly what the dump holds.
 */
final class PgDumpStrategy implements BackupStrategy {

  @Override
  public BackupFormat format() {
    return BackupFormat.PG_DUMP;
  }

  @Override
  public JsonObject write(DatabaseUrl source, Path folder, String baseName, BackupFiles.StreamOpener opener,
      Cancellation cancellation) throws Exception {
    String fileName = baseName + ".dump";
    Path partial = folder.resolve(fileName + SqliteFileStrategy.PARTIAL);
    Path target = folder.resolve(fileName);
    try (Connection connection = PgTools.connect(source)) {
      connection.setAutoCommit(false);
      JsonObject counts = new JsonObject();
      String schemaVersion = null;
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        String snapshot;
        try (ResultSet rows = statement.executeQuery("SELECT pg_export_snapshot()")) {
          rows.next();
          snapshot = rows.getString(1);
        }
        List<String> tables = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
          while (rows.next()) {
            tables.add(rows.getString(1));
          }
        }
        for (String table : tables) {
          try (ResultSet rows = statement.executeQuery(
              "SELECT count(*) FROM public.\"" + table.replace("\"", "\"\"") + "\"")) {
            rows.next();
            counts.put(table, rows.getLong(1));
          }
        }
        if (tables.contains("flyway_schema_history")) {
          try (ResultSet rows = statement.executeQuery("SELECT version FROM public.flyway_schema_history"
              + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
            schemaVersion = rows.next() ? rows.getString(1) : null;
          }
        }
        cancellation.check();
        List<String> command = new ArrayList<>(List.of("pg_dump", "--format=custom", "--snapshot=" + snapshot,
            "--file", partial.toString()));
        command.addAll(PgTools.connectionArguments(source));
        PgTools.Outcome outcome = PgTools.run(command, PgTools.environment(source), cancellation);
        cancellation.check();
        if (!outcome.ok()) {
          throw new BackupException("pg_dump failed (exit " + outcome.exitCode() + "): " + outcome.stderr().strip());
        }
      } finally {
        connection.rollback();
      }
      BackupFiles.publish(partial, target);
      return BackupManifest.fileEntry(target, format(), "pg_dump", counts, schemaVersion);
    } catch (Exception e) {
      BackupFiles.deleteQuietly(partial);
      BackupFiles.deleteQuietly(target);
      throw e;
    }
  }

  @Override
  public JsonObject verify(Path folder, JsonObject entry) throws Exception {
    Path file = BackupManifest.entryFile(folder, entry);
    BackupManifest.checkChecksum(file, entry);
    PgTools.Outcome listing = PgTools.run(List.of("pg_restore", "--list", file.toString()), java.util.Map.of(), null);
    if (!listing.ok()) {
      throw new BackupException("pg_restore --list fails on " + entry.getString("file") + ": "
          + listing.stderr().strip());
    }
    // Every table that had rows must have its data in the archive.
    for (String table : entry.getJsonObject("row_counts", new JsonObject()).fieldNames()) {
      long rows = entry.getJsonObject("row_counts").getLong(table);
      if (rows > 0 && !listing.stdout().contains("TABLE DATA public " + table + " ")) {
        throw new BackupException(entry.getString("file") + " lacks the data of table " + table);
      }
    }
    return new JsonObject().put("file", entry.getString("file")).put("sha256", true).put("pg_restore_list", true);
  }

  /**
   * Restores the dump so that the target becomes exactly the backup's database, all or nothing.
   *
   * <p>Why not {@code pg_restore --clean}: it drops only the objects the dump names, so a database
   * migrated past the dump's schema keeps the newer tables, and their foreign keys to the dumped tables
   * make {@code DROP CONSTRAINT ..._pkey} fail. Instead {@code pg_restore} turns the archive into a SQL
   * script (a file; a corrupt archive fails here, before the database is touched), and {@code psql}
   * runs {@link PgSchemaReset} (drop everything in schema public) followed by that script in ONE
   * transaction with ON_ERROR_STOP: either the whole backup replaces the whole schema, or (any error)
   * the transaction rolls back and nothing changed. Streaming pg_restore straight into psql would risk
   * committing a half script when pg_restore dies midway; the intermediate file rules that out.
   */
  @Override
  public void restore(Path folder, JsonObject entry, DatabaseUrl target, Consumer<String> progress) throws Exception {
    progress.accept("checking " + entry.getString("file") + " (SHA-256, pg_restore --list)");
    verify(folder, entry);
    Path file = BackupManifest.entryFile(folder, entry);
    Path work = BackupFiles.createPrivateTempDirectory("pipelitd-restore-");
    try {
      Path script = work.resolve("restore.sql");
      Path prelude = work.resolve("reset.sql");
      progress.accept("pg_restore: converting " + entry.getString("file") + " to SQL");
      PgTools.Outcome converted = PgTools.run(List.of("pg_restore", "--no-owner", "--exit-on-error",
          "--file", script.toString(), file.toString()), java.util.Map.of(), null);
      if (!converted.ok()) {
        throw new BackupException("pg_restore cannot read " + entry.getString("file") + " (exit "
            + converted.exitCode() + "), nothing was changed: " + converted.stderr().strip());
      }
      Files.writeString(prelude, PgSchemaReset.dropEverythingIn("public"));
      progress.accept("psql: replacing schema public of " + target.describe() + " (one transaction)");
      List<String> command = new ArrayList<>(List.of("psql", "--no-psqlrc", "--quiet", "--single-transaction",
          "--set", "ON_ERROR_STOP=1", "--file", prelude.toString(), "--file", script.toString()));
      command.addAll(PgTools.connectionArguments(target));
      PgTools.Outcome outcome;
      try {
        outcome = PgTools.run(command, PgTools.environment(target), null);
      } catch (java.io.IOException e) {
        throw new BackupException("cannot run psql (install the PostgreSQL client tools, e.g. Debian's"
            + " postgresql-client), nothing was changed: " + e.getMessage());
      }
      if (!outcome.ok()) {
        throw new BackupException("the restore failed (psql exit " + outcome.exitCode() + "), nothing was"
            + " changed (single transaction): " + outcome.stderr().strip());
      }
    } finally {
      BackupFiles.deleteTreeQuietly(work);
    }
    progress.accept("restored " + target.describe() + " from " + file);
  }
}
