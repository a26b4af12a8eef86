package io.pipelit.pipelitd.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * Opens SQLite connections with pipelitd's settings. PRAGMAs are per connection, so every connection is
 * configured here through {@link SQLiteConfig}, never by a one-off statement elsewhere.
 */
final class SqliteConnections {

  private SqliteConnections() {}

  /**
   * Creates the database file and its folders when missing, the file readable by its owner only (0600):
   * it holds password hashes and key digests, and SQLite gives its -wal and -shm files the same mode.
   * An existing file is left as it is (the operator's choice).
   */
  static void createPrivately(Path file) throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    // Under the file's set-up lock: a second process must not initialise the file while the first one,
    // having initialised it, already migrates it.
    SqliteFileLock.holding(SqliteFileLock.of(file), () -> {
      createAndInitialise(file);
      return null;
    });
  }

  private static void createAndInitialise(Path file) throws IOException {
    if (Files.exists(file)) {
      if (Files.size(file) == 0) {
        enableIncrementalVacuum(file); // an empty file (touched, or created by a crashed start) is still new
      }
      return;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException createdMeanwhile) {
      // another process created it first: fine
    }
    enableIncrementalVacuum(file);
  }

  /**
   * Makes a new, empty database file give space back on demand: {@code auto_vacuum=INCREMENTAL} lets a
   * prune release free pages with {@code PRAGMA incremental_vacuum} in short steps instead of a full
   * VACUUM. SQLite accepts the setting only before the first table is created, and only before the file
   * is switched to WAL, so it is written here, on a plain connection, before any other connection (the
   * writer's, Flyway's) opens the file. A file that already holds a header is left as it is.
   */
  static void enableIncrementalVacuum(Path file) throws IOException {
    try (Connection connection = new SQLiteConfig().createConnection(jdbcUrl(file));
         Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
      statement.execute("PRAGMA journal_mode = WAL"); // writes the header, which records auto_vacuum
    } catch (SQLException e) {
      throw new IOException("cannot initialise the new SQLite file " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code jdbc:sqlite:/abs/path}. sqlite-jdbc reads URL parameters after a '?', so a path must not hold one. */
  static String jdbcUrl(Path file) {
    String path = file.toAbsolutePath().normalize().toString();
    if (path.indexOf('?') >= 0) {
      throw new IllegalArgumentException("a SQLite file path must not contain '?'");
    }
    return "jdbc:sqlite:" + path;
  }

  /**
   * WAL, foreign keys on, busy timeout and synchronous as configured, and no JDBC generated keys.
   *
   * <p>Generated keys are off because sqlite-jdbc implements them by running an extra
   * {@code SELECT last_insert_rowid()} after every INSERT and leaving that statement un-reset: an extra
   * query per write on the writer thread, and a statement "in progress" that keeps a read transaction
   * open (it blocks {@code VACUUM INTO} and pins the WAL). Use {@code INSERT ... RETURNING id} instead.
   */
  static SQLiteConfig config(String synchronous, int busyTimeoutMs) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout(busyTimeoutMs);
    // setPragma rather than setSynchronous: SynchronousMode has no EXTRA.
    config.setPragma(SQLiteConfig.Pragma.SYNCHRONOUS, synchronous);
    config.setGetGeneratedKeys(false);
    return config;
  }

  /** The writer's connection, in auto-commit mode: the writer issues BEGIN IMMEDIATE / COMMIT itself. */
  static Connection openWriter(SqliteOptions options) throws SQLException {
    return config(options.synchronous(), options.busyTimeoutMs()).createConnection(jdbcUrl(options.file()));
  }

  /** A read connection: opened read-only and with {@code query_only}, so a stray write fails loudly. */
  static Connection openReader(SqliteOptions options) throws SQLException {
    SQLiteConfig config = config(options.synchronous(), options.busyTimeoutMs());
    config.setReadOnly(true);
    Connection connection = config.createConnection(jdbcUrl(options.file()));
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA query_only = 1");
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
    return connection;
  }

  static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Nothing to do: the connection is gone either way.
    }
  }
}
