package io.pipelit.pipelitd.checkpoints;

import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark, not a test (run it with {@code scripts/bench/checkpoints}): {@code put} and
 * {@code get_tuple} throughput of CheckpointVerticle on SQLite for 10 KiB checkpoints with 32
 * concurrent writers (event-bus requests, each acknowledged after commit), against raw inserts and
 * raw selects of the same rows into the same table on one JDBC connection (auto-commit, the same
 * journal and synchronous settings), all measured in the same run. Prints the rates and the ratios.
 *
 * <p>Arguments: {@code [rows per writer, default 200] [synchronous, default FULL]}.
 */
public final class CheckpointBench {
  private static final int WRITERS = 32;
  private static final int BLOB_BYTES = 10 * 1024;
  private static final DeliveryOptions ADMIN = new Identity(0, Identity.ADMIN).toDeliveryOptions();

  private CheckpointBench() {}

  public static void main(String[] args) throws Exception {
    int perWriter = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    String synchronous = args.length > 1 ? args[1] : "FULL";
    int total = WRITERS * perWriter;
    byte[] blob = new byte[BLOB_BYTES];
    ThreadLocalRandom.current().nextBytes(blob);
    String blob64 = Base64.getEncoder().encodeToString(blob);
    Path folder = Files.createTempDirectory("pipelitd-bench-checkpoints-");

    // Baseline: the same rows, the same table (LangGraph's DDL, via the verticle's own schema on a
    // first put), one connection, one auto-commit INSERT per row: what a single SqliteSaver does.
    Path rawFile = folder.resolve("raw.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + rawFile); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=" + synchronous);
      s.execute(SqliteCompatibilityTest.LANGGRAPH_DDL[1]);
    }
    double rawInsert;
    double rawSelect;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + rawFile)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA synchronous=" + synchronous);
      }
      long start = System.nanoTime();
      try (PreparedStatement insert = c.prepareStatement("INSERT OR REPLACE INTO checkpoints (thread_id,"
          + " checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, '', ?, ?, 'msgpack', ?, ?)")) {
        for (int w = 0; w < WRITERS; w++) {
          String parent = null;
          for (int i = 0; i < perWriter; i++) {
            String id = Uuid6.now();
            insert.setString(1, "thread-" + w);
            insert.setString(2, id);
            insert.setString(3, parent);
            insert.setBytes(4, blob);
            insert.setBytes(5, ("{\"source\":\"loop\",\"step\":" + i + "}").getBytes());
            insert.executeUpdate();
            parent = id;
          }
        }
      }
      rawInsert = total / seconds(start);
      start = System.nanoTime();
      try (PreparedStatement select = c.prepareStatement("SELECT thread_id, checkpoint_id, parent_checkpoint_id,"
          + " type, checkpoint, metadata FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ''"
          + " ORDER BY checkpoint_id DESC LIMIT 1")) {
        for (int i = 0; i < total; i++) {
          select.setString(1, "thread-" + (i % WRITERS));
          try (ResultSet rows = select.executeQuery()) {
            rows.next();
            rows.getBytes("checkpoint");
          }
        }
      }
      rawSelect = total / seconds(start);
    }

    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new CheckpointVerticle(), new DeploymentOptions().setConfig(new JsonObject()
          .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, "sqlite:///" + folder.resolve("daemon.db").toAbsolutePath())
          .put(ConfigKeys.SQLITE_SYNCHRONOUS, synchronous))).await(60, TimeUnit.SECONDS);
      AtomicInteger errors = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      long start = System.nanoTime();
      run(pool, w -> {
        String parent = null;
        for (int i = 0; i < perWriter; i++) {
          String id = Uuid6.now();
          JsonObject request = new JsonObject().put("thread_id", "thread-" + w).put("checkpoint_id", id)
              .put("body", new JsonObject().put("type", "msgpack").put("checkpoint", blob64)
                  .put("parent_checkpoint_id", parent).put("metadata", new JsonObject().put("source", "loop").put("step", i)));
          try {
            vertx.eventBus().request(CheckpointAddresses.PUT, request, ADMIN).await(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            errors.incrementAndGet();
          }
          parent = id;
        }
      });
      double put = total / seconds(start);
      start = System.nanoTime();
      run(pool, w -> {
        for (int i = 0; i < perWriter; i++) {
          try {
            vertx.eventBus().request(CheckpointAddresses.GET_TUPLE, new JsonObject().put("thread_id", "thread-" + w),
                ADMIN).await(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            errors.incrementAndGet();
          }
        }
      });
      double get = total / seconds(start);
      pool.shutdownNow();

      System.out.printf("checkpoints bench: SQLite, synchronous=%s, %d writers x %d checkpoints of %d bytes%n",
          synchronous, WRITERS, perWriter, BLOB_BYTES);
      System.out.printf("  raw INSERT, 1 connection, auto-commit : %10.0f rows/s%n", rawInsert);
      System.out.printf("  put over the event bus, %d writers    : %10.0f /s   ratio %.2f%n", WRITERS, put, put / rawInsert);
      System.out.printf("  raw SELECT latest, 1 connection        : %10.0f rows/s%n", rawSelect);
      System.out.printf("  get_tuple over the event bus, %d readers: %10.0f /s   ratio %.2f%n", WRITERS, get, get / rawSelect);
      System.out.printf("  errors: %d%n", errors.get());
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  private interface Writer {
    void run(int index) throws Exception;
  }

  private static void run(ExecutorService pool, Writer writer) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int index = w;
      done.add(pool.submit(() -> {
        writer.run(index);
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(30, TimeUnit.MINUTES);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
