package io.pipelit.pipelitd.storage;

import static io.pipelit.pipelitd.storage.PostgresDatabaseTest.await;
import static io.pipelit.pipelitd.storage.PostgresDatabaseTest.awaitFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL going away under a running PostgresDatabase and coming back on the same data directory and
 * port. Uses a server of its own (also when {@value TestPostgres#URL_ENV} is set), as it stops it.
 */
class PostgresConnectionLossTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private int port;
  private EmbeddedPostgres server;
  private DatabaseUrl url;
  private PostgresDatabase db;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    port = TestPostgres.freePort();
    server = TestPostgres.startServer(dir.resolve("pgdata"), port);
    TestPostgres.createDatabase(TestPostgres.adminUrl(server), "lossdb");
    url = TestPostgres.withDatabase(TestPostgres.adminUrl(server), "lossdb");
    try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
    }
    DatabaseConfig config = DatabaseConfig.from(new JsonObject()
        .put(ConfigKeys.DATABASE_URL, "unused")
        .put(ConfigKeys.PG_POOL_SIZE, 4)
        .put(ConfigKeys.PG_CONNECT_TIMEOUT_MS, 2_000));
    db = await(vertx.executeBlocking(() -> PostgresDatabase.open(vertx, url, config)));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
    if (server != null) {
      server.close();
    }
  }

  private static SqlWork<Integer> insert(String name) {
    return c -> {
      PreparedStatement insert = Statements.prepare(c, "INSERT INTO items (name) VALUES (?)");
      insert.setString(1, name);
      return insert.executeUpdate();
    };
  }

  @Test
  void restartUnderWriteLoadLosesNoAcknowledgedWriteAndServiceResumesByItself() throws Exception {
    // A steady load: 4 writers, each waiting for its write before sending the next one.
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<Throwable> unexpected = new ArrayList<>();
    AtomicInteger unavailable = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sequence = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      Thread writer = new Thread(() -> {
        while (running.get()) {
          String name = "w" + sequence.incrementAndGet();
          try {
            await(db.write(insert(name)));
            acknowledged.add(name);
          } catch (StoreException e) {
            if (e.code() != ErrorCode.UNAVAILABLE) {
              synchronized (unexpected) {
                unexpected.add(e);
              }
            }
            unavailable.incrementAndGet();
            sleep(20); // what a client does with a 503: retry shortly
          } catch (Exception e) {
            synchronized (unexpected) {
              unexpected.add(e);
            }
          }
        }
      }, "test-writer-" + w);
      writer.start();
      writers.add(writer);
    }
    waitUntil(() -> acknowledged.size() >= 200, "writes before the stop");

    server.close();

    // Down: requests fail fast with UNAVAILABLE and a clear detail, and ping says so.
    waitUntil(() -> unavailable.get() > 0, "writes failing while the server is down");
    long start = System.nanoTime();
    StoreException down = assertInstanceOf(StoreException.class, awaitFailure(db.write(insert("while-down"))));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "fails fast");
    assertEquals(ErrorCode.UNAVAILABLE, down.code());
    assertTrue(down.detail().startsWith("The database is unavailable: "), down.detail());
    assertFalse(await(db.ping()));
    StoreException readDown = assertInstanceOf(StoreException.class, awaitFailure(db.read(c -> 1)));
    assertEquals(ErrorCode.UNAVAILABLE, readDown.code());
    int acknowledgedWhileDown = acknowledged.size();
    sleep(300);
    assertEquals(acknowledgedWhileDown, acknowledged.size(), "nothing is acknowledged while the server is down");

    // Back on the same data directory and port: the same PostgresDatabase serves again by itself.
    server = TestPostgres.startServer(dir.resolve("pgdata"), port);
    waitUntil(() -> acknowledged.size() >= acknowledgedWhileDown + 200, "writes after the restart");
    assertTrue(await(db.ping()));
    running.set(false);
    for (Thread writer : writers) {
      writer.join(10_000);
    }
    assertEquals(List.of(), unexpected, "only UNAVAILABLE while the server was down");

    Set<String> present = new HashSet<>();
    try (Connection c = TestPostgres.connect(url);
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT name FROM items")) {
      while (rows.next()) {
        present.add(rows.getString(1));
      }
    }
    Set<String> lost = new HashSet<>(acknowledged);
    lost.removeAll(present);
    assertEquals(Set.of(), lost, "every acknowledged write is present");
    assertEquals(1, await(db.write(insert("after"))));
  }

  @Test
  void restartWhileIdleCostsNoFailedRequest() throws Exception {
    // Every pooled connection is open before the restart...
    List<Future<Integer>> warm = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      warm.add(db.write(insert("warm" + i)));
    }
    await(Future.all(warm));
    server.close();
    server = TestPostgres.startServer(dir.resolve("pgdata"), port); // returns once it answers
    // ...and dead after it: each request notices, reconnects and runs its work again, unseen by the caller.
    List<Future<Integer>> after = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      after.add(db.write(insert("after" + i)));
    }
    await(Future.all(after));
    assertTrue(await(db.ping()));
    try (Connection c = TestPostgres.connect(url);
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT count(*) FROM items")) {
      rows.next();
      assertEquals(16, rows.getInt(1));
    }
  }

  private interface Condition {
    boolean met() throws Exception;
  }

  private static void waitUntil(Condition condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.met()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
