package io.pipelit.pipelitd.storage;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Opens pgjdbc connections with pipelitd's settings and classifies their failures. Every connection
 * setting lives here, so the daemon's pool and Flyway connect the same way.
 *
 * <p>The password travels only as the {@code password} property, never inside a JDBC URL: drivers,
 * Flyway and stack traces print URLs freely.
 */
final class PostgresConnections {

  /** {@code ApplicationName} when the URL has no {@code application_name}: shows in pg_stat_activity. */
  static final String DEFAULT_APPLICATION_NAME = "pipelitd";

  /**
   * Added to the statement timeout to get the socket read timeout, in seconds: the server cancels a
   * statement at statement_timeout, so a read that waits this much longer means a dead network path
   * (TCP keepalive alone would take hours to notice).
   */
  private static final int SOCKET_TIMEOUT_MARGIN_S = 30;

  /** libpq option of a {@code DATABASE_URL} to the pgjdbc property it becomes. */
  private static final Map<String, String> URL_OPTIONS = Map.of(
      "sslmode", "sslmode",
      "application_name", "ApplicationName",
      "connect_timeout", "connectTimeout",
      "sslrootcert", "sslrootcert",
      "sslcert", "sslcert",
      "sslkey", "sslkey");

  /** libpq's sslmode values; pgjdbc understands them as they are. */
  private static final Set<String> SSL_MODES =
      Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  /**
   * An option name is echoed in an error only when it looks like one: a password pasted into the query
   * string by mistake must not end up in a log line.
   */
  private static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");

  /**
   * SQLSTATEs of a server that ended or refused the session: administrator or crash shutdown, cannot
   * connect now (starting up or shutting down), idle-session timeout.
   */
  private static final Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03", "57P05");

  /** One driver instance: no DriverManager scan, no dependence on the context class loader. */
  private static final Driver DRIVER = new Driver();

  private PostgresConnections() {}

