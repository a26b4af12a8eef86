package io.pipelit.pipelitd.storage;

import java.nio.file.Path;
import java.util.Map;

/**
 * A parsed {@code DATABASE_URL}, in Pipelit's (SQLAlchemy's) forms:
 * <ul>
 *   <li>{@code sqlite:///platform/db.sqlite3}: a path relative to the working directory;</li>
 *   <li>{@code sqlite:////var/lib/pipelit/db.sqlite3}: an absolute path;</li>
 *   <li>{@code postgresql://user:pass@host:5432/db?sslmode=require} (also {@code postgres://} and
 *       {@code postgresql+psycopg2://}); user and password URL-decoded.</li>
 * </ul>
 *
 * @param backend    which database
 * @param sqlitePath absolute, normalised file path (SQLite only, else null)
 * @param host       PostgreSQL host (else null)
 * @param port       PostgreSQL port (5432 when absent; 0 for SQLite)
 * @param database   PostgreSQL database name (else null)
 * @param user       PostgreSQL user, decoded (may be null)
 * @param password   PostgreSQL password, decoded (may be null): never log it
 * @param options    query options such as {@code sslmode}, decoded, in order
 */
public record DatabaseUrl(
    Backend backend,
    Path sqlitePath,
    String host,
    int port,
    String database,
    String user,
    String password,
    Map<String, String> options) {

  public enum Backend { SQLITE, POSTGRESQL }

  /**
   * Parses a URL; a relative SQLite path is resolved against {@code workingDirectory}.
   *
   * @throws IllegalArgumentException with a message that never contains the password
   */
  public static DatabaseUrl parse(String url, Path workingDirectory) {
    return DatabaseUrlParser.parse(url, workingDirectory);
  }

  /** For logs: "SQLite /abs/path" or "PostgreSQL user@host:port/db" (no password). */
  public String describe() {
    return switch (backend) {
      case SQLITE -> "SQLite " + sqlitePath;
      case POSTGRESQL -> "PostgreSQL " + (user == null ? "" : user + "@") + host + ":" + port + "/" + database;
    };
  }

  /**
   * The JDBC URL of this database, without user or password (pass those as connection properties; a
   * JDBC URL ends up in driver and Flyway messages):
   * <ul>
   *   <li>SQLite: {@code jdbc:sqlite:/abs/path};</li>
   *   <li>PostgreSQL: {@code jdbc:postgresql://host:port/db?...} with the libpq options mapped to pgjdbc's:
   *       {@code sslmode} as is (disable, allow, prefer, require, verify-ca, verify-full),
   *       {@code application_name} to {@code ApplicationName} (default "pipelitd"),
   *       {@code connect_timeout} (seconds) to {@code connectTimeout} (seconds), and {@code sslrootcert},
   *       {@code sslcert}, {@code sslkey} as they are.</li>
   * </ul>
   *
   * @throws IllegalArgumentException on any other PostgreSQL option, or a bad value; the message names
   *                                  the option, never its value or the password
   */
  public String jdbcUrl() {
    return switch (backend) {
      case SQLITE -> SqliteConnections.jdbcUrl(sqlitePath);
      case POSTGRESQL -> PostgresConnections.jdbcUrl(this);
    };
  }

  @Override
  public String toString() {
    return describe();
  }
}
