package io.pipelit.pipelitd.behaviour;

import io.pipelit.pipelitd.storage.Timestamps;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Executions and logs written straight into a daemon's database, with the timestamps a test needs
 * (hours or days in the past), as a crashed or long-running engine would have left them.
 */
final class ExecutionRows {
  private final Daemon daemon;

  ExecutionRows(Daemon daemon) {
    this.daemon = daemon;
  }

  /** A new workflow (over HTTP, owned by the admin); returns its id. */
  long workflow(String slug) throws Exception {
    Response created = daemon.post("/api/v1/workflows/", new JsonObject().put("name", slug).put("slug", slug));
    if (created.status() != 201) {
      throw new AssertionError(created.toString());
    }
    try (Connection c = daemon.connect();
         PreparedStatement s = c.prepareStatement("SELECT id FROM workflows WHERE slug = ?")) {
      s.setString(1, slug);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /**
   * An execution with this status and these times (null = NULL; createdAt null = the database's own
   * default) and {@code logs} log rows of {@code logBytes} characters each; returns its id.
   */
  String execution(long workflowId, String status, Instant createdAt, Instant startedAt, Instant completedAt,
      int logs, int logBytes) throws SQLException {
    String id = UUID.randomUUID().toString();
    try (Connection c = daemon.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement("INSERT INTO workflow_executions (execution_id, workflow_id,"
          + " user_profile_id, thread_id, status, started_at, completed_at) VALUES (?, ?, (SELECT owner_id FROM"
          + " workflows WHERE id = ?), 'thread', ?, ?, ?)")) {
        s.setString(1, id);
        s.setLong(2, workflowId);
        s.setLong(3, workflowId);
        s.setString(4, status);
        time(s, 5, startedAt);
        time(s, 6, completedAt);
        s.executeUpdate();
      }
      if (createdAt != null) {
        try (PreparedStatement s = c.prepareStatement(
            "UPDATE workflow_executions SET created_at = ? WHERE execution_id = ?")) {
          time(s, 1, createdAt);
          s.setString(2, id);
          s.executeUpdate();
        }
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO execution_logs (execution_id, node_id, status, error) VALUES (?, ?, 'completed', ?)")) {
        String filler = "x".repeat(logBytes);
        for (int i = 0; i < logs; i++) {
          s.setString(1, id);
          s.setString(2, "node_" + i);
          s.setString(3, filler);
          s.addBatch();
        }
        s.executeBatch();
      }
      c.commit();
    }
    return id;
  }

  /** Binds an instant the way the daemon stores it: Pipelit's text on SQLite, a naive UTC TIMESTAMP on PostgreSQL. */
  private void time(PreparedStatement s, int index, Instant value) throws SQLException {
    if (value == null) {
      s.setNull(index, java.sql.Types.TIMESTAMP);
    } else if (daemon.backend == Backend.SQLITE) {
      s.setString(index, Timestamps.format(value));
    } else {
      s.setObject(index, LocalDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }

  String status(String executionId) throws SQLException {
    return column("status", executionId);
  }

  String column(String column, String executionId) throws SQLException {
    try (Connection c = daemon.connect();
         PreparedStatement s = c.prepareStatement("SELECT " + column + " FROM workflow_executions WHERE execution_id = ?")) {
      s.setString(1, executionId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  boolean exists(String executionId) throws SQLException {
    return daemon.count("SELECT COUNT(*) FROM workflow_executions WHERE execution_id = '" + executionId + "'") == 1;
  }

  long logs(String executionId) throws SQLException {
    return daemon.count("SELECT COUNT(*) FROM execution_logs WHERE execution_id = '" + executionId + "'");
  }
}
