package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL database served through plain pgjdbc connections on a dedicated pool of worker threads,
 * so that the repositories' synchronous JDBC code ({@link SqlWork}) runs unchanged on both backends.
 * There is no single writer: every write is its own transaction on its own connection.
 *
 * <p>Guarantees (see also {@link Database}):
 * <ul>
 *   <li>A write's future succeeds only after its COMMIT succeeded. When the connection breaks during
 *       COMMIT the outcome is unknown, and the write fails with UNAVAILABLE: it is never acknowledged.</li>
 *   <li>A write that throws is rolled back and fails with its own exception; other writes are not
 *       affected (each has its own transaction).</li>
 *   <li>A serialization failure or deadlock (SQLSTATE 40001, 40P01) rolls the work back and runs it
 *       again, up to {@code PIPELITD_PG_MAX_RETRIES} times with a short jittered pause; after that it
 *       fails with UNAVAILABLE ("the database is busy").</li>
 *   <li>A connection lost before COMMIT (the server rolled the transaction back) is replaced and the
 *       work runs once more on the new connection: a server restarted while the daemon was idle costs
 *       no failed request. While the server is down requests fail fast with UNAVAILABLE (see
 *       {@link PostgresPool}), and service resumes by itself when it is back.</li>
 * </ul>
 *
 * <p>So a work may run more than once: it must have no effect outside its connection. Writes run at
 * READ COMMITTED: a work that reads rows, decides, then updates them locks them first
 * ({@link Dialect#lockRows}). SERIALIZABLE was tried and measured: with 200 concurrent clients its
 * predicate locks on shared index pages failed unrelated writes even after 6 retries. Reads run in
 * one REPEATABLE READ, READ ONLY transaction each (one snapshot for all their statements). A work must not wait for another work of the same database: with
 * every connection busy, that one would never start.
 */
public final class PostgresDatabase implements Database {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);

  /** Worker threads are named {@code pipelitd-pg-<host>-<db>-<n>-<thread>}. */
  static final String POOL_NAME = "pipelitd-pg";

  /** How long close() waits for accepted requests to finish before closing connections anyway, in ms. */
  private static final long CLOSE_DRAIN_TIMEOUT_MS = 30_000;

  /**
   * How long a request waits for a connection, in ms. There are as many connections as threads, so a
   * running request always finds one; this bound only matters while the pool is closing.
   */
  private static final long BORROW_TIMEOUT_MS = 10_000;

  /** ping(): server-side limit of SELECT 1, in seconds, and overall limit including the wait for a thread, in ms. */
  private static final int PING_QUERY_TIMEOUT_S = 2;
  private static final long PING_TIMEOUT_MS = 3_000;

  /** Pause before re-running after a conflict: random in [MIN, MAX] ms, times the attempt number. */
  private static final long RETRY_PAUSE_MIN_MS = 10;
  private static final long RETRY_PAUSE_MAX_MS = 50;

  /** Shared worker executors are shared by name: a sequence number keeps two databases apart. */
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Vertx vertx;
  private final DatabaseUrl url;
  private final PostgresPool pool;
  private final WorkerExecutor executor;
  private final int maxRetries;
  private final AtomicInteger writesWaiting = new AtomicInteger();
  private final StoreMetrics metrics;
  /** pg_database_size, refreshed in the background for the metrics gauge; -1 until first read. */
  private final java.util.concurrent.atomic.AtomicLong databaseSize = new java.util.concurrent.atomic.AtomicLong(-1);
  private long sizeTimer = -1;

  private final Object admission = new Object();
  private boolean closing;        // guarded by admission
  private int inFlight;           // guarded by admission: accepted requests not finished yet
  private Future<Void> closed;    // guarded by this

  private PostgresDatabase(Vertx vertx, DatabaseUrl url, PostgresPool pool, WorkerExecutor executor,
      int maxRetries) {
    this.vertx = vertx;
    this.url = url;
    this.pool = pool;
    this.executor = executor;
    this.maxRetries = maxRetries;
    this.metrics = new StoreMetrics(url.database(), writesWaiting::get, databaseSize::get);
  }

  /**
   * Connects to the database of {@code url} with the PostgreSQL settings of {@code config}. One
   * connection is opened at once so that a wrong URL or an unreachable server fails here; the others
   * open on demand. Blocking: call it from a worker ({@code vertx.executeBlocking}), never from an event
   * loop. Does not create any schema: run {@link FlywayRunner#forPostgres} first.
   *
   * @throws IllegalArgumentException when {@code url} is not a PostgreSQL URL or has an unsupported option
   * @throws SQLException             when the server cannot be reached or refuses the login; the message is
   *                                  one line such as "cannot connect to PostgreSQL at db:5432/pipelit as
   *                                  pipelit: Connection refused", never with the password
   */
  public static PostgresDatabase open(Vertx vertx, DatabaseUrl url, DatabaseConfig config) throws SQLException {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(config, "config");
    if (url == null || url.backend() != DatabaseUrl.Backend.POSTGRESQL) {
      throw new IllegalArgumentException("PostgresDatabase needs a postgresql:// DATABASE_URL");
    }
    if (config.pgPoolSize() < 1 || config.pgMaxRetries() < 0 || config.pgStatementTimeoutMs() < 0
        || config.pgConnectTimeoutMs() < 1) {
      throw new IllegalArgumentException("pgPoolSize and pgConnectTimeoutMs must be at least 1, "
          + "pgMaxRetries and pgStatementTimeoutMs at least 0");
    }
    String jdbcUrl = PostgresConnections.jdbcUrl(url);
    Properties properties = PostgresConnections.properties(url, config.pgConnectTimeoutMs(),
        config.pgStatementTimeoutMs());
    PostgresPool.Opener opener = () -> PostgresConnections.open(jdbcUrl, properties);
    Connection first;
    try {
      first = opener.open();
    } catch (SQLException e) {
      String reason = PostgresConnections.redact(PostgresConnections.shortReason(e), url.password());
      throw new SQLException("cannot connect to PostgreSQL at " + url.host() + ":" + url.port() + "/"
          + url.database() + (url.user() == null ? "" : " as " + url.user()) + ": " + reason, e.getSQLState(), e);
    }
    PostgresPool pool = new PostgresPool(config.pgPoolSize(), opener, first, url.describe(), url.password());
    WorkerExecutor executor;
    try {
      executor = vertx.createSharedWorkerExecutor(POOL_NAME + "-" + url.host() + "-" + url.database() + "-"
          + SEQUENCE.incrementAndGet(), config.pgPoolSize());
    } catch (RuntimeException e) {
      pool.close(0); // Vert.x is closing: do not leak the first connection
      throw e;
    }
    LOG.info("Opened {} ({} connections, statement timeout {} ms, {} retries on conflicts)", url.describe(),
        config.pgPoolSize(), config.pgStatementTimeoutMs(), config.pgMaxRetries());
    PostgresDatabase database = new PostgresDatabase(vertx, url, pool, executor, config.pgMaxRetries());
    database.sizeTimer = vertx.setPeriodic(1, StoreMetrics.SIZE_REFRESH_MS, id -> database.refreshSize());
    return database;
  }

  /** Runs {@code work} in auto-commit mode on a pooled connection (see the class comment). */
  @Override
  public <T> Future<T> read(SqlWork<T> work) {
    return submit(work, false);
  }

  /** Runs {@code work} in its own transaction, acknowledged after COMMIT (see the class comment). */
  @Override
  public <T> Future<T> write(SqlWork<T> work) {
    return submit(work, true);
  }

  /** {@code SELECT 1} within about 3 s; false on any failure, also while the server is unreachable. */
  @Override
  public Future<Boolean> ping() {
    return read(connection -> {
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(PING_QUERY_TIMEOUT_S);
        try (ResultSet result = statement.executeQuery("SELECT 1")) {
          return result.next() && result.getInt(1) == 1;
        }
      }
    }).timeout(PING_TIMEOUT_MS, TimeUnit.MILLISECONDS).otherwise(false);
  }

  /**
   * Writes accepted but still waiting for a worker thread and its connection. There is no write queue
   * on PostgreSQL (and so no OVERLOADED): a steadily high number means the pool is too small for the
   * load ({@code PIPELITD_PG_POOL_SIZE}) or the server too slow.
   */
  /** Reads pg_database_size for the metrics gauge; a failure keeps the last value. */
  private void refreshSize() {
    read(c -> {
      try (java.sql.Statement statement = c.createStatement();
           java.sql.ResultSet rows = statement.executeQuery("SELECT pg_database_size(current_database())")) {
        rows.next();
        return rows.getLong(1);
      }
    }).onSuccess(databaseSize::set);
  }

  /** No writer thread on PostgreSQL: writes are accepted until close(); reachability is ping()'s job. */
  @Override
  public boolean acceptsWrites() {
    synchronized (admission) {
      return !closing;
    }
  }

  @Override
  public int writeQueueDepth() {
    return writesWaiting.get();
  }

  @Override
  public Dialect dialect() {
    return PostgresDialect.INSTANCE;
  }

  /** "PostgreSQL user@host:port/db", without the password. */
  @Override
  public String describe() {
    return url.describe();
  }

  /**
   * Stops accepting requests (they fail with UNAVAILABLE), waits up to 30 s for the accepted ones to
   * finish (a write in flight still commits and is acknowledged), closes every connection and the
   * worker threads. Idempotent; the future completes on the caller's context. Never blocks the caller.
   */
  @Override
  public Future<Void> close() {
    synchronized (this) {
      if (closed == null) {
        vertx.cancelTimer(sizeTimer);
        synchronized (admission) {
          closing = true;
        }
        Context context = Vertx.currentContext();
        Context target = context != null ? context : vertx.getOrCreateContext();
        Promise<Void> done = Promise.promise();
        // The wait is blocking, so it runs on Vert.x's own worker pool, not on ours (it waits for ours).
        vertx.<Void>executeBlocking(() -> {
          awaitInFlight(CLOSE_DRAIN_TIMEOUT_MS);
          pool.close(0);
          LOG.info("Closed {}", url.describe());
          return null;
        }, false)
            .eventually(executor::close)
            .onComplete(result -> target.runOnContext(v -> done.handle(result)));
        closed = done.future();
      }
      return closed;
    }
  }

  @Override
  public String toString() {
    return describe();
  }

  private <T> Future<T> submit(SqlWork<T> work, boolean write) {
    Objects.requireNonNull(work, "work");
    synchronized (admission) {
      if (closing) {
        return Future.failedFuture(new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down"));
      }
      inFlight++;
    }
    if (write) {
      writesWaiting.incrementAndGet();
    }
    Request<T> request = new Request<>(work, write);
    // ordered=false: requests from one context run in parallel, each on its own connection.
    Future<T> result = executor.executeBlocking(request, false);
    // Only when the executor refused the request (Vert.x closing) did it not count itself out.
    return result.onFailure(e -> request.abandon());
  }

  /** One accepted request: counts itself out of inFlight (and writesWaiting) exactly once. */
  private final class Request<T> implements Callable<T> {
    private final SqlWork<T> work;
    private final boolean write;
    private final AtomicInteger state = new AtomicInteger(); // 0 new, 1 started, 2 abandoned

    Request(SqlWork<T> work, boolean write) {
      this.work = work;
      this.write = write;
    }

    @Override
    public T call() throws Exception {
      if (!state.compareAndSet(0, 1)) {
        throw new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down");
      }
      try {
        return run(work, write);
      } finally {
        finished();
      }
    }

    void abandon() {
      if (state.compareAndSet(0, 2)) {
        if (write) {
          writesWaiting.decrementAndGet();
        }
        finished();
      }
    }
  }

  /** On a worker thread: borrows a connection and runs the work until it succeeds or must fail. */
  private <T> T run(SqlWork<T> work, boolean write) throws Exception {
    PostgresPool.Slot slot;
    try {
      slot = pool.borrow(BORROW_TIMEOUT_MS);
    } finally {
      if (write) {
        writesWaiting.decrementAndGet();
      }
    }
    try {
      return attempt(slot, work, write);
    } finally {
      pool.release(slot);
    }
  }

  private <T> T attempt(PostgresPool.Slot slot, SqlWork<T> work, boolean write) throws Exception {
    int conflicts = 0;
    boolean reconnected = false;
    while (true) {
      Connection connection = pool.connection(slot);
      long started = System.nanoTime();
      try {
        if (!write) {
          return inSnapshot(connection, work);
        }
        T result = inTransaction(connection, work);
        metrics.batch(1, 0, System.nanoTime() - started);
        return result;
      } catch (CommitOutcomeUnknown e) {
        pool.discard(slot);
        LOG.warn("Lost the connection to {} during COMMIT: {}", url.describe(), reason(e.getCause()));
        throw new StoreException(ErrorCode.UNAVAILABLE, "The database is unavailable: the connection was lost "
            + "while committing, so the write may or may not have been applied; retry shortly.");
      } catch (Exception e) {
        boolean lost = PostgresConnections.isConnectionLoss(e);
        if (lost || connection.isClosed()) {
          pool.discard(slot);
        }
        if (lost) {
          if (!reconnected) {
            // The server rolled the transaction back with the connection: running it again is safe.
            reconnected = true;
            LOG.warn("Lost a connection to {} ({}); retrying on a new connection", url.describe(), reason(e));
            continue;
          }
          throw PostgresPool.unavailable(reason(e));
        }
        if (PostgresConnections.isConflict(e)) {
          String what = PostgresConnections.isDeadlock(e) ? "deadlock" : "serialization failure";
          metrics.busy();
          if (conflicts < maxRetries) {
            conflicts++;
            LOG.debug("{} on {}; running the work again (retry {} of {})", what, url.describe(), conflicts, maxRetries);
            pause(conflicts);
            continue;
          }
          throw new StoreException(ErrorCode.UNAVAILABLE, "The database is busy (" + what + " on "
              + (conflicts + 1) + " attempts); retry shortly.");
        }
        if (PostgresConnections.isUnstorableText(e)) {
          throw new StoreException(ErrorCode.VALIDATION_FAILED,
              "Text values must not contain NUL (\\u0000) characters.");
        }
        throw e;
      }
    }
  }

  /**
   * Runs the work in a transaction and commits it. Any failure of the work rolls back; a COMMIT that
   * fails because the connection broke is reported as {@link CommitOutcomeUnknown}.
   */
  private static <T> T inTransaction(Connection connection, SqlWork<T> work)
      throws SQLException, CommitOutcomeUnknown {
    connection.setAutoCommit(false); // pgjdbc sends BEGIN with the work's first statement
    T result;
    try {
      result = work.run(connection);
      afterWork(connection, false);
    } catch (Throwable e) {
      afterWork(connection, true);
      endTransaction(connection, e);
      throw e;
    }
    try {
      connection.commit();
    } catch (SQLException e) {
      if (PostgresConnections.isConnectionLoss(e)) {
        throw new CommitOutcomeUnknown(e);
      }
      // E.g. a serialization failure detected at COMMIT: the server rolled back, nothing was applied.
      endTransaction(connection, e);
      throw e;
    }
    // Committed: from here on the write is acknowledged whatever happens to the connection.
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      PostgresConnections.closeQuietly(connection); // replaced on its next use
    }
    return result;
  }

  /**
   * Runs a read in one REPEATABLE READ, READ ONLY transaction, so that all its statements see the same
   * snapshot (a list and its total, a workflow and its nodes agree while writes commit).
   */
  private static <T> T inSnapshot(Connection connection, SqlWork<T> work) throws SQLException {
    connection.setAutoCommit(false);
    boolean succeeded = false;
    try {
      beginTransaction(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      T result = work.run(connection);
      succeeded = true;
      return result;
    } finally {
      afterWork(connection, !succeeded);
      if (!connection.isClosed()) {
        if (succeeded) {
          connection.commit();
          connection.setAutoCommit(true);
        } else {
          endTransaction(connection, null);
        }
      }
    }
  }

  /** The first statement of a transaction; transaction-scoped, so nothing outlives the work. */
  private static void beginTransaction(Connection connection, String setTransaction) throws SQLException {
    try (java.sql.Statement statement = connection.createStatement()) {
      statement.execute(setTransaction);
    }
  }

  /**
   * Rolls back and returns to auto-commit. When that fails the connection's state is unknown: it is
   * closed, so that the pool replaces it, and never reused with a transaction half done.
   */
  private static void endTransaction(Connection connection, Throwable cause) {
    try {
      connection.rollback();
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      if (cause != null && e != cause) {
        cause.addSuppressed(e);
      }
      PostgresConnections.closeQuietly(connection);
    }
  }

  private static void afterWork(Connection connection, boolean failed) {
    StatementCache cache = StatementCache.of(connection);
    if (cache != null) {
      cache.afterWork(failed);
    }
  }

  private void finished() {
    synchronized (admission) {
      inFlight--;
      if (inFlight == 0 && closing) {
        admission.notifyAll();
      }
    }
  }

  private void awaitInFlight(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    synchronized (admission) {
      while (inFlight > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          LOG.warn("Closing {} with {} requests still running", url.describe(), inFlight);
          return;
        }
        admission.wait(left);
      }
    }
  }

  /** Sleeps 10-50 ms times the attempt number: enough for the other transaction to finish, jittered. */
  private static void pause(int attempt) {
    long ms = ThreadLocalRandom.current().nextLong(RETRY_PAUSE_MIN_MS, RETRY_PAUSE_MAX_MS + 1) * attempt;
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down");
    }
  }

  private String reason(Throwable e) {
    return PostgresConnections.redact(PostgresConnections.shortReason(e), url.password());
  }

  /** COMMIT failed because the connection broke: the transaction may or may not have committed. */
  private static final class CommitOutcomeUnknown extends Exception {
    private static final long serialVersionUID = 1L;

    CommitOutcomeUnknown(SQLException cause) {
      super(cause);
    }
  }
}
