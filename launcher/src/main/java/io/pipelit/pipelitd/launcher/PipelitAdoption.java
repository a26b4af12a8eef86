package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.checkpoints.impl.Schema;
import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.EncryptedColumns;
import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.JdbcConnections;
import io.pipelit.pipelitd.storage.transfer.DatabaseCopy;
import io.pipelit.pipelitd.storage.transfer.Progress;
import io.pipelit.pipelitd.storage.transfer.Table;
import io.pipelit.pipelitd.storage.transfer.TableCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adopting a SQLite database made by Pipelit (reference §1.13, §1.14, §5): one built by its start-up
 * {@code create_all}, or by its Alembic chain at head {@value #ALEMBIC_HEAD}.
 *
 * <p>Nothing is changed in place. The original is first copied with {@code VACUUM INTO} to
 * {@code <name>.pipelit-original-<UTC time>} next to it (the snapshot, kept for good); the pipelitd schema
 * is built by pipelitd's own Flyway migrations in {@code <name>.adopting}; every row of every table both
 * schemas have is carried over from the snapshot by column name, ids preserved, with what pipelitd stores
 * differently transformed on the way:
 * <ul>
 *   <li>{@code api_keys.key}: Pipelit's plaintext bearer token becomes its SHA-256 digest (ApiKeys), so the
 *       same tokens keep working and none is stored any more; an empty prefix is filled in;</li>
 *   <li>every column pipelitd encrypts ({@link EncryptedColumns}): a Fernet token that the configured key
 *       opens is kept as it is (Pipelit encrypted it with the same kind of key); plaintext (Pipelit leaves
 *       {@code custom_headers}, {@code webhook_secret} and tool {@code config} unencrypted) is sealed; a
 *       token the key does not open stops the adoption (wrong FIELD_ENCRYPTION_KEY).</li>
 * </ul>
 * Tables pipelitd does not have (Alembic's {@code alembic_version}, the orphaned {@code epics} and
 * {@code tasks}, dormant tables) and columns it does not have ({@code telegram_user_id}, left by the
 * Alembic chain on SQLite) are reported and stay in the snapshot. Counts and checksums of the transformed
 * rows are verified, then the new file replaces the original with one atomic rename.
 */
final class PipelitAdoption {
  private PipelitAdoption() {}

  /** The last revision of Pipelit's Alembic chain (reference §5.2). */
  static final String ALEMBIC_HEAD = "c5d6e7f8a9b0";
  /** Tables every Pipelit database has (§1.16); a database with them and no Flyway history is Pipelit's. */
  static final Set<String> PIPELIT_CORE = Set.of("user_profiles", "api_keys", "workflows", "credentials",
      "workflow_nodes", "component_configs");
  static final String ALEMBIC_TABLE = "alembic_version";

  enum Kind { CREATE_ALL, ALEMBIC }

  /** A recognised Pipelit database. {@code alembicRevision} is null for a create_all one. */
  record Detection(Kind kind, String alembicRevision) {
    String describe() {
      return kind == Kind.ALEMBIC ? "a Pipelit database migrated by Alembic (revision " + alembicRevision + ")"
          : "a Pipelit database created by create_all";
    }
  }

  /** What an adoption does (or did). */
  record Report(Detection detection, Map<String, Long> rows, Map<String, Long> leftovers,
      Map<String, List<String>> droppedColumns, long keysHashed, long secretsSealed, long secretsKept,
      Path snapshot, DatabaseCopy.Result verification) {}

  /** The Pipelit kind of the SQLite database on {@code c}, or null when it is not one (pipelitd's own, empty). */
  static Detection detect(Connection c) throws SQLException {
    Set<String> tables = new TreeSet<>();
    try (Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      while (rows.next()) {
        tables.add(rows.getString(1));
      }
    }
    if (tables.contains(TableCatalog.FLYWAY_HISTORY) || !tables.containsAll(PIPELIT_CORE)) {
      return null;
    }
    if (!tables.contains(ALEMBIC_TABLE)) {
      return new Detection(Kind.CREATE_ALL, null);
    }
    try (Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT version_num FROM " + ALEMBIC_TABLE)) {
      return new Detection(Kind.ALEMBIC, rows.next() ? rows.getString(1) : null);
    }
  }

  /** Whether the SQLite file at {@code url} is a Pipelit database (false for a missing file or PostgreSQL). */
  static boolean isPipelit(DatabaseUrl url) {
    if (url.backend() != DatabaseUrl.Backend.SQLITE || !Files.isRegularFile(url.sqlitePath())) {
      return false;
    }
    try (Connection c = JdbcConnections.openSqliteReadOnly(url.sqlitePath())) {
      return detect(c) != null;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Reports what adopting would change, writing nothing next to the database (the pipelitd schema to compare
   * with is built in a temporary folder). {@code keyring} may be null: secrets are then counted, not checked.
   */
  static Report dryRun(Path file, FieldKeyring keyring) throws SQLException, IOException {
    Path scratch = Files.createTempDirectory("pipelitd-adopt-");
    try (Connection source = JdbcConnections.openSqliteReadOnly(file)) {
      Detection detection = requireAdoptable(source, file);
      Path schemaFile = scratch.resolve("schema.sqlite3");
      Migrations.runner(sqlite(schemaFile)).migrate();
      TableCatalog from = TableCatalog.read(source);
      TableCatalog to;
      try (Connection schema = JdbcConnections.open(sqlite(schemaFile), "pipelitd-adopt")) {
        to = TableCatalog.read(schema);
      }
      Map<String, Long> rows = new LinkedHashMap<>();
      Map<String, Long> leftovers = new LinkedHashMap<>();
      Map<String, List<String>> dropped = new LinkedHashMap<>();
      for (Table t : from.tables()) {
        long count = count(source, t.name());
        if (to.table(t.name()).isEmpty()) {
          leftovers.put(t.name(), count);
          continue;
        }
        rows.put(t.name(), count);
        List<String> missing = t.columns().stream().map(c -> c.name())
            .filter(name -> to.table(t.name()).orElseThrow().column(name).isEmpty()).toList();
        if (!missing.isEmpty()) {
          dropped.put(t.name(), missing);
        }
      }
      leftovers.put(ALEMBIC_TABLE, detection.kind() == Kind.ALEMBIC ? 1L : null);
      leftovers.values().removeIf(java.util.Objects::isNull);
      long keys = rows.getOrDefault("api_keys", 0L);
      long[] secrets = keyring == null ? new long[] {-1, -1} : secrets(source, from, keyring);
      long sealed = secrets[0]; // -1: not checked, there is no key to check with
      long kept = secrets[1];
      return new Report(detection, rows, leftovers, dropped, keys, sealed, kept, null, null);
    } finally {
      deleteRecursively(scratch);
    }
  }

  /**
   * Counts the values of the encrypted columns that would be sealed (plaintext) and kept (tokens the key
   * opens): {sealed, kept}.
   *
   * @throws SQLException when a token does not open with {@code keyring} (the wrong key)
   */
  static long[] secrets(Connection source, TableCatalog catalog, FieldKeyring keyring) throws SQLException {
    long sealed = 0;
    long kept = 0;
    for (EncryptedColumns.Column column : EncryptedColumns.ALL) {
      if (catalog.table(column.table()).flatMap(t -> t.column(column.column())).isEmpty()) {
        continue;
      }
      try (Statement s = source.createStatement(); ResultSet values = s.executeQuery("SELECT " + column.column()
          + " FROM " + column.table() + " WHERE " + column.column() + " IS NOT NULL AND " + column.column() + " <> ''")) {
        while (values.next()) {
          switch (keyring.decrypt(values.getString(1)).status()) {
            case OK -> kept++;
            case NOT_A_TOKEN -> sealed++;
            case UNDECRYPTABLE -> throw wrongKey(column);
          }
        }
      }
    }
    return new long[] {sealed, kept};
  }

  /**
   * Adopts the Pipelit database at {@code file} (see the class comment). The caller holds the instance
   * guard and Pipelit is stopped. On any failure the original is left as it was (the snapshot stays).
   */
  static Report adopt(Path file, FieldKeyring keyring, Progress progress) throws SQLException, IOException {
    Path snapshot = file.resolveSibling(file.getFileName() + ".pipelit-original-"
        + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss", Locale.ROOT)));
    Detection detection;
    // Checked read-only first: a database that cannot be adopted, or the wrong key, changes nothing at all.
    try (Connection original = JdbcConnections.openSqliteReadOnly(file)) {
      detection = requireAdoptable(original, file);
      secrets(original, TableCatalog.read(original), keyring);
    }
    try (Connection original = JdbcConnections.open(sqlite(file), "pipelitd-adopt")) {
      // Fold the WAL into the file, so that nothing of the original lives outside it once it is replaced.
      try (Statement s = original.createStatement(); ResultSet done = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        done.next();
      }
      if (Files.exists(snapshot)) {
        throw new IOException("the snapshot " + snapshot + " already exists");
      }
      try (PreparedStatement vacuum = original.prepareStatement("VACUUM INTO ?")) {
        vacuum.setString(1, snapshot.toString());
        vacuum.execute();
      }
    }
    Path building = file.resolveSibling(file.getFileName() + ".adopting");
    deleteDatabaseFiles(building);
    AtomicLong keys = new AtomicLong();
    AtomicLong sealed = new AtomicLong();
    AtomicLong kept = new AtomicLong();
    DatabaseCopy.Result result;
    try {
      Migrations.runner(sqlite(building)).migrate();
      try (Connection source = JdbcConnections.openSqliteReadOnly(snapshot);
           Connection target = JdbcConnections.open(sqlite(building), "pipelitd-adopt")) {
        result = DatabaseCopy.copy(source, target, name -> !name.equals(ALEMBIC_TABLE) && !Schema.TABLES.contains(name),
            DatabaseCopy.Rows.byName((table, columns, values) -> transform(table, columns, values, keyring, keys,
                sealed, kept)), 1_000, false, progress);
      }
      if (!result.verified()) {
        throw new SQLException("verification failed: the adopted database differs from the original");
      }
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-wal"));
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-shm"));
      Files.move(building, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteDatabaseFiles(building);
      Files.deleteIfExists(building.resolveSibling(building.getFileName() + ".migrate-lock"));
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    result.tables().forEach(t -> rows.put(t.table(), t.target().rows()));
    Map<String, Long> leftovers = new LinkedHashMap<>();
    try (Connection snap = JdbcConnections.openSqliteReadOnly(snapshot)) {
      for (String table : result.notCopied()) {
        leftovers.put(table, count(snap, table));
      }
      if (detection.kind() == Kind.ALEMBIC) {
        leftovers.put(ALEMBIC_TABLE, count(snap, ALEMBIC_TABLE));
      }
    }
    return new Report(detection, rows, leftovers, result.droppedColumns(), keys.get(), sealed.get(), kept.get(),
        snapshot, result);
  }

  /** What pipelitd stores differently, applied to one row on its way (see the class comment). */
  static Object[] transform(String table, List<String> columns, Object[] values, FieldKeyring keyring,
      AtomicLong keys, AtomicLong sealed, AtomicLong kept) throws SQLException {
    if (table.equals("api_keys")) {
      int key = columns.indexOf("key");
      int prefix = columns.indexOf("prefix");
      if (key >= 0 && values[key] instanceof String plaintext && !plaintext.isEmpty()) {
        if (prefix >= 0 && (values[prefix] == null || values[prefix].toString().isEmpty())) {
          values[prefix] = ApiKeys.prefix(plaintext);
        }
        values[key] = ApiKeys.hash(plaintext);
        keys.incrementAndGet();
      }
    }
    for (EncryptedColumns.Column column : EncryptedColumns.ALL) {
      if (!column.table().equals(table)) {
        continue;
      }
      int index = columns.indexOf(column.column());
      if (index < 0 || !(values[index] instanceof String stored) || stored.isEmpty()) {
        continue;
      }
      Decryption opened = keyring.decrypt(stored);
      switch (opened.status()) {
        case OK -> kept.incrementAndGet();
        case NOT_A_TOKEN -> {
          values[index] = keyring.encrypt(stored);
          sealed.incrementAndGet();
        }
        case UNDECRYPTABLE -> throw wrongKey(column);
      }
    }
    return values;
  }

  private static SQLException wrongKey(EncryptedColumns.Column column) {
    return new SQLException("FIELD_ENCRYPTION_KEY does not decrypt the values in " + column.qualified()
        + ": set it to the key Pipelit used (its .env); nothing was changed");
  }

  private static Detection requireAdoptable(Connection c, Path file) throws SQLException {
    Detection detection = detect(c);
    if (detection == null) {
      throw new SQLException(file + " is not a Pipelit database (no Pipelit tables, or already a pipelitd one)");
    }
    if (detection.kind() == Kind.ALEMBIC && !ALEMBIC_HEAD.equals(detection.alembicRevision())) {
      throw new SQLException(file + " is at Alembic revision " + detection.alembicRevision() + ", not at the head "
          + ALEMBIC_HEAD + ": run Pipelit's `alembic upgrade head` first, then adopt");
    }
    return detection;
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT count(*) FROM \"" + table.replace("\"", "\"\"") + "\"")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static DatabaseUrl sqlite(Path file) {
    return new DatabaseUrl(DatabaseUrl.Backend.SQLITE, file.toAbsolutePath().normalize(), null, 0, null, null, null,
        Map.of());
  }

  private static void deleteDatabaseFiles(Path file) throws IOException {
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
    }
  }

  private static void deleteRecursively(Path folder) throws IOException {
    try (var paths = Files.walk(folder)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The report as lines for a terminal. */
  static List<String> lines(Report report, boolean dryRun) {
    List<String> lines = new ArrayList<>();
    lines.add((dryRun ? "would adopt " : "adopted ") + report.detection().describe());
    if (report.snapshot() != null) {
      lines.add("snapshot of the original (kept): " + report.snapshot());
    }
    report.rows().forEach((table, rows) -> lines.add(String.format(Locale.ROOT, "  %-28s %10d rows %s", table, rows,
        dryRun ? "to move" : "moved")));
    report.droppedColumns().forEach((table, columns) -> lines.add("  column(s) pipelitd has no place for, kept in the"
        + " snapshot only: " + table + "." + String.join(", " + table + ".", columns)));
    report.leftovers().forEach((table, rows) -> lines.add(String.format(Locale.ROOT,
        "  %-28s %10d rows not part of pipelitd's schema: kept in the snapshot only", table, rows)));
    lines.add((dryRun ? "would hash " : "hashed ") + report.keysHashed() + " API key(s) (plaintext tokens become"
        + " SHA-256 digests; the same tokens keep working)");
    if (report.secretsSealed() < 0) {
      lines.add("secrets not checked: FIELD_ENCRYPTION_KEY is not set (adopting needs the key Pipelit used)");
    } else {
      lines.add((dryRun ? "would seal " : "sealed ") + report.secretsSealed() + " plaintext secret(s) with"
          + " FIELD_ENCRYPTION_KEY; " + report.secretsKept() + " already encrypted value(s) kept as they are");
    }
    if (report.verification() != null) {
      lines.add("verified: " + report.verification().tables().size() + " tables, " + report.verification().rows()
          + " rows, counts and checksums match");
    }
    return lines;
  }
}
