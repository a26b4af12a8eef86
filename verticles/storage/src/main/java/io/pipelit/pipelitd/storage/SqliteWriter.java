package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single SQLite writer: one platform thread owning one auto-commit JDBC connection, fed by a bounded
 * queue. It groups queued writes into one {@code BEGIN IMMEDIATE} ... {@code COMMIT} (group commit),
 * runs each under its own SAVEPOINT, and answers callers only after the COMMIT, one hop per caller
 * context. Plain sqlite-jdbc on purpose: vertx-jdbc-client 5.0.x leaves pooled connections in
 * manual-commit mode after a transaction and later writes are silently lost (DESIGN.md, Known traps).
 *
 * <p>Only the writer thread touches the connection, the statement cache and the counters.
 */
final class SqliteWriter {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteWriter.class);

  static final String THREAD_NAME = "pipelitd-sqlite-writer";

  /** Wakes the thread when close() finds the queue empty; never run. */
  private static final Task<Void> WAKE_UP = new Task<>(c -> null, null, false);

  private final Vertx vertx;
  private final Connection connection;
  // Transaction control, prepared once: re-parsing SAVEPOINT/RELEASE for every write cost about 4 us
  // per write on the writer thread, on the order of the INSERT itself (measured, sqlite-jdbc 3.54.1.0).
  private final Control begin;
  private final Control commit;
  private final Control rollback;
  private final Control savepoint;
  private final Control release;
  private final Control rollbackToSavepoint;
  private final StatementCache statements;
  private final ArrayBlockingQueue<Task<?>> queue;
  private final int batchSize;
  private final String description;
  private final Runnable beforeCheckpoint;
  private final Thread thread;
  private final StoreMetrics metrics;
  private final Promise<Void> stopped = Promise.promise();

  /** Admission: write() holds the read side while offering, close() the write side to flip closing. */
  private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
  private volatile boolean closing;

  // Written by the writer thread only; volatile so that stats() reads fresh values.
  private volatile long committedWrites;
  private volatile long failedWrites;
  private volatile long commits;
  private volatile long failedBatches;

  /**
   * @param beforeCheckpoint run on the writer thread once the queue is drained, before the final WAL
   *                         checkpoint (closes the read pool so that the checkpoint can truncate the WAL)
   */
  SqliteWriter(Vertx vertx, Connection connection, int queueCapacity, int batchSize, String description,
      Runnable beforeCheckpoint, Path file) {
    this.vertx = vertx;
    this.connection = connection;
    this.begin = new Control(connection, "BEGIN IMMEDIATE");
    this.commit = new Control(connection, "COMMIT");
    this.rollback = new Control(connection, "ROLLBACK");
    this.savepoint = new Control(connection, "SAVEPOINT w");
    this.release = new Control(connection, "RELEASE w");
    this.rollbackToSavepoint = new Control(connection, "ROLLBACK TO w");
    this.statements = StatementCache.register(connection);
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.batchSize = batchSize;
    this.description = description;
    this.beforeCheckpoint = beforeCheckpoint;
    this.metrics = new StoreMetrics(file.getFileName().toString(), queue::size, file);
    this.thread = new Thread(this::run, THREAD_NAME);
    // Daemon: durability never depends on this thread outliving main (an unacknowledged write is not
    // promised), and a forgotten close() must not keep the JVM alive. close() is the graceful path.
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues work for the next batch (or, when {@code exclusive}, to run alone outside a transaction). */
  <T> Future<T> submit(SqlWork<T> work, boolean exclusive) {
    Objects.requireNonNull(work, "work");
    return enqueue(new Task<>(work, callerContext(), exclusive));
  }

  /** Queues one item of a batched kind: consecutive items of one kind run in one call (runGroup). */
  <I, R> Future<R> submitBatched(BatchedWrite<I, R> kind, I item) {
    Objects.requireNonNull(kind, "kind");
    Task<R> task = new Task<>(connection -> kind.runOne(connection, item), callerContext(), false);
    task.kind = kind;
    task.item = item;
    return enqueue(task);
  }

  private Context callerContext() {
    Context context = Vertx.currentContext();
    return context != null ? context : vertx.getOrCreateContext();
  }

  private <T> Future<T> enqueue(Task<T> task) {
    ReentrantReadWriteLock.ReadLock lock = admission.readLock();
    lock.lock();
    try {
      if (closing) {
        return Future.failedFuture(new StoreException(ErrorCode.UNAVAILABLE, "pipelitd is shutting down"));
      }
      if (!queue.offer(task)) {
        return Future.failedFuture(
            new StoreException(ErrorCode.OVERLOADED, "The write queue is full; retry shortly."));
      }
    } finally {
      lock.unlock();
    }
    return task.promise.future();
  }

  /** The writer thread runs and close() has not been called. */
  boolean acceptsWrites() {
    return !closing && thread.isAlive();
  }

  int queueDepth() {
    return queue.size();
  }

  SqliteDatabase.Stats stats() {
    return new SqliteDatabase.Stats(committedWrites, failedWrites, commits, failedBatches, queue.size());
  }

  /** Refuses new work; the thread commits what is queued, checkpoints, closes, then completes this. */
  Future<Void> close() {
    ReentrantReadWriteLock.WriteLock lock = admission.writeLock();
    lock.lock();
    try {
      if (!closing) {
        closing = true;
        // If the queue is full the thread is busy anyway and will see `closing` once it is drained.
        queue.offer(WAKE_UP);
      }
    } finally {
      lock.unlock();
    }
    return stopped.future();
  }

  private void run() {
    List<Task<?>> batch = new ArrayList<>(Math.min(batchSize, 1024));
    try {
      while (!(closing && queue.isEmpty())) {
        Task<?> first = queue.take();
        if (first == WAKE_UP) {
          continue;
        }
        if (first.exclusive) {
          runExclusive(first);
          continue;
        }
        batch.add(first);
        // One consumer, so peek-then-poll is safe. Stop before an exclusive task: it runs between batches.
        Task<?> next;
        while (batch.size() < batchSize && (next = queue.peek()) != null && !next.exclusive) {
          queue.poll();
          if (next != WAKE_UP) {
            batch.add(next);
          }
        }
        runBatch(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.error("The SQLite writer of {} was interrupted; failing queued writes", description);
    } catch (RuntimeException | Error e) {
      // runBatch and runExclusive catch everything; reaching this is a bug, but callers must not hang.
      LOG.error("The SQLite writer of {} stopped unexpectedly", description, e);
      failAll(batch, unavailable("the database writer stopped"));
    } finally {
      shutdown();
    }
  }

  private void runBatch(List<Task<?>> batch) {
    long started = System.nanoTime();
    try {
      begin();
    } catch (SQLException e) {
      LOG.error("BEGIN IMMEDIATE failed on {}; failing a batch of {} writes", description, batch.size(), e);
      countBusy(e);
      failBatch(batch, e);
      return;
    }
    try {
      for (int first = 0, end; first < batch.size(); first = end) {
        end = endOfGroup(batch, first);
        if (end - first == 1) {
          runInSavepoint(batch.get(first));
        } else {
          runGroup(batch.subList(first, end));
        }
      }
      commit.execute();
    } catch (SQLException | RuntimeException | Error e) {
      // A savepoint command or COMMIT failed (or the JVM ran out of something): the whole batch is lost.
      LOG.error("A write batch of {} failed on {}; rolled back", batch.size(), description, e);
      countBusy(e);
      rollbackQuietly();
      failBatch(batch, e);
      return;
    }
    int failed = 0;
    for (Task<?> task : batch) {
      if (task.failure != null) {
        failed++;
      }
    }
    metrics.batch(batch.size(), failed, System.nanoTime() - started);
    commits++;
    committedWrites += batch.size() - failed;
    failedWrites += failed;
    completeAll(batch);
  }

  /** Another process held the lock longer than the busy timeout: counted, it should never happen. */
  private void countBusy(Throwable e) {
    if (e instanceof org.sqlite.SQLiteException sqlite && sqlite.getResultCode() != null
        && (sqlite.getResultCode().code & 0xff) == 5 /* SQLITE_BUSY */
        || e instanceof org.sqlite.SQLiteException locked && locked.getResultCode() != null
        && (locked.getResultCode().code & 0xff) == 6 /* SQLITE_LOCKED */) {
      metrics.busy();
    }
  }

  /** BEGIN IMMEDIATE; heals a transaction left open by an exclusive work instead of failing forever. */
  private void begin() throws SQLException {
    try {
      begin.execute();
    } catch (SQLException e) {
      if (e.getMessage() == null || !e.getMessage().contains("within a transaction")) {
        throw e;
      }
      LOG.error("A transaction was left open on the SQLite writer of {} (by an exclusive work); rolling it back",
          description);
      rollback.execute();
      begin.execute();
    }
  }

  /**
   * Runs one task under SAVEPOINT w. A failing work is rolled back to its savepoint and keeps its own
   * exception; only a failure of the savepoint commands themselves escapes (and fails the batch).
   */
  private void runInSavepoint(Task<?> task) throws SQLException {
    savepoint.execute();
    try {
      boolean succeeded = false;
      try {
        task.run(connection);
        succeeded = true;
      } finally {
        // Reset the work's cached statements before RELEASE / ROLLBACK TO touch the transaction.
        statements.afterWork(!succeeded);
      }
      release.execute();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      task.failure = isDiskFull(e) ? insufficientStorage() : e;
      rollbackToSavepoint.execute();
      release.execute();
    }
  }

  /** The end (exclusive) of the run of tasks of one batched kind that starts at {@code first}. */
  private static int endOfGroup(List<Task<?>> batch, int first) {
    BatchedWrite<?, ?> kind = batch.get(first).kind;
    int end = first + 1;
    while (kind != null && end < batch.size() && batch.get(end).kind == kind) {
      end++;
    }
    return end;
  }

  /**
   * Runs consecutive items of one {@link BatchedWrite} kind in one call under one savepoint. If the call
   * throws, it is rolled back and every item runs again under its own savepoint (runInSavepoint), so
   * that a bad item fails alone with its own error while the others are written.
   */
  private void runGroup(List<Task<?>> group) throws SQLException {
    savepoint.execute();
    boolean succeeded = false;
    try {
      List<?> results = runKind(group);
      if (results.size() != group.size()) {
        throw new IllegalStateException("a batched write returned " + results.size() + " results for "
            + group.size() + " items");
      }
      for (int i = 0; i < group.size(); i++) {
        group.get(i).setResult(results.get(i));
      }
      succeeded = true;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      LOG.debug("A group of {} batched writes on {} failed ({}); running them one by one", group.size(),
          description, e.toString());
    } finally {
      statements.afterWork(!succeeded);
    }
    if (succeeded) {
      release.execute();
      return;
    }
    rollbackToSavepoint.execute();
    release.execute();
    for (Task<?> task : group) {
      runInSavepoint(task);
    }
  }

  @SuppressWarnings("unchecked")
  private List<?> runKind(List<Task<?>> group) throws SQLException {
    BatchedWrite<Object, ?> kind = (BatchedWrite<Object, ?>) group.get(0).kind;
    List<Object> items = new ArrayList<>(group.size());
    for (Task<?> task : group) {
      items.add(task.item);
    }
    return kind.run(connection, items);
  }

  private void runExclusive(Task<?> task) {
    boolean succeeded = false;
    try {
      task.run(connection);
      succeeded = true;
    } catch (VirtualMachineError e) {
      LOG.error("An exclusive database operation failed on {}", description, e);
      task.failure = unavailable("database operation failed: " + e.getClass().getSimpleName());
    } catch (Throwable e) {
      task.failure = e;
    } finally {
      statements.afterWork(!succeeded);
    }
    dispatch(task.context, List.of(task));
  }

  /** Fails every task after a batch-level failure; a task whose own work failed keeps its own error. */
  private void failBatch(List<Task<?>> batch, Throwable cause) {
    failedBatches++;
    metrics.lostBatch(batch.size());
    failedWrites += batch.size();
    String detail = cause instanceof SQLException && cause.getMessage() != null
        ? cause.getMessage()
        : cause.getClass().getSimpleName();
    StoreException failure = isDiskFull(cause) ? insufficientStorage()
        : unavailable("database write failed: " + detail);
    for (Task<?> task : batch) {
      if (task.failure == null) {
        task.failure = failure;
      }
    }
    completeAll(batch);
  }

  private void failAll(List<Task<?>> tasks, StoreException failure) {
    for (Task<?> task : tasks) {
      if (task != WAKE_UP && !task.dispatched) {
        task.failure = failure;
        dispatch(task.context, List.of(task));
      }
    }
  }

  /**
   * Answers the callers: one {@code runOnContext} per distinct context, completing that context's tasks
   * in batch (= commit) order, so a caller sees its own writes acknowledged in order.
   */
  private static void completeAll(List<Task<?>> batch) {
    if (batch.size() == 1) {
      dispatch(batch.get(0).context, List.of(batch.get(0)));
      return;
    }
    Map<Context, List<Task<?>>> byContext = new LinkedHashMap<>();
    for (Task<?> task : batch) {
      byContext.computeIfAbsent(task.context, c -> new ArrayList<>()).add(task);
    }
    byContext.forEach(SqliteWriter::dispatch);
  }

  /** Completes {@code tasks}, in order, on {@code context}; directly here if the context is gone. */
  private static void dispatch(Context context, List<Task<?>> tasks) {
    for (Task<?> task : tasks) {
      task.dispatched = true;
    }
    try {
      context.runOnContext(v -> tasks.forEach(Task::complete));
    } catch (RuntimeException e) {
      // Vert.x is closing and refuses new tasks: answering on this thread beats leaving callers hanging.
      LOG.debug("Completing {} writes on the writer thread: {}", tasks.size(), e.toString());
      tasks.forEach(Task::complete);
    }
  }

  private void rollbackQuietly() {
    try {
      rollback.execute();
    } catch (SQLException e) {
      // SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR...): "no transaction is active".
      LOG.debug("ROLLBACK after a failed batch on {}: {}", description, e.getMessage());
    }
  }

  private void shutdown() {
    ReentrantReadWriteLock.WriteLock lock = admission.writeLock();
    lock.lock();
    try {
      closing = true;
    } finally {
      lock.unlock();
    }
    // Normally empty: the loop exits only once the queue is drained. Not so after an interrupt or a bug.
    List<Task<?>> left = new ArrayList<>();
    queue.drainTo(left);
    failAll(left, unavailable("pipelitd is shutting down"));
    try {
      beforeCheckpoint.run();
    } catch (RuntimeException e) {
      LOG.warn("Closing the readers of {} failed", description, e);
    }
    checkpoint();
    statements.close();
    List.of(begin, commit, rollback, savepoint, release, rollbackToSavepoint).forEach(Control::close);
    SqliteConnections.closeQuietly(connection);
    LOG.info("Closed {}: {} writes committed in {} transactions", description, committedWrites, commits);
    stopped.complete();
  }

  /** Best effort: folds the WAL back into the database file and truncates it, for a tidy stop. */
  private void checkpoint() {
    try (Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      if (result.next() && result.getInt(1) != 0) {
        LOG.info("WAL checkpoint of {} could not complete (a reader is still active)", description);
      }
    } catch (SQLException e) {
      LOG.warn("WAL checkpoint of {} failed: {}", description, e.getMessage());
    }
  }

  private static StoreException unavailable(String detail) {
    return new StoreException(ErrorCode.UNAVAILABLE, detail);
  }

  /**
   * True when SQLite could not write because the disk (or the file size limit) is full: SQLITE_FULL,
   * or ENOSPC surfacing as an I/O error, anywhere in the cause chain. Nothing is wrong with the database
   * then: the batch rolled back, and the next one succeeds once space is freed.
   */
  static boolean isDiskFull(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof org.sqlite.SQLiteException sqlite && sqlite.getResultCode() != null
          && (sqlite.getResultCode().code & 0xff) == 13 /* SQLITE_FULL */) {
        return true;
      }
      String message = t.getMessage();
      if (message != null && message.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  private static StoreException insufficientStorage() {
    return new StoreException(ErrorCode.INSUFFICIENT_STORAGE, "The database disk is full; the write was not saved."
        + " Reads still work. Free space on the filesystem of the database folder: writes resume by themselves.");
  }

  /**
   * A transaction-control statement prepared on first use and reused. After a failure it is prepared
   * again: sqlite-jdbc 3.54.1.0 leaves some failed prepared statements unusable ("statement is not
   * executing" on every later execute, seen with BEGIN and ROLLBACK).
   */
  private static final class Control {
    private final Connection connection;
    private final String sql;
    private PreparedStatement statement;

    Control(Connection connection, String sql) {
      this.connection = connection;
      this.sql = sql;
    }

    void execute() throws SQLException {
      if (statement == null) {
        statement = connection.prepareStatement(sql);
      }
      try {
        statement.execute();
      } catch (SQLException e) {
        close();
        throw e;
      }
    }

    void close() {
      if (statement != null) {
        try {
          statement.close();
        } catch (SQLException ignored) {
          // Only native memory to free; the connection frees it at the latest.
        }
        statement = null;
      }
    }
  }

  /** One queued work, its caller's context and its outcome (set on the writer thread). */
  private static final class Task<T> {
    final SqlWork<T> work;
    final Context context;
    final boolean exclusive;
    final Promise<T> promise = Promise.promise();
    /** Set for an item of a batched kind (submitBatched): runGroup runs consecutive ones together. */
    BatchedWrite<?, T> kind;
    Object item;
    T result;
    Throwable failure;
    boolean dispatched;

    Task(SqlWork<T> work, Context context, boolean exclusive) {
      this.work = work;
      this.context = context;
      this.exclusive = exclusive;
    }

    void run(Connection connection) throws SQLException {
      result = work.run(connection);
    }

    @SuppressWarnings("unchecked")
    void setResult(Object value) {
      result = (T) value;
    }

    /** Runs on the caller's context; the writer thread's writes are visible through runOnContext. */
    void complete() {
      if (failure == null) {
        promise.tryComplete(result);
      } else {
        promise.tryFail(failure);
      }
    }
  }
}
