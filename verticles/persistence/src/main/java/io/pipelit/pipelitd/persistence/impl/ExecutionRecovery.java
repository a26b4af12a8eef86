package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Execution recovery (Pipelit §6.4, extended): an execution left {@code running} or {@code pending} by
 * an engine that crashed is marked {@code failed}, with the reason in {@code error_message} and
 * {@code completed_at} set, once it is older than the zombie threshold. A running one's age counts from
 * {@code started_at}, a pending one's from {@code created_at} (V7; Pipelit never recovers pending ones).
 * {@code interrupted} executions wait for a human and are left alone. Each sweep fails at most
 * {@link #BATCH} executions per write and loops until none is left; an {@code execution_updated} event
 * per execution follows each commit, as {@link ExecutionStore} publishes it.
 */
public final class ExecutionRecovery {
  /** Executions failed per write. */
  static final int BATCH = 500;
  private static final String STUCK = "FROM workflow_executions e WHERE"
      + " (e.status = 'running' AND COALESCE(e.started_at, e.created_at) < ?)"
      + " OR (e.status = 'pending' AND e.created_at < ?)";

  private final Database db;
  private final Dialect dialect;
  private final StoreEvents events;
  private final ExecutionStore executions;

  public ExecutionRecovery(Database db, StoreEvents events, ExecutionStore executions) {
    this.db = db;
    this.dialect = db.dialect();
    this.events = events;
    this.executions = executions;
  }

  /** One sweep with this threshold (seconds, 0 = every running/pending one); the number failed. */
  public Future<Integer> sweep(long thresholdSeconds) {
    Instant cutoff = Instant.now().minusSeconds(thresholdSeconds);
    // A look on the read pool first: the periodic sweep takes a turn of the writer only when there is
    // something to fail (almost never), so it never queues behind, or ahead of, the clients' writes.
    return db.read(c -> anyStuck(c, cutoff))
        .compose(any -> any ? sweepFrom(cutoff, thresholdSeconds, 0) : Future.succeededFuture(0));
  }

  private boolean anyStuck(Connection c, Instant cutoff) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT 1 " + STUCK + " LIMIT 1")) {
      dialect.setTimestamp(statement, 1, cutoff);
      dialect.setTimestamp(statement, 2, cutoff);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  private Future<Integer> sweepFrom(Instant cutoff, long thresholdSeconds, int failedSoFar) {
    return db.write(c -> failBatch(c, cutoff, thresholdSeconds))
        .compose(failed -> {
          failed.forEach(execution ->
              events.publish(execution.getString("workflow_slug"), "execution_updated", execution));
          int total = failedSoFar + failed.size();
          return failed.size() < BATCH ? Future.succeededFuture(total)
              : sweepFrom(cutoff, thresholdSeconds, total);
        });
  }

  private List<JsonObject> failBatch(Connection c, Instant cutoff, long thresholdSeconds) throws SQLException {
    List<String[]> stuck = new ArrayList<>();
    try (PreparedStatement statement = c.prepareStatement("SELECT e.execution_id, e.status " + STUCK
        + " ORDER BY e.execution_id LIMIT " + BATCH + dialect.lockRows("e"))) {
      dialect.setTimestamp(statement, 1, cutoff);
      dialect.setTimestamp(statement, 2, cutoff);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          stuck.add(new String[] {rows.getString(1), rows.getString(2)});
        }
      }
    }
    List<JsonObject> failed = new ArrayList<>();
    if (stuck.isEmpty()) {
      return failed;
    }
    Instant now = Instant.now();
    try (PreparedStatement update = c.prepareStatement("UPDATE workflow_executions SET status = 'failed',"
        + " error_message = ?, completed_at = ? WHERE execution_id = ? AND status = ?");
         PreparedStatement load = c.prepareStatement("SELECT " + ExecutionStore.COLUMNS
             + " FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id WHERE e.execution_id = ?")) {
      for (String[] execution : stuck) {
        update.setString(1, reason(execution[1], thresholdSeconds));
        dialect.setTimestamp(update, 2, now);
        update.setString(3, execution[0]);
        update.setString(4, execution[1]);
        if (update.executeUpdate() == 0) {
          continue; // changed by its engine meanwhile
        }
        load.setString(1, execution[0]);
        try (ResultSet rows = load.executeQuery()) {
          if (rows.next()) {
            failed.add(executions.toJson(rows));
          }
        }
      }
    }
    return failed;
  }

  /** The error_message of a recovered execution: what happened, and after how long. */
  static String reason(String status, long thresholdSeconds) {
    return "running".equals(status)
        ? "Execution recovered as failed by pipelitd: still running more than " + thresholdSeconds
            + " s after it started (zombie threshold); its engine presumably crashed."
        : "Execution recovered as failed by pipelitd: still pending more than " + thresholdSeconds
            + " s after it was created (zombie threshold); its job was presumably lost.";
  }
}
