package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SQLite file served the pipelitd way: every write goes through one writer thread and connection
 * (group commit, one SAVEPOINT per write, acknowledged after COMMIT), reads go to a pool of read-only
 * connections and never wait for the writer (WAL). See {@link Database} for the guarantees.
 *
 * <p>Works given to {@link #read} must not leave a transaction open (a read transaction pins the WAL
 * snapshot of that connection). Works given to {@link #write} must not commit or roll back (see
 * {@link SqlWork}). Use {@link Statements#prepare} for statements reused across works.
 *
 * <p>JDBC generated keys are switched off on these connections (see {@code SqliteConnections#config}):
 * read a new id with {@code INSERT ... RETURNING id} and {@code executeQuery()}.
 */
public final class SqliteDatabase implements Database {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);

  /** Read threads are named {@code pipelitd-sqlite-read-<file>-<n>-<thread>}. */
  static final String READ_POOL_NAME = "pipelitd-sqlite-read";

  /** How long close() waits for running reads before closing their connections anyway, in ms. */
  private static final long READ_DRAIN_TIMEOUT_MS = 10_000;

  /**
   * Shared worker executors are shared by name inside a Vertx instance: a sequence number keeps two
   * databases (the main one and the checkpoints) from sharing, and mis-sizing, one pool.
   */
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Vertx vertx;
  private final Path file;
  private final SqliteWriter writer;
  private final ReadPool readers;
  private final WorkerExecutor readExecutor;
  private Future<Void> closed; // guarded by this

  /**
   * Counters of the writer since open.
   *
   * @param committedWrites writes acknowledged as committed
   * @param failedWrites    writes answered with a failure (their own or their batch's)
   * @param commits         transactions committed; {@code committedWrites / commits} is the batching
   * @param failedBatches   transactions that failed as a whole (BEGIN, COMMIT or savepoint failure)
   * @param queueDepth      writes waiting right now
   */
  public record Stats(long committedWrites, long failedWrites, long commits, long failedBatches, int queueDepth) {}

  private SqliteDatabase(Vertx vertx, Path file, SqliteWriter writer, ReadPool readers,
      WorkerExecutor readExecutor) {
    this.vertx = vertx;
    this.file = file;
    this.writer = writer;
    this.readers = readers;
    this.readExecutor = readExecutor;
  }

  /**
   * Opens (creating it and its parent directories if needed) the database file, the writer connection
   * and the read connections, and starts the writer thread. Blocking: call it from a worker
   * ({@code vertx.executeBlocking}), never from an event loop. Does not create any schema: run
   * {@link FlywayRunner} first.
   *
   * @throws IOException  when the parent directory cannot be created
   * @throws SQLException when SQLite cannot open or configure the file
   */
  public static SqliteDatabase open(Vertx vertx, SqliteOptions options) throws IOException, SQLException {
    Path file = options.file().toAbsolutePath().normalize();
    SqliteConnections.createPrivately(file);
    String description = "SQLite " + file;
    List<Connection> opened = new ArrayList<>();
    try {
      // The writer first: it creates the file and switches it to WAL before read-only connections open.
      Connection writerConnection = SqliteConnections.openWriter(options);
      opened.add(writerConnection);
      List<Connection> readConnections = new ArrayList<>();
      for (int i = 0; i < options.readPoolSize(); i++) {
        Connection reader = SqliteConnections.openReader(options);
        opened.add(reader);
        readConnections.add(reader);
      }
      ReadPool readers = new ReadPool(readConnections);
      SqliteWriter writer = new SqliteWriter(vertx, writerConnection, options.writeQueueCapacity(),
          options.writeBatchSize(), description, () -> readers.close(READ_DRAIN_TIMEOUT_MS), file);
      WorkerExecutor readExecutor = vertx.createSharedWorkerExecutor(
          READ_POOL_NAME + "-" + file.getFileName() + "-" + SEQUENCE.incrementAndGet(), options.readPoolSize());
      SqliteDatabase database = new SqliteDatabase(vertx, file, writer, readers, readExecutor);
      writer.start();
      LOG.info("Opened {} (synchronous={}, {} read connections, write queue {}, batch {})", description,
          options.synchronous(), options.readPoolSize(), options.writeQueueCapacity(), options.writeBatchSize());
      return database;
    } catch (SQLException | RuntimeException e) {
      for (Connection connection : opened) {
        StatementCache cache = StatementCache.of(connection);
        if (cache != null) {
          cache.close();
        }
        SqliteConnections.closeQuietly(connection);
      }
      throw e;
    }
  }

  @Override
  public <T> Future<T> read(SqlWork<T> work) {
    Objects.requireNonNull(work, "work");
    if (readers.isClosed()) {
      return Future.failedFuture(new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down"));
    }
    // ordered=false: reads from one context may run in parallel, each on its own connection.
    return readExecutor.executeBlocking(() -> {
      Connection connection = readers.borrow();
      boolean succeeded = false;
      try {
        T result = inSnapshot(connection, work);
        succeeded = true;
        return result;
      } finally {
        readers.release(connection, !succeeded);
      }
    }, false);
  }

  /**
   * Runs a read in one read transaction, so that all its statements see the same snapshot: a list and
   * its total, a workflow and its nodes, agree even while writes commit. SQLite's deferred BEGIN takes
   * no lock; the snapshot starts at the first SELECT.
   */
  private static <T> T inSnapshot(Connection connection, SqlWork<T> work) throws SQLException {
    try (Statement control = connection.createStatement()) {
      control.execute("BEGIN");
      T result;
      try {
        result = work.run(connection);
      } catch (SQLException | RuntimeException | Error e) {
        StatementCache cache = StatementCache.of(connection);
        if (cache != null) {
          cache.afterWork(true); // reset statements before ending the transaction
        }
        try {
          control.execute("ROLLBACK");
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
      StatementCache cache = StatementCache.of(connection);
      if (cache != null) {
        cache.afterWork(false);
      }
      control.execute("COMMIT");
      return result;
    }
  }

  @Override
  public <T> Future<T> write(SqlWork<T> work) {
    return writer.submit(work, false);
  }

  @Override
  public <I, R> Future<R> writeBatched(BatchedWrite<I, R> kind, I item) {
    return writer.submitBatched(kind, item);
  }

  /**
   * Runs {@code work} on the writer thread between two batches, in auto-commit mode and outside any
   * transaction, queued like a write (so it also fails with OVERLOADED when the queue is full). For
   * whole-database operations such as {@code VACUUM INTO} backups or {@code PRAGMA wal_checkpoint}: they
   * never fight the writer for the lock. A work that opens a transaction must end it.
   */
  public <T> Future<T> exclusive(SqlWork<T> work) {
    return writer.submit(work, true);
  }

  @Override
  public Future<Boolean> ping() {
    return read(connection -> {
      try (Statement statement = connection.createStatement();
           ResultSet result = statement.executeQuery("SELECT 1")) {
        return result.next() && result.getInt(1) == 1;
      }
    }).otherwise(false);
  }

  @Override
  public boolean acceptsWrites() {
    return writer.acceptsWrites();
  }

  @Override
  public int writeQueueDepth() {
    return writer.queueDepth();
  }

  /** Counters of the writer, for metrics and tests. */
  public Stats stats() {
    return writer.stats();
  }

  @Override
  public Dialect dialect() {
    return SqliteDialect.INSTANCE;
  }

  @Override
  public String describe() {
    return "SQLite " + file;
  }

  /** The absolute, normalised path of the database file. */
  public Path file() {
    return file;
  }

  /**
   * Stops accepting writes (they fail with UNAVAILABLE), lets the writer commit everything already
   * queued, closes the read connections (waiting up to 10 s for running reads), checkpoints the WAL
   * (best effort), closes the writer connection and the read threads. Idempotent; the future completes on
   * the caller's context. Never blocks the caller.
   */
  @Override
  public Future<Void> close() {
    synchronized (this) {
      if (closed == null) {
        Context context = Vertx.currentContext();
        Context target = context != null ? context : vertx.getOrCreateContext();
        Promise<Void> done = Promise.promise();
        writer.close()
            .eventually(readExecutor::close)
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
}
