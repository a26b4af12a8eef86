package io.pipelit.pipelitd.bench;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * B1: execution-log appends through the event bus into PersistenceVerticle on SQLite (the single writer),
 * {@value #IN_FLIGHT} requests in flight from an in-process client, against the same rows inserted raw with
 * sqlite-jdbc in batches of {@value #RAW_BATCH} (and, for context, {@value #WRITER_BATCH}) on one
 * connection, no daemon in between.
 */
final class EventBusWrites {
  static final int IN_FLIGHT = 64;
  /**
   * Rows per raw batch and transaction for B1's target: as many as the requests in flight, the most the
   * path measured can ever put in one transaction. Raw inserts have no single ceiling: they keep getting
   * faster with bigger batches (FULL, 2026-11-27, three rounds each: 32 rows 89,000-118,000 rows/s, 64
   * 115,000-141,000, 256 136,000-174,000, 1,024 156,000-189,000), so the ceiling must be taken at a batch
   * size; batches of 64 are also what gives the "about 110k rows/s" here.
   */
  static final int RAW_BATCH = IN_FLIGHT;
  /** The writer's largest batch (PIPELITD_WRITE_BATCH_SIZE), measured beside the target for context. */
  static final int WRITER_BATCH = ConfigKeys.DEFAULT_WRITE_BATCH_SIZE;
  static final JsonObject LOG = new JsonObject().put("node_id", "agent_1").put("status", "completed")
      .put("input", new JsonObject().put("prompt", "summarise the ticket")).put("output",
          new JsonObject().put("text", "done")).put("duration_ms", 12);
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private EventBusWrites() {}

  /** Appends per second through the event bus over {@code measureMs}, after {@code warmupMs}. */
  static double eventBus(Path file, String synchronous, long warmupMs, long measureMs) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject()
          .put(ConfigKeys.DATABASE_URL, "sqlite:///" + file.toAbsolutePath())
          .put(ConfigKeys.SQLITE_SYNCHRONOUS, synchronous)
          .put(ConfigKeys.FIELD_ENCRYPTION_KEY, FieldKeyring.generateKey());
      vertx.deployVerticle(new PersistenceVerticle(), new DeploymentOptions().setConfig(config))
          .await(60, TimeUnit.SECONDS);
      Servers.Seed seed;
      long userId;
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=10000")) {
        seed = Servers.seed(c);
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(
            "SELECT user_profile_id FROM workflow_executions WHERE execution_id = '" + seed.executionId() + "'")) {
          rows.next();
          userId = rows.getLong(1);
        }
      }
      DeliveryOptions identity = new Identity(userId, Identity.ADMIN).toDeliveryOptions().setSendTimeout(60_000);
      JsonObject request = new JsonObject().put("execution_id", seed.executionId()).put("body", LOG);
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMs);
      long end = start + TimeUnit.MILLISECONDS.toNanos(measureMs);
      long[] counts = new long[2]; // ok, failed: touched only on the client's context
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(go -> {
        int[] running = {IN_FLIGHT};
        for (int i = 0; i < IN_FLIGHT; i++) {
          send(vertx, request, identity, start, end, counts, () -> {
            if (--running[0] == 0) {
              done.complete();
            }
          });
        }
      });
      done.future().await(warmupMs + measureMs + 120_000, TimeUnit.MILLISECONDS);
      if (counts[1] > 0) {
        throw new IllegalStateException(counts[1] + " event-bus appends failed");
      }
      return counts[0] / ((end - start) / 1e9);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  private static void send(Vertx vertx, JsonObject request, DeliveryOptions identity, long start, long end,
      long[] counts, Runnable finished) {
    if (System.nanoTime() >= end) {
      finished.run();
      return;
    }
    vertx.eventBus().request(StoreAddresses.EXECUTIONS_APPEND_LOG, request, identity).onComplete(reply -> {
      long now = System.nanoTime();
      if (now >= start && now <= end) {
        counts[reply.succeeded() ? 0 : 1]++;
      }
      send(vertx, request, identity, start, end, counts, finished);
    });
  }

  /**
   * Rows per second for {@code rows} execution-log rows inserted with batches of {@value #RAW_BATCH} (B1's
   * target baseline; {@link #WRITER_BATCH} is measured beside it with the method below) on one
   * connection, one transaction per batch, into a migrated file: the same table and indexes, WAL and the same
   * synchronous. Foreign keys stay off (sqlite-jdbc's default; the daemon turns them on): turning them on
   * here made no difference beyond the noise (six alternating rounds of batches of 28, 2026-11-26).
   */
  static double raw(Path file, String synchronous, int rows) throws Exception {
    return raw(file, synchronous, rows, RAW_BATCH);
  }

  /** As {@link #raw(Path, String, int)} with batches of {@code batchSize} rows. */
  static double raw(Path file, String synchronous, int rows, int batchSize) throws Exception {
    String executionId;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      executionId = Servers.seed(c).executionId();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=" + synchronous);
      }
      c.setAutoCommit(false);
      String input = LOG.getJsonObject("input").encode();
      String output = LOG.getJsonObject("output").encode();
      long started = System.nanoTime();
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO execution_logs (execution_id, node_id,"
          + " status, input, output, error, error_code, metadata, retry_count, duration_ms, timestamp)"
          + " VALUES (?, ?, ?, ?, ?, '', NULL, '{}', 0, ?, ?)")) {
        for (int i = 0; i < rows; i++) {
          insert.setString(1, executionId);
          insert.setString(2, LOG.getString("node_id"));
          insert.setString(3, LOG.getString("status"));
          insert.setString(4, input);
          insert.setString(5, output);
          insert.setLong(6, LOG.getLong("duration_ms"));
          insert.setString(7, TIMESTAMP.format(LocalDateTime.now(ZoneOffset.UTC)));
          insert.addBatch();
          if ((i + 1) % batchSize == 0 || i == rows - 1) {
            insert.executeBatch();
            c.commit();
          }
        }
      }
      return rows / ((System.nanoTime() - started) / 1e9);
    }
  }
}
