package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.pipelit.pipelitd.storage.Statements;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Workflow executions and their logs (Pipelit §1.6, §3.7), plus what an execution engine needs to
 * record a run: create, status transitions, and log appends (the hot path: one INSERT, scoped in SQL).
 */
public final class ExecutionStore {
  static final String NOT_FOUND = "Execution not found.";
  static final Set<String> STATUSES = Set.of("pending", "running", "completed", "failed", "interrupted", "cancelled");
  static final Set<String> LOG_STATUSES = Set.of("completed", "failed", "skipped", "running");
  /** Legal transitions; the terminal states (completed, failed, cancelled) have none. */
  static final Map<String, Set<String>> TRANSITIONS = Map.of(
      "pending", Set.of("running", "cancelled", "failed"),
      "running", Set.of("completed", "failed", "interrupted", "cancelled"),
      "interrupted", Set.of("running", "cancelled", "failed"),
      "completed", Set.of(),
      "failed", Set.of(),
      "cancelled", Set.of());
  private static final Set<String> CANCELLABLE = Set.of("pending", "running", "interrupted");
  static final String COLUMNS = "e.execution_id, w.slug AS workflow_slug, e.status, e.error_message,"
      + " e.started_at, e.completed_at, e.total_tokens, e.total_cost_usd, e.llm_calls";

  private final Database db;
  private final Dialect dialect;
  private final StoreEvents events;
  private final LogAppends logAppends;

