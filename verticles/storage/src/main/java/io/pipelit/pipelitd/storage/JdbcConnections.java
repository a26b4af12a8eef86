package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.sqlite.SQLiteConfig;

/**
 * Plain JDBC connections for whole-database tools (copy, portable archives, adoption), which run outside
 * the daemon's write path: one connection per database, opened with the daemon's own settings, and an
 * application name of their own so that {@code pg_stat_activity} tells them apart from a daemon.
 */
public final class JdbcConnections {
  private JdbcConnections() {}

  /**
   * Opens {@code url} in auto-commit mode. SQLite: the file is created when missing (0600), WAL, foreign
   * keys on, a 5 s busy timeout, synchronous FULL. PostgreSQL: session in UTC, no statement timeout (a
   * whole-table read may take long), {@code ApplicationName} = {@code applicationName} unless the URL
   * names one.
   *
   * @throws SQLException when the database cannot be reached or opened; the message never holds the password
   */
  public static Connection open(DatabaseUrl url, String applicationName) throws SQLException {
    return switch (url.backend()) {
      case SQLITE -> openSqlite(url);
      case POSTGRESQL -> openPostgres(url, applicationName);
    };
  }

  private static Connection openSqlite(DatabaseUrl url) throws SQLException {
    try {
      SqliteConnections.createPrivately(url.sqlitePath());
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create " + url.sqlitePath() + ": " + e.getMessage(), e);
    }
    SQLiteConfig config = SqliteConnections.config("FULL", 5_000);
    return config.createConnection(SqliteConnections.jdbcUrl(url.sqlitePath()));
  }

  private static Connection openPostgres(DatabaseUrl url, String applicationName) throws SQLException {
    Properties properties = PostgresConnections.properties(url, ConfigKeys.DEFAULT_PG_CONNECT_TIMEOUT_MS, 0);
    if (!url.options().containsKey("application_name")) {
      properties.setProperty("ApplicationName", applicationName);
    }
    try {
      return PostgresConnections.open(PostgresConnections.jdbcUrl(url), properties);
    } catch (SQLException e) {
      throw new SQLException("cannot connect to " + url.describe() + ": "
          + PostgresConnections.redact(PostgresConnections.shortReason(e), url.password()), e.getSQLState(), e);
    }
  }

  /**
   * Opens an existing SQLite file read-only, without touching its journal mode or anything else: for
   * reports ("dry runs") that must write nothing.
   */
  public static Connection openSqliteReadOnly(java.nio.file.Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5_000);
    config.setOpenMode(org.sqlite.SQLiteOpenMode.READONLY);
    return config.createConnection(SqliteConnections.jdbcUrl(file));
  }

  /** The application name pipelitd's daemon connections carry unless the URL sets another. */
  public static String daemonApplicationName() {
    return PostgresConnections.DEFAULT_APPLICATION_NAME;
  }
}