  /**
   * The URL's query options as pgjdbc properties, in URL order, plus the default application name.
   *
   * @throws IllegalArgumentException on an option pipelitd does not understand or a bad value
   */
  static Map<String, String> driverOptions(DatabaseUrl url) {
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, String> option : url.options().entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      String property = URL_OPTIONS.get(name);
      if (property == null) {
        String shown = OPTION_NAME.matcher(name).matches() ? "'" + name + "'" : "an option";
        throw new IllegalArgumentException("DATABASE_URL has " + shown + " pipelitd does not support: "
            + "use sslmode, application_name, connect_timeout, sslrootcert, sslcert or sslkey");
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException("DATABASE_URL option " + name + " needs a value");
      }
      if (name.equals("sslmode") && !SSL_MODES.contains(value)) {
        throw new IllegalArgumentException("DATABASE_URL option sslmode must be one of disable, allow, prefer, "
            + "require, verify-ca, verify-full");
      }
      if (name.equals("connect_timeout") && !value.matches("[0-9]{1,6}")) {
        throw new IllegalArgumentException("DATABASE_URL option connect_timeout must be a whole number of seconds");
      }
      properties.put(property, value);
    }
    properties.putIfAbsent("ApplicationName", DEFAULT_APPLICATION_NAME);
    return properties;
  }

  /** {@code jdbc:postgresql://host:port/db?options}, without user or password (see {@link DatabaseUrl#jdbcUrl()}). */
  static String jdbcUrl(DatabaseUrl url) {
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://")
        .append(url.host().indexOf(':') >= 0 ? "[" + url.host() + "]" : url.host())
        .append(':').append(url.port())
        .append('/').append(encode(url.database()));
    char separator = '?';
    for (Map.Entry<String, String> property : driverOptions(url).entrySet()) {
      jdbc.append(separator).append(property.getKey()).append('=').append(encode(property.getValue()));
      separator = '&';
    }
    return jdbc.toString();
  }

  /**
   * Connection properties: user and password, timeouts, keepalive, batched-insert rewriting, then the
   * URL's own options (so {@code connect_timeout} in the URL wins over {@code connectTimeoutMs}).
   *
   * @param connectTimeoutMs   TCP connect timeout in milliseconds, rounded up to whole seconds (pgjdbc's unit)
   * @param statementTimeoutMs server-side {@code statement_timeout} in milliseconds; 0 for none (and then
   *                           no socket read timeout either)
   */
  static Properties properties(DatabaseUrl url, int connectTimeoutMs, int statementTimeoutMs) {
    Properties properties = new Properties();
    if (url.user() != null) {
      properties.setProperty("user", url.user());
    }
    if (url.password() != null) {
      properties.setProperty("password", url.password());
    }
    properties.setProperty("connectTimeout", Integer.toString(ceilSeconds(connectTimeoutMs)));
    if (statementTimeoutMs > 0) {
      properties.setProperty("options", "-c statement_timeout=" + statementTimeoutMs);
      properties.setProperty("socketTimeout",
          Integer.toString(ceilSeconds(statementTimeoutMs) + SOCKET_TIMEOUT_MARGIN_S));
    }
    properties.setProperty("tcpKeepAlive", "true");
    // Turns executeBatch() of INSERTs into multi-row INSERTs: one round trip instead of one per row.
    properties.setProperty("reWriteBatchedInserts", "true");
    properties.putAll(driverOptions(url));
    return properties;
  }

  /**
   * A DataSource (for Flyway) with the same settings as the daemon's connections, no statement timeout,
   * and sessions in UTC like {@link #open}.
   */
  static PGSimpleDataSource dataSource(DatabaseUrl url, int connectTimeoutMs) {
    PGSimpleDataSource dataSource = new UtcDataSource();
    dataSource.setServerNames(new String[] {url.host()});
    dataSource.setPortNumbers(new int[] {url.port()});
    dataSource.setDatabaseName(url.database());
    Properties properties = properties(url, connectTimeoutMs, 0);
    for (String name : properties.stringPropertyNames()) {
      try {
        dataSource.setProperty(name, properties.getProperty(name));
      } catch (SQLException e) {
        // Only names pgjdbc knows are set above; reaching this is a bug.
        throw new IllegalStateException("pgjdbc refused the property " + name, e);
      }
    }
    return dataSource;
  }

  /**
   * Opens a connection in auto-commit mode with the session time zone set to UTC. pgjdbc sends the
   * JVM's zone as TimeZone at login, which would make {@code now()} and {@code CURRENT_TIMESTAMP}
   * defaults of TIMESTAMP columns depend on the host; pipelitd stores naive UTC everywhere.
   */
  static Connection open(String jdbcUrl, Properties properties) throws SQLException {
    Connection connection = DRIVER.connect(jdbcUrl, properties);
    if (connection == null) {
      throw new SQLException("pgjdbc does not accept the URL " + jdbcUrl);
    }
    return UtcDataSource.utc(connection);
  }

  /**
   * Sets the session time zone to UTC on every connection it hands out (see {@link #open}). Flyway's own
   * {@code initSql} would do the same but is deprecated in Flyway 13; a driver-level {@code options=-c
   * TimeZone=UTC} would not, as pgjdbc's TimeZone startup parameter is applied after it.
   */
  private static final class UtcDataSource extends PGSimpleDataSource {
    @Override
    public Connection getConnection() throws SQLException {
      return utc(super.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return utc(super.getConnection(user, password));
    }

    private static Connection utc(Connection connection) throws SQLException {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET TIME ZONE 'UTC'");
      } catch (SQLException e) {
        closeQuietly(connection);
        throw e;
      }
      return connection;
    }
  }

  /**
   * True when {@code failure} means the connection (or the server) is gone: SQLSTATE class 08, an
   * administrator/crash shutdown, or an I/O error under an SQLException, anywhere in the cause chain.
   */
  static boolean isConnectionLoss(Throwable failure) {
    boolean fromDriver = false;
    for (Throwable t : chain(failure)) {
      // Only an I/O error under an SQLException is the driver's: a work's own file I/O says nothing
      // about the connection.
      if (t instanceof IOException && fromDriver) {
        return true;
      }
      fromDriver |= t instanceof SQLException;
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || SERVER_GONE.contains(state)) {
          return true;
        }
      }
    }
    return false;
  }

  /** True on a serialization failure (40001) or a deadlock (40P01) anywhere in the cause chain. */
  static boolean isConflict(Throwable failure) {
    return sqlState(failure, "40001", "40P01") != null;
  }

  /**
   * True when PostgreSQL refused a text value it cannot store: a NUL character in text (22021,
   * character_not_in_repertoire) or {@code \\u0000} in JSON (22P05, untranslatable_character).
   * SQLite stores such values, PostgreSQL never does; it is the caller's input, not a server fault.
   */
  static boolean isUnstorableText(Throwable failure) {
    return sqlState(failure, "22021", "22P05") != null;
  }

  /** True on a deadlock (40P01) anywhere in the cause chain. */
  static boolean isDeadlock(Throwable failure) {
    return sqlState(failure, "40P01") != null;
  }

  /** The first SQLSTATE in the cause chain that is one of {@code wanted}, or null. */
  static String sqlState(Throwable failure, String... wanted) {
    for (Throwable t : chain(failure)) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        for (String state : wanted) {
          if (state.equals(sql.getSQLState())) {
            return state;
          }
        }
      }
    }
    return null;
  }

  /**
   * A short, one-line reason for a connection failure, without a final period: the network error when
   * there is one ("Connection refused", "unknown host db.example", "Connection reset"), else the first
   * line of the driver's message ("FATAL: database \"x\" does not exist"). Never the password, which
   * pgjdbc does not echo; {@link #redact} guards against the rest.
   */
  static String shortReason(Throwable failure) {
    List<Throwable> chain = chain(failure);
    for (Throwable t : chain) {
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
      if (t instanceof SocketTimeoutException) {
        return "timed out";
      }
      if (t instanceof EOFException) {
        return "the server closed the connection";
      }
    }
    for (Throwable t : chain) {
      if (t instanceof IOException && hasText(t.getMessage())) {
        return firstLine(t.getMessage());
      }
    }
    for (Throwable t : chain) {
      if (hasText(t.getMessage())) {
        return firstLine(t.getMessage());
      }
    }
    return failure.getClass().getSimpleName();
  }

  /**
   * {@code text} with every occurrence of {@code secret} replaced by "***". Secrets shorter than 4
   * characters are left alone: masking every "e" would make messages unreadable and protect nothing.
   */
  static String redact(String text, String secret) {
    if (text == null || secret == null || secret.length() < 4) {
      return text;
    }
    return text.replace(secret, "***");
  }

  static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // The connection is gone either way.
    }
  }

  private static String firstLine(String message) {
    String line = message.strip();
    int newline = line.indexOf('\n');
    if (newline >= 0) {
      line = line.substring(0, newline).strip();
    }
    if (line.length() > 200) {
      return line.substring(0, 200) + "...";
    }
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }

  private static boolean hasText(String text) {
    return text != null && !text.isBlank();
  }

  private static int ceilSeconds(int milliseconds) {
    return (int) ((milliseconds + 999L) / 1000L);
  }

  private static String encode(String value) {
    // pgjdbc decodes the database name and option values with URLDecoder, so encode the same way.
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * {@code failure} and its causes (and, for an SQLException without a cause, its next exception), at
   * most 16 deep so that a cyclic chain cannot loop.
   */
  private static List<Throwable> chain(Throwable failure) {
    List<Throwable> chain = new ArrayList<>(4);
    for (Throwable t = failure; t != null && chain.size() < 16 && !chain.contains(t); ) {
      chain.add(t);
      Throwable cause = t.getCause();
      if (cause == null && t instanceof SQLException sql) {
        cause = sql.getNextException();
      }
      t = cause;
    }
    return chain;
  }
}
