package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.SqliteDatabase;
import io.pipelit.pipelitd.storage.SqliteOptions;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backup benchmark (not a test; {@code scripts/bench/backup} runs it): on a SQLite database of a given
 * size under a steady write load through the real single writer, measured side by side in one run:
 * <ol>
 *   <li>a plain file copy of the database (the baseline);</li>
 *   <li>the backup as pipelitd takes it: {@code VACUUM INTO} on a read connection of its own
 *       ({@link SqliteSnapshot#copy}), uncompressed and then with gzip;</li>
 *   <li>the same {@code VACUUM INTO} run through the writer ({@code SqliteDatabase.exclusive}).</li>
 * </ol>
 * For each: duration, ratio to the plain copy, writes acknowledged meanwhile, and the longest time one
 * write waited for its acknowledgement (the pause writers saw).
 *
 * <p>Arguments: {@code [SIZE_MIB (default 1024)] [WRITERS (default 4)] [FOLDER (default the temp folder)]}.
 */
public final class BackupBench {
  private BackupBench() {}

  public static void main(String[] args) throws Exception {
    long sizeMib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int writers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Path folder = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("java.io.tmpdir")),
        "pipelitd-backup-bench-");
    Path db = folder.resolve("bench.sqlite3");
    try {
      System.out.printf("building a %d MiB database in %s ...%n", sizeMib, db);
      build(db, sizeMib);
      System.out.printf("database: %.1f MiB%n", Files.size(db) / 1048576.0);

      long copyStart = System.nanoTime();
      Path plain = folder.resolve("plain-copy.sqlite3");
      Files.copy(db, plain);
      BackupFiles.fsync(plain);
      double copySeconds = (System.nanoTime() - copyStart) / 1e9;
      Files.delete(plain);
      System.out.printf("plain file copy + fsync: %.2f s%n%n", copySeconds);

      Vertx vertx = Vertx.vertx();
      SqliteDatabase database = vertx.executeBlocking(() -> SqliteDatabase.open(vertx,
          new SqliteOptions(db, 10_000, 256, 4, "NORMAL", 5_000))).await();
      try {
        Load load = new Load(database, writers);
        load.start();
        Thread.sleep(2_000);
        Load.Window idle = load.window(() -> Thread.sleep(3_000));
        report("no backup (3 s of load alone)", idle, 3.0, copySeconds);

        Path out1 = folder.resolve("read-connection.sqlite3");
        Load.Window read = load.window(() -> SqliteSnapshot.copy(db, out1, Cancellation.none()));
        report("VACUUM INTO on its own read connection (pipelitd)", read, read.seconds(), copySeconds);
        Files.delete(out1);

        Path gz = folder.resolve("read-connection.sqlite3.gz");
        Path raw = folder.resolve("raw.sqlite3");
        Load.Window compressed = load.window(() -> {
          SqliteSnapshot.copy(db, raw, Cancellation.none());
          BackupFiles.gzip(raw, gz, BackupFiles.DEFAULT_OPENER, Cancellation.none());
        });
        report("  ... plus gzip (BACKUP_COMPRESS=true)", compressed, compressed.seconds(), copySeconds);
        Files.delete(raw);
        Files.delete(gz);

        Path out2 = folder.resolve("through-writer.sqlite3");
        Load.Window exclusive = load.window(() -> database.exclusive(connection -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute("VACUUM INTO '" + out2 + "'");
          }
          return null;
        }).await());
        report("VACUUM INTO through the writer (exclusive)", exclusive, exclusive.seconds(), copySeconds);
        Files.delete(out2);
        load.stop();
      } finally {
        database.close().await();
        vertx.close().await();
      }
    } finally {
      BackupFiles.deleteTreeQuietly(folder);
    }
  }

  private static void report(String label, Load.Window window, double seconds, double copySeconds) {
    System.out.printf("%-52s %7.2f s  %5.2fx copy   %7d writes acked   longest writer pause %7.1f ms%n",
        label, seconds, seconds / copySeconds, window.writes(), window.longestPauseMs());
  }

  /** Rows of random (incompressible) 64 KiB blobs until the file reaches the size. */
  private static void build(Path db, long sizeMib) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=OFF");
      s.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB)");
      s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER, note TEXT)");
      c.setAutoCommit(false);
      Random random = new Random(7);
      byte[] data = new byte[64 * 1024];
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO filler (data) VALUES (?)")) {
        for (long i = 0; i < sizeMib * 16; i++) {
          random.nextBytes(data);
          insert.setBytes(1, data);
          insert.executeUpdate();
          if (i % 1024 == 0) {
            c.commit();
          }
        }
      }
      c.commit();
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
  }

  /** Writers that each submit one small insert at a time and time its acknowledgement. */
  private static final class Load {
    interface Action {
      void run() throws Exception;
    }

    record Window(long writes, double longestPauseMs, double seconds) {}

    private final SqliteDatabase database;
    private final int writers;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong longestNanos = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    Load(SqliteDatabase database, int writers) {
      this.database = database;
      this.writers = writers;
    }

    void start() {
      for (int i = 0; i < writers; i++) {
        Thread thread = new Thread(() -> {
          while (running.get()) {
            long start = System.nanoTime();
            try {
              database.write(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO events (at, note) VALUES (?, 'bench')")) {
                  insert.setLong(1, System.currentTimeMillis());
                  return insert.executeUpdate();
                }
              }).await(10, TimeUnit.MINUTES);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            long took = System.nanoTime() - start;
            acknowledged.incrementAndGet();
            longestNanos.accumulateAndGet(took, Math::max);
          }
        });
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
      }
    }

    /** Runs the action under the load; the pauses and writes counted are those of its duration. */
    Window window(Action action) throws Exception {
      long writesBefore = acknowledged.get();
      longestNanos.set(0);
      long start = System.nanoTime();
      action.run();
      double seconds = (System.nanoTime() - start) / 1e9;
      // A write waiting when the action ended still counts: let it finish.
      Thread.sleep(100);
      return new Window(acknowledged.get() - writesBefore, longestNanos.get() / 1e6, seconds);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
    }
  }
}
