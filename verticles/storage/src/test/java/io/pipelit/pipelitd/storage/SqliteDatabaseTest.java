package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite write path and read pool against real files. */
class SqliteDatabaseTest {

  private static final long TIMEOUT_S = 30;

  @TempDir
  Path dir;

  private Vertx vertx;
  private Path file;
  private SqliteDatabase db;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    file = dir.resolve("nested/dir/db.sqlite3");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  private SqliteDatabase open(int queueCapacity, int batchSize, int readPoolSize, String synchronous)
      throws Exception {
    SqliteOptions options = new SqliteOptions(file, queueCapacity, batchSize, readPoolSize, synchronous, 5_000);
    db = await(vertx.executeBlocking(() -> SqliteDatabase.open(vertx, options)));
    await(db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
        s.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items (id))");
      }
      return null;
    }));
    return db;
  }

  private SqliteDatabase open() throws Exception {
    return open(10_000, 256, 4, "NORMAL");
  }

  private static SqlWork<Integer> insert(String name) {
    return c -> {
      PreparedStatement insert = Statements.prepare(c, "INSERT INTO items (name) VALUES (?)");
      insert.setString(1, name);
      return insert.executeUpdate();
    };
  }

  /** A connection opened by the test itself, independent of everything SqliteDatabase holds. */
  private Connection independentConnection() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  private long countFromIndependentConnection() throws SQLException {
    try (Connection c = independentConnection();
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT count(*) FROM items")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static Throwable awaitFailure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  /** Occupies the writer thread (between batches) until {@code release} opens. */
  private Future<Void> blockWriter(CountDownLatch started, CountDownLatch release) {
    return db.exclusive(c -> {
      started.countDown();
      awaitLatch(release);
      return null;
    });
  }

  private static void awaitBarrier(CyclicBarrier barrier) {
    try {
      barrier.await(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(TIMEOUT_S, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // (a)
  /**
   * A full disk, simulated with PRAGMA max_page_count (SQLite answers SQLITE_FULL exactly as on ENOSPC):
   * the write fails with INSUFFICIENT_STORAGE, not as an internal error; what was committed stays
   * readable; and the writer recovers by itself once there is room again.
   */
  @Test
  void aFullDiskFailsWritesWithInsufficientStorageAndTheWriterRecoversWhenSpaceReturns() throws Exception {
    open();
    await(db.write(insert("before")));
    long pages = await(db.<Long>write(c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA page_count")) {
        rows.next();
        long count = rows.getLong(1);
        s.execute("PRAGMA max_page_count = " + (count + 2));
        return count;
      }
    }));
    Throwable full = null;
    for (int i = 0; i < 50 && full == null; i++) {
      String big = "x".repeat(20_000) + i;
      try {
        await(db.write(insert(big)));
      } catch (Exception e) {
        full = e instanceof ExecutionException ? e.getCause() : e;
      }
    }
    if (full == null) {
      full = awaitFailure(db.write(insert("y".repeat(50_000))));
    }
    StoreException failure = assertInstanceOf(StoreException.class, full);
    assertEquals(ErrorCode.INSUFFICIENT_STORAGE, failure.code());
    int committedBefore = await(db.read(c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(
          "SELECT count(*) FROM items WHERE name = 'before'")) {
        rows.next();
        return rows.getInt(1);
      }
    }));
    assertEquals(1, committedBefore, "what was committed before the disk filled up is still readable");

    await(db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA max_page_count = " + (pages * 1000));
      }
      return null;
    }));
    assertEquals(1, (int) await(db.write(insert("after"))));
  }

  @Test
  void aNewDatabaseFileAndItsWalAreReadableByTheOwnerOnly() throws Exception {
    open();
    await(db.write(insert("private")));
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path path = Path.of(file + suffix);
      assertTrue(java.nio.file.Files.exists(path), path.toString());
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          java.nio.file.Files.getPosixFilePermissions(path)), path.toString());
    }
  }

  @Test
  void committedWriteIsVisibleFromASecondConnection_vertxJdbcClientAutocommitTrapRegression() throws Exception {
    open();
    assertEquals(1, await(db.write(insert("first"))));
    assertEquals(1, countFromIndependentConnection());

    // A failed write (rolled back to its savepoint) must not leave the writer inside a transaction.
    assertInstanceOf(SQLException.class, awaitFailure(db.write(insert("first"))));
    assertEquals(1, await(db.write(insert("second"))));
    assertEquals(2, countFromIndependentConnection());

    // And no lock lingers: another connection can take the write lock and commit.
    try (Connection other = independentConnection(); Statement s = other.createStatement()) {
      s.execute("PRAGMA busy_timeout = 2000");
      s.execute("BEGIN IMMEDIATE");
      s.execute("INSERT INTO items (name) VALUES ('from outside')");
      s.execute("COMMIT");
    }
    assertEquals(3L, readCount());
  }

  // (b) + (i)
  @Test
  void groupCommitOfManyConcurrentWritesFromSeveralContexts() throws Exception {
    open();
    int contexts = 8;
    int perContext = 250;
    long commitsBefore = db.stats().commits();
    Map<Integer, List<Integer>> completionOrder = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    AtomicInteger wrongContext = new AtomicInteger();

    for (int k = 0; k < contexts; k++) {
      int id = k;
      Context context = vertx.getOrCreateContext();
      List<Integer> order = Collections.synchronizedList(new ArrayList<>());
      completionOrder.put(id, order);
      CompletableFuture<Void> contextDone = new CompletableFuture<>();
      done.add(contextDone);
      context.runOnContext(v -> {
        List<Future<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < perContext; i++) {
          int n = i;
          writes.add(db.write(insert("item-" + id + "-" + n)).onComplete(ar -> {
            if (Vertx.currentContext() != context) {
              wrongContext.incrementAndGet();
            }
            order.add(n);
          }));
        }
        Future.all(writes).onComplete(ar -> {
          if (ar.succeeded()) {
            contextDone.complete(null);
          } else {
            contextDone.completeExceptionally(ar.cause());
          }
        });
      });
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);

    int writes = contexts * perContext;
    assertEquals(writes, countFromIndependentConnection());
    assertEquals(0, wrongContext.get(), "every completion runs on its caller's context");
    for (List<Integer> order : completionOrder.values()) {
      List<Integer> sorted = new ArrayList<>(order);
      Collections.sort(sorted);
      assertEquals(sorted, order, "one context sees its writes acknowledged in commit order");
    }
    SqliteDatabase.Stats stats = db.stats();
    long commits = stats.commits() - commitsBefore;
    assertTrue(commits < writes, "writes were grouped: " + commits + " commits for " + writes + " writes");
    assertEquals(writes + 1, stats.committedWrites()); // + the schema write
    assertEquals(0, stats.failedWrites());
    assertEquals(0, db.writeQueueDepth());

    // (i) the file is sound after the load.
    assertEquals("ok", await(db.read(c -> single(c, "PRAGMA integrity_check"))));
    assertNull(await(db.read(c -> single(c, "PRAGMA foreign_key_check"))));
  }

  // (c)
  @Test
  void aFailingWriteRollsBackAloneAndTheRestOfItsBatchCommits() throws Exception {
    open();
    await(db.write(insert("taken")));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Void> blocker = blockWriter(started, release);
    awaitLatch(started);

    long commitsBefore = db.stats().commits();
    StoreException own = StoreException.validation("bad input");
    Future<Integer> ok1 = db.write(insert("a"));
    Future<Integer> duplicate = db.write(c -> {
      insert("half-done").run(c); // rolled back with its savepoint
      return insert("taken").run(c);
    });
    Future<Integer> throwing = db.write(c -> {
      insert("also-rolled-back").run(c);
      throw own;
    });
    Future<Integer> ok2 = db.write(insert("b"));
    release.countDown();

    await(blocker);
    assertEquals(1, await(ok1));
    assertEquals(1, await(ok2));
    Throwable duplicateFailure = awaitFailure(duplicate);
    assertInstanceOf(SQLException.class, duplicateFailure);
    assertTrue(SqliteDialect.INSTANCE.isUniqueViolation((SQLException) duplicateFailure));
    assertSame(own, awaitFailure(throwing));

    assertEquals(1, db.stats().commits() - commitsBefore, "the four writes shared one transaction");
    List<String> names = await(db.read(SqliteDatabaseTest::names));
    assertEquals(List.of("a", "b", "taken"), names);
  }

  /** Inserts names as one JDBC batch; counts its calls and the items they got. */
  private static final class NamesKind implements BatchedWrite<String, Long> {
    final List<Integer> callSizes = new CopyOnWriteArrayList<>();

    @Override
    public List<Long> run(Connection c, List<String> names) throws SQLException {
      callSizes.add(names.size());
      PreparedStatement insert = Statements.prepare(c, "INSERT INTO items (name) VALUES (?)");
      for (String name : names) {
        if (name.startsWith("bad")) {
          throw StoreException.validation(name + " is refused");
        }
        insert.setString(1, name);
        insert.addBatch();
      }
      return Arrays.stream(SqliteDialect.INSTANCE.executeBatchForIds(c, insert, "items", names.size()))
          .boxed().toList();
    }
  }

  /** Holds the writer thread while {@code queue} submits work, so that all of it lands in one batch. */
  private <T> T queuedTogether(Callable<T> queue) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Void> blocker = blockWriter(started, release);
    awaitLatch(started);
    T queued;
    try {
      queued = queue.call();
    } finally {
      release.countDown();
    }
    await(blocker);
    return queued;
  }

  @Test
  void batchedWritesQueuedTogetherRunInOneCallAndGetTheirOwnIds() throws Exception {
    open();
    NamesKind kind = new NamesKind();
    List<Future<Long>> ids = new ArrayList<>();
    Future<Integer> plain = queuedTogether(() -> {
      for (int i = 0; i < 50; i++) {
        ids.add(db.writeBatched(kind, "n" + i));
      }
      Future<Integer> between = db.write(insert("plain"));
      ids.add(db.writeBatched(kind, "after-plain"));
      return between;
    });

    for (int i = 0; i < 50; i++) {
      long id = await(ids.get(i));
      String name = "n" + i;
      assertEquals(name, await(db.read(c -> {
        PreparedStatement select = Statements.prepare(c, "SELECT name FROM items WHERE id = ?");
        select.setLong(1, id);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? rows.getString(1) : null;
        }
      })), "item " + i + " got the id of its own row");
    }
    assertEquals(1, await(plain));
    await(ids.get(50));
    // The 50 in one call; the plain write in between ends the run, so the last item is a call of its own.
    assertEquals(List.of(50, 1), kind.callSizes);
  }

  @Test
  void aBadItemInAGroupFailsAloneAndTheOthersAreWritten() throws Exception {
    open();
    NamesKind kind = new NamesKind();
    // A refused item and a duplicate name: the group fails, then each item runs alone and only those two fail.
    List<Future<Long>> outcomes = queuedTogether(() -> List.of(db.writeBatched(kind, "first"),
        db.writeBatched(kind, "bad-one"), db.writeBatched(kind, "first"), db.writeBatched(kind, "last")));
    Future<Long> first = outcomes.get(0);
    Future<Long> bad = outcomes.get(1);
    Future<Long> duplicate = outcomes.get(2);
    Future<Long> last = outcomes.get(3);

    await(first);
    await(last);
    assertEquals("bad-one is refused", awaitFailure(bad).getMessage());
    assertTrue(SqliteDialect.INSTANCE.isUniqueViolation((SQLException) awaitFailure(duplicate)));
    assertEquals(List.of("first", "last"), await(db.read(SqliteDatabaseTest::names)));
    // One call for the group (rolled back), then one call per item.
    assertEquals(List.of(4, 1, 1, 1, 1), kind.callSizes);
  }

  // (d)
  @Test
  void fullQueueFailsFastWithOverloaded() throws Exception {
    open(1, 256, 2, "NORMAL");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Void> blocker = blockWriter(started, release);
    awaitLatch(started); // the writer has taken the blocker: the queue is empty again

    Future<Integer> queued = db.write(insert("queued"));
    Future<Integer> refused = db.write(insert("refused"));
    assertTrue(refused.failed(), "refused at once, without waiting");
    StoreException e = assertInstanceOf(StoreException.class, refused.cause());
    assertEquals(ErrorCode.OVERLOADED, e.code());
    assertEquals("The write queue is full; retry shortly.", e.detail());
    assertEquals(1, db.writeQueueDepth());

    release.countDown();
    await(blocker);
    assertEquals(1, await(queued));
    assertEquals(List.of("queued"), await(db.read(SqliteDatabaseTest::names)));
  }

  // (e)
  @Test
  void aWriteIsAcknowledgedOnlyAfterItsCommit() throws Exception {
    open();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Void> blocker = blockWriter(started, release);
    awaitLatch(started);

    CountDownLatch secondRunning = new CountDownLatch(1);
    CountDownLatch finishSecond = new CountDownLatch(1);
    Future<Integer> first = db.write(insert("first"));
    Future<Integer> second = db.write(c -> {
      secondRunning.countDown();
      awaitLatch(finishSecond); // holds the shared transaction open after `first` has run
      return insert("second").run(c);
    });
    release.countDown();
    awaitLatch(secondRunning);

    Thread.sleep(200);
    assertFalse(first.isComplete(), "the first write ran but its transaction has not committed");
    assertEquals(0, countFromIndependentConnection(), "nothing committed yet");

    finishSecond.countDown();
    assertEquals(1, await(first));
    assertEquals(1, await(second));
    await(blocker);
    assertEquals(2, countFromIndependentConnection());
  }

  // (f)
  @Test
  void closeCommitsEverythingAlreadyQueued() throws Exception {
    open();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    blockWriter(started, release);
    awaitLatch(started);

    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      queued.add(db.write(insert("queued-" + i)));
    }
    Future<Void> closed = db.close();
    Future<Integer> late = db.write(insert("late"));
    assertTrue(late.failed());
    assertEquals(ErrorCode.UNAVAILABLE, ((StoreException) late.cause()).code());
    assertEquals("pipelitd is shutting down", late.cause().getMessage());
    assertFalse(closed.isComplete(), "close waits for the queued writes");

    release.countDown();
    await(closed);
    for (Future<Integer> write : queued) {
      assertEquals(1, await(write));
    }
    assertEquals(100, countFromIndependentConnection());
    Path wal = Path.of(file + "-wal");
    assertTrue(!Files.exists(wal) || Files.size(wal) == 0, "the WAL was checkpointed on close");
    assertSame(closed, db.close(), "close is idempotent");
    assertFalse(await(db.ping()));
    assertEquals(ErrorCode.UNAVAILABLE, ((StoreException) awaitFailure(db.read(c -> 1))).code());
  }

  // (g)
  @Test
  void readsDoNotWaitForALongWrite() throws Exception {
    open();
    await(db.write(insert("committed")));
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<Integer> longWrite = db.write(c -> {
      insert("uncommitted").run(c);
      writing.countDown();
      awaitLatch(finish); // holds BEGIN IMMEDIATE's write lock
      return 1;
    });
    awaitLatch(writing);
    try {
      long start = System.nanoTime();
      Long count = db.read(SqliteDatabaseTest::count).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(1L, count, "a read sees the last committed state, not the open transaction");
      assertFalse(longWrite.isComplete());
      assertTrue(elapsedMs < 2_000, "read took " + elapsedMs + " ms while the write held the lock");
    } finally {
      finish.countDown();
    }
    await(longWrite);
    assertEquals(2L, readCount());
  }

  // (h)
  @Test
  void pragmasAreSetOnTheWriterAndOnEveryReader() throws Exception {
    int readers = 3;
    open(100, 16, readers, "FULL");
    assertEquals(List.of("wal", "1", "2", "5000"), await(db.write(SqliteDatabaseTest::pragmas)));

    CyclicBarrier allBorrowed = new CyclicBarrier(readers);
    List<Future<List<String>>> reads = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      reads.add(db.read(c -> {
        awaitBarrier(allBorrowed); // each read holds its own connection until all have one
        List<String> values = new ArrayList<>(pragmas(c));
        values.add(single(c, "PRAGMA query_only"));
        return values;
      }));
    }
    for (Future<List<String>> read : reads) {
      assertEquals(List.of("wal", "1", "2", "5000", "1"), await(read));
    }
    Throwable readWrite = awaitFailure(db.read(insert("nope")));
    assertInstanceOf(SQLException.class, readWrite);
  }

  @Test
  void synchronousFollowsTheOptions() throws Exception {
    open(100, 16, 1, "off");
    assertEquals("0", await(db.write(c -> single(c, "PRAGMA synchronous"))));
    assertEquals("0", await(db.read(c -> single(c, "PRAGMA synchronous"))));
  }

  @Test
  void foreignKeysAreEnforcedOnWrites() throws Exception {
    open();
    Throwable failure = awaitFailure(db.write(c -> {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate("INSERT INTO tags (item_id) VALUES (42)");
      }
    }));
    assertTrue(SqliteDialect.INSTANCE.isForeignKeyViolation((SQLException) failure));
  }

  @Test
  void exclusiveWorkRunsOutsideAnyTransaction() throws Exception {
    open();
    await(db.write(insert("kept")));
    Path copy = dir.resolve("copy.sqlite3");
    // VACUUM cannot run inside a transaction: this succeeds only in auto-commit mode.
    await(db.exclusive(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("VACUUM INTO '" + copy + "'");
      }
      return null;
    }));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy)) {
      assertEquals(1L, count(c));
    }
    assertEquals(1, (int) await(db.write(insert("after"))));
  }

  @Test
  void writesLeaveNoStatementInProgressSoTheWalCanBeCheckpointed() throws Exception {
    open();
    for (int i = 0; i < 20; i++) {
      await(db.write(insert("row-" + i)));
    }
    Long id = await(db.write(c -> {
      PreparedStatement insert = Statements.prepare(c, "INSERT INTO items (name) VALUES (?) RETURNING id");
      insert.setString(1, "returning");
      try (ResultSet rows = insert.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }));
    assertEquals(21L, id);
    // busy = 0 means nothing on the writer (nor on an idle reader) holds a read transaction open.
    List<Integer> checkpoint = await(db.exclusive(c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        rows.next();
        return List.of(rows.getInt(1), rows.getInt(2), rows.getInt(3));
      }
    }));
    assertEquals(List.of(0, 0, 0), checkpoint, "busy, WAL frames, checkpointed frames after TRUNCATE");
  }

  @Test
  void anExclusiveWorkLeavingATransactionOpenDoesNotBreakTheWriter() throws Exception {
    open();
    await(db.exclusive(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN");
      }
      return null;
    }));
    assertEquals(1, await(db.write(insert("still works"))));
    assertEquals(1, countFromIndependentConnection());
  }

  @Test
  void aBatchThatCannotBeginFailsWithUnavailableAndTheWriterCarriesOn() throws Exception {
    SqliteOptions options = new SqliteOptions(file, 100, 16, 1, "NORMAL", 100);
    db = await(vertx.executeBlocking(() -> SqliteDatabase.open(vertx, options)));
    await(db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
      }
      return null;
    }));
    try (Connection other = independentConnection(); Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE"); // another process holds the write lock past the 100 ms busy timeout
      Throwable failure = awaitFailure(db.write(insert("blocked")));
      StoreException e = assertInstanceOf(StoreException.class, failure);
      assertEquals(ErrorCode.UNAVAILABLE, e.code());
      assertTrue(e.detail().startsWith("database write failed: "), e.detail());
      assertTrue(e.detail().contains("SQLITE_BUSY"), e.detail());
      s.execute("ROLLBACK");
    }
    assertEquals(1, await(db.write(insert("later"))));
    assertEquals(1, db.stats().failedBatches());
  }

  @Test
  void errorsThrownByWorkAreReturnedAsIs() throws Exception {
    open();
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(bug, awaitFailure(db.write(c -> {
      throw bug;
    })));
    StackOverflowError notFatal = new StackOverflowError();
    // A VirtualMachineError fails the whole batch instead of being handed back as the work's result.
    Throwable failure = awaitFailure(db.write(c -> {
      throw notFatal;
    }));
    assertEquals(ErrorCode.UNAVAILABLE, ((StoreException) failure).code());
    AssertionError assertion = new AssertionError("other errors are the work's own");
    assertSame(assertion, awaitFailure(db.write(c -> {
      throw assertion;
    })));
    assertEquals(1, await(db.write(insert("fine"))));
  }

  @Test
  void pingAndDescribe() throws Exception {
    open();
    assertTrue(await(db.ping()));
    assertEquals("SQLite " + file.toAbsolutePath().normalize(), db.describe());
    assertEquals("sqlite", db.dialect().name());
    assertTrue(Files.isDirectory(file.getParent()), "parent directories are created");
  }

  @Test
  void cachedStatementsAreReusedAndDoNotPinAReadSnapshot() throws Exception {
    open(100, 16, 1, "NORMAL"); // one reader: every read uses the same connection
    await(db.write(insert("one")));
    SqlWork<PreparedStatement> leaveOpen = c -> {
      PreparedStatement select = Statements.prepare(c, "SELECT name FROM items WHERE id > ?");
      select.setInt(1, 0);
      ResultSet rows = select.executeQuery(); // deliberately not closed
      rows.next();
      return select;
    };
    PreparedStatement firstUse = await(db.read(leaveOpen));
    await(db.write(insert("two")));
    assertEquals(2L, readCountWithCache(), "the open result set was reset after the work");
    assertSame(firstUse, await(db.read(leaveOpen)), "the same prepared statement is reused");

    // A statement closed by mistake is prepared again instead of failing.
    await(db.read(c -> {
      Statements.prepare(c, "SELECT count(*) FROM items").close();
      return null;
    }));
    assertEquals(2L, readCountWithCache());

    // Parameters are cleared between works, so a forgotten parameter fails instead of reusing old data.
    await(db.write(c -> {
      PreparedStatement insert = Statements.prepare(c, "INSERT INTO items (name) VALUES (?)");
      insert.setString(1, "three");
      return insert.executeUpdate();
    }));
    Throwable forgotten = awaitFailure(db.write(c -> Statements.prepare(c, "INSERT INTO items (name) VALUES (?)")
        .executeUpdate()));
    assertInstanceOf(SQLException.class, forgotten); // NOT NULL: the parameter was cleared
  }

  @Test
  void aCachedStatementThatFailedIsPreparedAgain_sqliteJdbcNotExecutingRegression() throws Exception {
    open(100, 16, 1, "NORMAL");
    SqlWork<String> extract = null;
    for (String json : List.of("{bad", "{\"a\": 1}", "{bad", "{\"a\": 2}")) {
      SqlWork<String> work = c -> {
        PreparedStatement select = Statements.prepare(c, "SELECT json_extract(?, '$.a')");
        select.setString(1, json);
        try (ResultSet rows = select.executeQuery()) {
          rows.next();
          return rows.getString(1);
        }
      };
      if (json.startsWith("{bad")) {
        assertTrue(awaitFailure(db.read(work)).getMessage().contains("malformed JSON"));
        assertTrue(awaitFailure(db.write(work)).getMessage().contains("malformed JSON"));
      } else {
        String expected = json.substring(json.length() - 2, json.length() - 1);
        assertEquals(expected, await(db.read(work)), "not 'statement is not executing'");
        assertEquals(expected, await(db.write(work)));
      }
      extract = work;
    }
    assertEquals("2", await(db.exclusive(extract)));
  }

  @Test
  void statementsRefusesConnectionsItDoesNotOwn() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("other.db"))) {
      assertThrows(IllegalArgumentException.class, () -> Statements.prepare(c, "SELECT 1"));
    }
  }

  @Test
  void writesFromANonVertxThreadCompleteOnAVertxThread() throws Exception {
    open();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    blockWriter(started, release);
    awaitLatch(started);
    CompletableFuture<String> thread = new CompletableFuture<>();
    // The listener is added before the write can complete (a listener added later runs on the adding thread).
    db.write(insert("x")).onComplete(ar -> thread.complete(Thread.currentThread().getName()));
    release.countDown();
    String name = thread.get(TIMEOUT_S, TimeUnit.SECONDS);
    assertTrue(name.startsWith("vert.x-eventloop-thread"), name);
  }

  private long readCount() throws Exception {
    Long count = await(db.read(SqliteDatabaseTest::count));
    return count;
  }

  private long readCountWithCache() throws Exception {
    Long count = await(db.read(SqliteDatabaseTest::countWithCache));
    return count;
  }

  private static List<String> pragmas(Connection c) throws SQLException {
    return List.of(
        single(c, "PRAGMA journal_mode"),
        single(c, "PRAGMA foreign_keys"),
        single(c, "PRAGMA synchronous"),
        single(c, "PRAGMA busy_timeout"));
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT count(*) FROM items")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long countWithCache(Connection c) throws SQLException {
    try (ResultSet rows = Statements.prepare(c, "SELECT count(*) FROM items").executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static List<String> names(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT name FROM items ORDER BY name")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }
}
