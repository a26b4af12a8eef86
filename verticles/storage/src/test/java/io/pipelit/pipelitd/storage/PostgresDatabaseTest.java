package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostgresDatabase against a real PostgreSQL server, one fresh database per test. */
class PostgresDatabaseTest {

  private static final long TIMEOUT_S = 30;

  private Vertx vertx;
  private DatabaseUrl url;
  private PostgresDatabase db;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    url = TestPostgres.freshDatabase();
    try (Connection c = TestPostgres.connect(url);
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
      s.execute("CREATE TABLE tags (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
          + " item_id BIGINT NOT NULL REFERENCES items (id))");
      s.execute("CREATE TABLE counters (id INT PRIMARY KEY, v INT NOT NULL)");
      s.execute("INSERT INTO counters (id, v) VALUES (1, 0), (2, 0)");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  private PostgresDatabase open(JsonObject settings) throws Exception {
    DatabaseConfig config = DatabaseConfig.from(settings.copy().put(ConfigKeys.DATABASE_URL, "unused"));
    db = await(vertx.executeBlocking(() -> PostgresDatabase.open(vertx, url, config)));
    return db;
  }

  private PostgresDatabase open() throws Exception {
    return open(new JsonObject());
  }

  private static SqlWork<Integer> insert(String name) {
    return c -> {
      PreparedStatement insert = Statements.prepare(c, "INSERT INTO items (name) VALUES (?)");
      insert.setString(1, name);
      return insert.executeUpdate();
    };
  }

  private long queryLong(String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(url);
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void writeIsAcknowledgedAfterCommitAndVisibleFromAnotherConnection() throws Exception {
    open();
    assertEquals(1, await(db.write(insert("first"))));
    // No delay, no retry: the row is committed by the time the future completes.
    assertEquals(1, queryLong("SELECT count(*) FROM items WHERE name = 'first'"));
    long seenByRead = await(db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT count(*) FROM items")) {
        rows.next();
        return rows.getLong(1);
      }
    }));
    assertEquals(1, seenByRead);
  }

  @Test
  void writeThatThrowsIsRolledBackAndFailsWithItsOwnException() throws Exception {
    open();
    StoreException thrown = StoreException.validation("name is too long");
    Throwable failure = awaitFailure(db.write(c -> {
      insert("rolled back").run(c);
      throw thrown;
    }));
    assertSame(thrown, failure);
    assertEquals(0, queryLong("SELECT count(*) FROM items"));
    // The connection is usable again; reads still run in their own read-only snapshot transaction.
    assertEquals(1, await(db.write(insert("after"))));
    assertEquals("repeatable read", await(db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SHOW transaction_isolation")) {
        rows.next();
        return rows.getString(1);
      }
    })));
  }

  @Test
  void failingWritesDoNotAffectConcurrentOnes() throws Exception {
    open();
    await(db.write(insert("taken")));
    List<Future<Integer>> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      writes.add(db.write(insert(i % 10 == 0 ? "taken" : "item-" + i)));
    }
    int failed = 0;
    for (Future<Integer> write : writes) {
      try {
        await(write);
      } catch (SQLException e) {
        assertTrue(db.dialect().isUniqueViolation(e), e.toString());
        failed++;
      }
    }
    assertEquals(20, failed);
    assertEquals(181, queryLong("SELECT count(*) FROM items"));
  }

  @Test
  void twoThousandConcurrentWritesAreAllPresent() throws Exception {
    open();
    List<Future<Integer>> writes = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      writes.add(db.write(insert("w" + i)));
    }
    await(Future.all(writes));
    assertEquals(2_000, queryLong("SELECT count(*) FROM items"));
    assertEquals(0, db.writeQueueDepth());
  }

  @Test
  void writeQueueDepthCountsWritesWaitingForAConnection() throws Exception {
    open(new JsonObject().put(ConfigKeys.PG_POOL_SIZE, 1));
    CyclicBarrier started = new CyclicBarrier(2);
    CyclicBarrier release = new CyclicBarrier(2);
    Future<Object> blocker = db.write(c -> {
      awaitBarrier(started);
      awaitBarrier(release);
      return null;
    });
    started.await(10, TimeUnit.SECONDS);
    List<Future<Integer>> waiting = List.of(db.write(insert("a")), db.write(insert("b")), db.write(insert("c")));
    assertEquals(3, db.writeQueueDepth());
    release.await(10, TimeUnit.SECONDS);
    await(blocker);
    await(Future.all(waiting));
    assertEquals(0, db.writeQueueDepth());
  }

  @Test
  void realSerializationFailureIsRetried() throws Exception {
    open();
    CyclicBarrier bothRead = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();
    SqlWork<Integer> increment = c -> {
      boolean first = attempts.incrementAndGet() <= 2;
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        int v;
        try (ResultSet rows = s.executeQuery("SELECT v FROM counters WHERE id = 1")) {
          rows.next();
          v = rows.getInt(1);
        }
        if (first) {
          // Both transactions have read v before either writes: the second UPDATE cannot serialise.
          awaitBarrier(bothRead);
        }
        s.executeUpdate("UPDATE counters SET v = " + (v + 1) + " WHERE id = 1");
        return v + 1;
      }
    };
    List<Integer> results = await(Future.all(db.write(increment), db.write(increment))).list();
    assertEquals(List.of(1, 2), results.stream().sorted().toList());
    assertEquals(2, queryLong("SELECT v FROM counters WHERE id = 1"));
    assertTrue(attempts.get() >= 3, "one of the two ran again: " + attempts.get());
  }

  @Test
  void realDeadlockIsRetried() throws Exception {
    open();
    CyclicBarrier bothLocked = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();
    SqlWork<Void> oneThenTwo = lockBoth(1, 2, bothLocked, attempts);
    SqlWork<Void> twoThenOne = lockBoth(2, 1, bothLocked, attempts);
    await(Future.all(db.write(oneThenTwo), db.write(twoThenOne)));
    assertEquals(2, queryLong("SELECT v FROM counters WHERE id = 1"));
    assertEquals(2, queryLong("SELECT v FROM counters WHERE id = 2"));
    assertEquals(3, attempts.get(), "the deadlock victim ran twice");
  }

  private static SqlWork<Void> lockBoth(int firstId, int secondId, CyclicBarrier bothLocked, AtomicInteger attempts) {
    return c -> {
      boolean first = attempts.incrementAndGet() <= 2;
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE counters SET v = v + 1 WHERE id = " + firstId);
        if (first) {
          awaitBarrier(bothLocked);
        }
        // Deadlock detection runs after deadlock_timeout (1 s by default); one of the two is cancelled.
        s.executeUpdate("UPDATE counters SET v = v + 1 WHERE id = " + secondId);
      }
      return null;
    };
  }

  @Test
  void serializationFailureThrownByTheWorkIsRetriedWithTheRowsOfFailedAttemptsRolledBack() throws Exception {
    open();
    AtomicInteger attempts = new AtomicInteger();
    int result = await(db.write(c -> {
      insert("attempt-" + attempts.incrementAndGet()).run(c);
      if (attempts.get() < 3) {
        throw new SQLException("could not serialize access", "40001");
      }
      return attempts.get();
    }));
    assertEquals(3, result);
    assertEquals(1, queryLong("SELECT count(*) FROM items"));
    assertEquals(1, queryLong("SELECT count(*) FROM items WHERE name = 'attempt-3'"));
  }

  @Test
  void conflictsBeyondMaxRetriesFailWithUnavailable() throws Exception {
    open(new JsonObject().put(ConfigKeys.PG_MAX_RETRIES, 2));
    AtomicInteger attempts = new AtomicInteger();
    Throwable failure = awaitFailure(db.write(c -> {
      attempts.incrementAndGet();
      throw new SQLException("deadlock detected", "40P01");
    }));
    StoreException store = assertInstanceOf(StoreException.class, failure);
    assertEquals(ErrorCode.UNAVAILABLE, store.code());
    assertTrue(store.detail().contains("busy") && store.detail().contains("deadlock"), store.detail());
    assertEquals(3, attempts.get());
  }

  @Test
  void nonRetryableSqlErrorFailsOnceWithoutRetry() throws Exception {
    open();
    AtomicInteger attempts = new AtomicInteger();
    Throwable failure = awaitFailure(db.write(c -> {
      attempts.incrementAndGet();
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO tags (item_id) VALUES (424242)");
      }
      return null;
    }));
    SQLException sql = assertInstanceOf(SQLException.class, failure);
    assertTrue(db.dialect().isForeignKeyViolation(sql));
    assertEquals(1, attempts.get());
  }

  @Test
  void statementsAreCachedPerConnectionAndStatementTimeoutApplies() throws Exception {
    open(new JsonObject().put(ConfigKeys.PG_POOL_SIZE, 1).put(ConfigKeys.PG_STATEMENT_TIMEOUT_MS, 300));
    String sql = "SELECT count(*) FROM items WHERE name <> ?";
    PreparedStatement first = await(db.read(c -> Statements.prepare(c, sql)));
    PreparedStatement second = await(db.read(c -> Statements.prepare(c, sql)));
    assertSame(first, second);
    assertEquals("300ms", await(db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SHOW statement_timeout")) {
        rows.next();
        return rows.getString(1);
      }
    })));
    Throwable failure = awaitFailure(db.read(c -> {
      try (Statement s = c.createStatement()) {
        return s.execute("SELECT pg_sleep(2)");
      }
    }));
    SQLException sql57014 = assertInstanceOf(SQLException.class, failure);
    assertEquals("57014", sql57014.getSQLState(), "query_canceled, and not mistaken for a lost connection");
    assertTrue(await(db.ping()));
  }

  @Test
  void sessionsRunInUtcWithTheApplicationName() throws Exception {
    open();
    List<String> settings = await(db.read(c -> {
      try (Statement s = c.createStatement();
           ResultSet rows = s.executeQuery("SELECT current_setting('TimeZone'), current_setting('application_name')")) {
        rows.next();
        return List.of(rows.getString(1), rows.getString(2));
      }
    }));
    assertEquals(List.of("UTC", "pipelitd"), settings);
  }

  @Test
  void pingDescribeAndDialect() throws Exception {
    open();
    assertTrue(await(db.ping()));
    assertEquals(url.describe(), db.describe());
    assertTrue(db.describe().startsWith("PostgreSQL "), db.describe());
    assertSame(PostgresDialect.INSTANCE, db.dialect());
  }

  @Test
  void closeLetsAcceptedWritesCommitThenRefusesNewOnes() throws Exception {
    open();
    Future<Integer> slow = db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(0.3)");
      }
      return insert("slow").run(c);
    });
    Future<Void> closing = db.close();
    StoreException refused = assertInstanceOf(StoreException.class, awaitFailure(db.write(insert("late"))));
    assertEquals(ErrorCode.UNAVAILABLE, refused.code());
    assertEquals(1, await(slow));
    await(closing);
    assertSame(closing, db.close());
    assertEquals(1, queryLong("SELECT count(*) FROM items WHERE name = 'slow'"));
    // A backend leaves pg_stat_activity shortly after its client closed the connection: poll a little.
    String others = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + url.database()
        + "' AND pid <> pg_backend_pid()";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (queryLong(others) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, queryLong(others), "every connection of the pool is closed");
    db = null;
  }

  @Test
  void unreachableServerAtOpenGivesOneLineWithoutThePassword() {
    int port = TestPostgres.freePort();
    DatabaseUrl unreachable = DatabaseUrl.parse(
        "postgresql://alice:Sup3r-S3cret%21@127.0.0.1:" + port + "/pipelit", null);
    DatabaseConfig config = DatabaseConfig.defaults("unused");
    long start = System.nanoTime();
    SQLException e = assertThrows(SQLException.class, () -> PostgresDatabase.open(vertx, unreachable, config));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "refused fast");
    assertEquals("cannot connect to PostgreSQL at 127.0.0.1:" + port + "/pipelit as alice: Connection refused",
        e.getMessage());
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    assertFalse(trace.toString().contains("Sup3r-S3cret"), "the password is nowhere in the stack trace");
  }

  @Test
  void unknownDatabaseAtOpenGivesOneLine() {
    DatabaseUrl missing = TestPostgres.withDatabase(url, "no_such_database");
    SQLException e = assertThrows(SQLException.class,
        () -> PostgresDatabase.open(vertx, missing, DatabaseConfig.defaults("unused")));
    assertTrue(e.getMessage().startsWith("cannot connect to PostgreSQL at " + url.host() + ":" + url.port()
        + "/no_such_database"), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void openRefusesSqliteUrlsAndUnknownOptions() {
    DatabaseConfig config = DatabaseConfig.defaults("unused");
    assertThrows(IllegalArgumentException.class,
        () -> PostgresDatabase.open(vertx, DatabaseUrl.parse("sqlite:////tmp/x.db", null), config));
    DatabaseUrl withOption = new DatabaseUrl(url.backend(), null, url.host(), url.port(), url.database(),
        url.user(), url.password(), java.util.Map.of("target_session_attrs", "any"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PostgresDatabase.open(vertx, withOption, config));
    assertTrue(e.getMessage().contains("'target_session_attrs'"), e.getMessage());
  }

  static void awaitBarrier(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the other work never arrived", e);
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  static Throwable awaitFailure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertNotNull(e.getCause());
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