  public ExecutionStore(Database db, StoreEvents events) {
    this.db = db;
    this.dialect = db.dialect();
    this.events = events;
    this.logAppends = new LogAppends(dialect);
  }

  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    String slug = RequestFields.optionalString(request, "workflow_slug", WorkflowStore.SLUG_MAX, null);
    String status = RequestFields.optionalString(request, "status", 15, null);
    StringBuilder where = new StringBuilder(Scope.on("w"));
    if (slug != null) {
      where.append(" AND w.slug = ?");
    }
    if (status != null) {
      where.append(" AND e.status = ?");
    }
    String from = " FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id WHERE " + where;
    return db.read(c -> {
      JsonArray items = new JsonArray();
      long total;
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + from
          + " ORDER BY e.started_at DESC NULLS LAST, e.execution_id DESC LIMIT ? OFFSET ?")) {
        int i = bindFilters(statement, identity, slug, status);
        statement.setInt(i, limit);
        statement.setLong(i + 1, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(toJson(rows));
          }
        }
      }
      try (PreparedStatement statement = c.prepareStatement("SELECT COUNT(*)" + from)) {
        bindFilters(statement, identity, slug, status);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  private static int bindFilters(PreparedStatement statement, Identity identity, String slug, String status)
      throws SQLException {
    int i = Scope.bind(statement, 1, identity);
    if (slug != null) {
      statement.setString(i++, slug);
    }
    if (status != null) {
      statement.setString(i++, status);
    }
    return i;
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    String executionId = RequestFields.requiredString(request, "execution_id", 36);
    return db.read(c -> {
      JsonObject execution = load(c, identity, executionId, true);
      JsonArray logs = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT id, node_id, status, input, output, error,"
          + " error_code, metadata, duration_ms, timestamp FROM execution_logs WHERE execution_id = ? ORDER BY id")) {
        statement.setString(1, executionId);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            logs.add(logToJson(rows));
          }
        }
      }
      return execution.put("logs", logs);
    });
  }

  /** Pipelit's status answer (§3.9): the execution's outcome without its logs. */
  public Future<JsonObject> status(Identity identity, JsonObject request) {
    String executionId = RequestFields.requiredString(request, "execution_id", 36);
    return db.read(c -> {
      JsonObject execution = load(c, identity, executionId, true);
      return new JsonObject()
          .put("execution_id", execution.getString("execution_id"))
          .put("workflow", execution.getString("workflow_slug"))
          .put("status", execution.getString("status"))
          .put("started_at", execution.getValue("started_at"))
          .put("completed_at", execution.getValue("completed_at"))
          .put("final_output", execution.getValue("final_output"))
          .put("error_message", execution.getValue("error_message"));
    });
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String slug = RequestFields.requiredString(body, "workflow_slug", WorkflowStore.SLUG_MAX);
    String payload = RequestFields.optionalJsonText(body, "trigger_payload");
    String threadId = RequestFields.optionalString(body, "thread_id", 255, null);
    String parentExecutionId = RequestFields.optionalString(body, "parent_execution_id", 36, null);
    String parentNodeId = RequestFields.optionalString(body, "parent_node_id", NodeStore.NODE_ID_MAX, "");
    String triggerNodeId = RequestFields.optionalString(body, "trigger_node_id", NodeStore.NODE_ID_MAX, null);
    String executionId = UUID.randomUUID().toString();
    String thread = threadId != null ? threadId : UUID.randomUUID().toString().replace("-", "");
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      Long triggerPk = null;
      if (triggerNodeId != null) {
        triggerPk = nodePk(c, workflow.id(), triggerNodeId);
      }
      if (parentExecutionId != null) {
        load(c, identity, parentExecutionId, false); // must exist in the caller's scope
      }
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO workflow_executions (execution_id,"
          + " workflow_id, trigger_node_id, parent_execution_id, parent_node_id, user_profile_id, thread_id, status,"
          + " trigger_payload, retry_count, max_retries, error_message, total_input_tokens, total_output_tokens,"
          + " total_tokens, total_cost_usd, llm_calls) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, 0, 3, '', 0, 0, 0, 0, 0)")) {
        statement.setString(1, executionId);
        statement.setLong(2, workflow.id());
        Sql.setNullableLong(statement, 3, triggerPk);
        statement.setString(4, parentExecutionId);
        statement.setString(5, parentNodeId);
        statement.setLong(6, identity.userId());
        statement.setString(7, thread);
        dialect.setJson(statement, 8, payload);
        statement.executeUpdate();
      }
      return load(c, identity, executionId, false);
    }).onSuccess(execution -> events.publish(slug, "execution_created", execution));
  }

  private static long nodePk(Connection c, long workflowId, String nodeId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT id FROM workflow_nodes WHERE workflow_id = ? AND node_id = ?")) {
      statement.setLong(1, workflowId);
      statement.setString(2, nodeId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.validation("trigger_node_id: node '" + nodeId + "' not found in this workflow");
        }
        return rows.getLong(1);
      }
    }
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    String executionId = RequestFields.requiredString(request, "execution_id", 36);
    JsonObject body = RequestFields.body(request);
    String status = RequestFields.has(body, "status") ? RequestFields.oneOf(body, "status", STATUSES, null) : null;
    if (RequestFields.has(body, "status") && status == null) {
      throw StoreException.validation("status: must not be null");
    }
    List<String> sets = new ArrayList<>();
    List<Sql.Binder> binders = new ArrayList<>();
    if (RequestFields.has(body, "final_output")) {
      String json = RequestFields.optionalJsonText(body, "final_output");
      sets.add("final_output = ?");
      binders.add((s, i) -> dialect.setJson(s, i, json));
    }
    if (RequestFields.has(body, "error_message")) {
      String message = RequestFields.optionalString(body, "error_message", 100_000, "");
      sets.add("error_message = ?");
      binders.add((s, i) -> s.setString(i, message));
    }
    for (String counter : List.of("total_tokens", "total_input_tokens", "total_output_tokens", "llm_calls")) {
      if (RequestFields.has(body, counter)) {
        Long value = RequestFields.optionalLong(body, counter, 0, Long.MAX_VALUE / 2, 0L);
        sets.add(counter + " = ?");
        binders.add((s, i) -> s.setLong(i, value));
      }
    }
    if (RequestFields.has(body, "total_cost_usd")) {
      Double cost = RequestFields.optionalDouble(body, "total_cost_usd", 0, 999_999, 0.0);
      BigDecimal rounded = BigDecimal.valueOf(cost).setScale(6, RoundingMode.HALF_UP);
      sets.add("total_cost_usd = ?");
      binders.add((s, i) -> s.setBigDecimal(i, rounded));
    }
    Instant startedAt = RequestFields.optionalTimestamp(body, "started_at");
    Instant completedAt = RequestFields.optionalTimestamp(body, "completed_at");
    return db.write(c -> {
      JsonObject current = loadForUpdate(c, identity, executionId); // the transition is decided on it
      String from = current.getString("status");
      Instant now = Instant.now();
      List<String> allSets = new ArrayList<>(sets);
      List<Sql.Binder> allBinders = new ArrayList<>(binders);
      if (status != null && !status.equals(from)) {
        if (!TRANSITIONS.get(from).contains(status)) {
          throw StoreException.conflict("Illegal status transition from '" + from + "' to '" + status + "'.");
        }
        allSets.add("status = ?");
        allBinders.add((s, i) -> s.setString(i, status));
      }
      String target = status != null ? status : from;
      Instant started = startedAt != null ? startedAt
          : ("running".equals(target) && current.getValue("started_at") == null ? now : null);
      Instant completed = completedAt != null ? completedAt
          : (TRANSITIONS.get(target).isEmpty() && current.getValue("completed_at") == null ? now : null);
      if (started != null) {
        allSets.add("started_at = ?");
        allBinders.add((s, i) -> dialect.setTimestamp(s, i, started));
      }
      if (completed != null) {
        allSets.add("completed_at = ?");
        allBinders.add((s, i) -> dialect.setTimestamp(s, i, completed));
      }
      if (!allSets.isEmpty()) {
        try (PreparedStatement statement = c.prepareStatement(
            "UPDATE workflow_executions SET " + String.join(", ", allSets) + " WHERE execution_id = ?")) {
          int i = 1;
          for (Sql.Binder binder : allBinders) {
            binder.bind(statement, i++);
          }
          statement.setString(i, executionId);
          statement.executeUpdate();
        }
      }
      return load(c, identity, executionId, false);
    }).onSuccess(execution -> {
      String workflowSlug = execution.getString("workflow_slug");
      events.publish(workflowSlug, "execution_updated", execution);
      if ("cancelled".equals(status)) {
        events.publish(workflowSlug, "execution_cancelled", new JsonObject().put("execution_id", executionId));
      }
    });
  }

  public Future<JsonObject> cancel(Identity identity, JsonObject request) {
    String executionId = RequestFields.requiredString(request, "execution_id", 36);
    return db.write(c -> {
      JsonObject current = loadForUpdate(c, identity, executionId);
      if (!CANCELLABLE.contains(current.getString("status"))) {
        return new Cancelled(current, false); // Pipelit: cancelling a finished execution is a no-op
      }
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE workflow_executions SET status = 'cancelled', completed_at = ? WHERE execution_id = ?")) {
        dialect.setTimestamp(statement, 1, Instant.now());
        statement.setString(2, executionId);
        statement.executeUpdate();
      }
      return new Cancelled(load(c, identity, executionId, false), true);
    }).onSuccess(result -> {
      if (result.changed()) {
        events.publish(result.execution().getString("workflow_slug"), "execution_cancelled",
            new JsonObject().put("execution_id", executionId));
      }
    }).map(Cancelled::execution);
  }

  private record Cancelled(JsonObject execution, boolean changed) {}

  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    List<String> ids = RequestFields.optionalStringList(body, "execution_ids", 10_000, 36);
    if (ids == null) {
      throw StoreException.validation("execution_ids: field required");
    }
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM workflow_executions WHERE execution_id = ?"
          + " AND workflow_id IN (SELECT w.id FROM workflows w WHERE " + Scope.on("w") + ")")) {
        for (String id : ids) {
          statement.setString(1, id);
          Scope.bind(statement, 2, identity);
          statement.executeUpdate();
        }
      }
      return new JsonObject();
    });
  }

  /**
   * Appends one log row. Validated and JSON-encoded here, on the caller's thread; the writer runs it with
   * the appends queued next to it ({@link LogAppends}).
   */
  public Future<JsonObject> appendLog(Identity identity, JsonObject request) {
    String executionId = RequestFields.requiredString(request, "execution_id", 36);
    JsonObject body = RequestFields.body(request);
    String nodeId = RequestFields.requiredString(body, "node_id", NodeStore.NODE_ID_MAX);
    String status = RequestFields.oneOf(body, "status", LOG_STATUSES, null);
    if (status == null) {
      throw StoreException.validation("status: field required");
    }
    String input = RequestFields.optionalJsonText(body, "input");
    String output = RequestFields.optionalJsonText(body, "output");
    String error = RequestFields.optionalString(body, "error", 100_000, "");
    String errorCode = RequestFields.optionalString(body, "error_code", 50, null);
    JsonObject metadata = RequestFields.optionalObject(body, "metadata", new JsonObject());
    long durationMs = RequestFields.optionalLong(body, "duration_ms", 0, Long.MAX_VALUE / 2, 0L);
    Instant timestamp = Instant.now();
    return db.writeBatched(logAppends, new LogAppends.Row(executionId, identity, nodeId, status, input, output,
        error, errorCode, metadata.encode(), durationMs, timestamp)).map(id -> new JsonObject()
        .put("id", id)
        .put("node_id", nodeId)
        .put("status", status)
        .put("input", body.getValue("input"))
        .put("output", body.getValue("output"))
        .put("error", error)
        .put("error_code", errorCode)
        .put("metadata", metadata)
        .put("duration_ms", durationMs)
        .put("timestamp", Rows.iso(timestamp)));
  }

  /** ExecutionOut (detail adds final_output and trigger_payload) of an execution in the caller's scope. */
  private JsonObject load(Connection c, Identity identity, String executionId, boolean detail) throws SQLException {
    return load(c, identity, executionId, detail, "");
  }

  /** As {@link #load(Connection, Identity, String, boolean)}, locking the execution's row for this write. */
  private JsonObject loadForUpdate(Connection c, Identity identity, String executionId) throws SQLException {
    return load(c, identity, executionId, false, dialect.lockRows("e"));
  }

  private JsonObject load(Connection c, Identity identity, String executionId, boolean detail, String lock)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS
        + ", e.final_output, e.trigger_payload FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id"
        + " WHERE e.execution_id = ? AND " + Scope.on("w") + lock)) {
      statement.setString(1, executionId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        JsonObject execution = toJson(rows);
        if (detail) {
          execution.put("final_output", Rows.json(dialect, rows, "final_output"))
              .put("trigger_payload", Rows.json(dialect, rows, "trigger_payload"));
        }
        return execution;
      }
    }
  }

  /** ExecutionOut. */
  JsonObject toJson(ResultSet rows) throws SQLException {
    BigDecimal cost = rows.getBigDecimal("total_cost_usd");
    return new JsonObject()
        .put("execution_id", rows.getString("execution_id"))
        .put("workflow_slug", rows.getString("workflow_slug"))
        .put("status", rows.getString("status"))
        .put("error_message", rows.getString("error_message"))
        .put("started_at", Rows.timestamp(dialect, rows, "started_at"))
        .put("completed_at", Rows.timestamp(dialect, rows, "completed_at"))
        .put("total_tokens", rows.getLong("total_tokens"))
        .put("total_cost_usd", cost == null ? 0.0 : cost.doubleValue())
        .put("llm_calls", rows.getLong("llm_calls"));
  }

  private JsonObject logToJson(ResultSet rows) throws SQLException {
    Object metadata = Rows.json(dialect, rows, "metadata");
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("node_id", rows.getString("node_id"))
        .put("status", rows.getString("status"))
        .put("input", Rows.json(dialect, rows, "input"))
        .put("output", Rows.json(dialect, rows, "output"))
        .put("error", rows.getString("error"))
        .put("error_code", rows.getString("error_code"))
        .put("metadata", metadata == null ? new JsonObject() : metadata)
        .put("duration_ms", rows.getLong("duration_ms"))
        .put("timestamp", Rows.timestamp(dialect, rows, "timestamp"));
  }
}
