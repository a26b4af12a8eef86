package io.pipelit.pipelitd.bench;

import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The "naive" baseline of docs/DESIGN.md, as its own process: what Pipelit's SQLAlchemy sessions do on
 * SQLite. A pool of {@value #POOL} connections (WAL, busy_timeout 5 s, the synchronous level given), each
 * request on one of {@value #POOL} threads running an ORM-style deferred transaction that reads then
 * writes: {@code BEGIN; SELECT} the API key and its user; {@code SELECT} the execution; {@code INSERT} the
 * log row; {@code COMMIT}. A failure (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT...) rolls back and answers 500, as
 * an unhandled OperationalError does in FastAPI.
 *
 * <p>{@code NaiveServer <sqlite file> <NORMAL|FULL>}: serves {@code POST /api/v1/executions/{id}/logs/} on a
 * free loopback port and prints {@code READY <port>}.
 */
public final class NaiveServer {
  static final int POOL = 16;
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private NaiveServer() {}

  public static void main(String[] args) throws Exception {
    String file = args[0];
    String synchronous = args[1];
    BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(POOL);
    for (int i = 0; i < POOL; i++) {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA busy_timeout=5000");
        s.execute("PRAGMA synchronous=" + synchronous);
      }
      pool.add(c);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("naive-sessions", POOL);
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      String[] parts = request.path().split("/");
      // /api/v1/executions/{id}/logs/
      if (parts.length != 6 || !"logs".equals(parts[5])) {
        request.response().setStatusCode(404).end();
        return;
      }
      String executionId = parts[4];
      String header = request.getHeader("Authorization");
      String key = header == null ? "" : header.replaceFirst("^Bearer ", "");
      request.body().compose(body -> workers.executeBlocking(() -> {
        JsonObject log = body.toJsonObject();
        Connection c = pool.take();
        try {
          return append(c, key, executionId, log);
        } finally {
          pool.add(c);
        }
      }, false)).onComplete(done -> {
        if (done.succeeded()) {
          request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("id", done.result()).encode());
        } else {
          request.response().setStatusCode(500).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("detail", String.valueOf(done.cause().getMessage())).encode());
        }
      });
    });
    server.listen(0, "127.0.0.1").await();
    System.out.println("READY " + server.actualPort());
    System.out.flush();
  }

  private static long append(Connection c, String key, String executionId, JsonObject log) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN"); // deferred, as pysqlite opens it: the write lock is taken at the INSERT
    }
    try {
      long userId;
      try (PreparedStatement s = c.prepareStatement("SELECT k.user_id FROM api_keys k JOIN user_profiles u"
          + " ON u.id = k.user_id WHERE k.key = ? AND k.is_active AND u.is_active")) {
        s.setString(1, ApiKeys.hash(key));
        try (ResultSet rows = s.executeQuery()) {
          if (!rows.next()) {
            throw new SQLException("not authenticated");
          }
          userId = rows.getLong(1);
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM workflow_executions e JOIN workflows w"
          + " ON w.id = e.workflow_id WHERE e.execution_id = ? AND w.owner_id = ?")) {
        s.setString(1, executionId);
        s.setLong(2, userId);
        try (ResultSet rows = s.executeQuery()) {
          if (!rows.next()) {
            throw new SQLException("execution not found");
          }
        }
      }
      long id;
      try (PreparedStatement s = c.prepareStatement("INSERT INTO execution_logs (execution_id, node_id, status,"
          + " input, output, error, metadata, retry_count, duration_ms, timestamp)"
          + " VALUES (?, ?, ?, ?, ?, '', '{}', 0, ?, ?) RETURNING id")) {
        s.setString(1, executionId);
        s.setString(2, log.getString("node_id"));
        s.setString(3, log.getString("status"));
        s.setString(4, String.valueOf(log.getValue("input")));
        s.setString(5, String.valueOf(log.getValue("output")));
        s.setLong(6, log.getLong("duration_ms", 0L));
        s.setString(7, TIMESTAMP.format(LocalDateTime.now(ZoneOffset.UTC)));
        try (ResultSet rows = s.executeQuery()) {
          rows.next();
          id = rows.getLong(1);
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
      return id;
    } catch (SQLException e) {
      try (Statement s = c.createStatement()) {
        s.execute("ROLLBACK");
      } catch (SQLException ignored) {
        // no transaction left to roll back (SQLite may have ended it itself)
      }
      throw e;
    }
  }
}
