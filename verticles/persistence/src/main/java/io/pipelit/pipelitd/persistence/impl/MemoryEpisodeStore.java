package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What happened in one run of an agent or workflow ({@code memory_episodes}, §1.8): the admin list and
 * batch delete (§3.13), and the engine's writes — record an episode when a run starts, amend it when it
 * ends.
 */
public final class MemoryEpisodeStore {
  static final String TABLE = "memory_episodes";
  private static final String NOT_FOUND = "Episode not found.";
  /** Largest duration or rating an episode may carry (a Java int, as the INTEGER columns hold). */
  private static final long INT_MAX = Integer.MAX_VALUE;
  private static final int TEXT_MAX = 1_000_000;
  private static final String LIST_COLUMNS = "id, agent_id, user_id, trigger_type, success, error_code, summary,"
      + " started_at, ended_at, duration_ms, created_at";
  private static final String ROW_COLUMNS = LIST_COLUMNS + ", session_id, workflow_id, execution_id, trigger_input,"
      + " conversation, actions_taken, final_output, error_message, human_feedback, human_rating,"
      + " processed_for_facts";

  private final Database db;
  private final Dialect dialect;

  public MemoryEpisodeStore(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  /** {@code GET /memories/episodes/?agent_id}: latest start first. */
  public Future<JsonObject> list(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("agent_id", RequestFields.optionalString(request, "agent_id", 100, null));
    return MemorySql.list(db, request, LIST_COLUMNS, TABLE, filters, "started_at DESC, id", this::listItem);
  }

  /** Facts learnt from a deleted episode stay, with {@code source_episode_id} NULL (ON DELETE SET NULL). */
  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    return MemorySql.batchDelete(db, request, TABLE);
  }

  /** Records an episode; see {@code StoreAddresses.MEMORY_EPISODES_RECORD} for the contract. */
  public Future<JsonObject> record(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    JsonObject body = RequestFields.body(request);
    MemorySql.refuseNull(body, "trigger_type", "success", "error_message", "processed_for_facts");
    String agentId = RequestFields.requiredString(body, "agent_id", 100);
    String userId = RequestFields.optionalString(body, "user_id", 100, null);
    String sessionId = RequestFields.optionalString(body, "session_id", 100, null);
    Long workflowId = RequestFields.optionalLong(body, "workflow_id", 1, Long.MAX_VALUE, null);
    String executionId = RequestFields.optionalString(body, "execution_id", MemorySql.UUID_MAX, null);
    String triggerType = RequestFields.optionalString(body, "trigger_type", 50, "");
    String triggerInput = RequestFields.optionalJsonText(body, "trigger_input");
    String conversation = MemorySql.optionalListJson(body, "conversation", "[]");
    String actionsTaken = MemorySql.optionalListJson(body, "actions_taken", "[]");
    String finalOutput = RequestFields.optionalJsonText(body, "final_output");
    boolean success = RequestFields.optionalBool(body, "success", false);
    String errorCode = RequestFields.optionalString(body, "error_code", 50, null);
    String errorMessage = RequestFields.optionalString(body, "error_message", TEXT_MAX, "");
    String humanFeedback = RequestFields.optionalString(body, "human_feedback", TEXT_MAX, null);
    Long humanRating = RequestFields.optionalLong(body, "human_rating", -INT_MAX, INT_MAX, null);
    Instant now = Instant.now();
    Instant startedAt = RequestFields.optionalTimestamp(body, "started_at");
    Instant endedAt = RequestFields.optionalTimestamp(body, "ended_at");
    Long durationMs = RequestFields.optionalLong(body, "duration_ms", 0, INT_MAX, null);
    String summary = RequestFields.optionalString(body, "summary", TEXT_MAX, null);
    boolean processed = RequestFields.optionalBool(body, "processed_for_facts", false);
    String id = UUID.randomUUID().toString();
    return db.write(c -> {
      if (workflowId != null) {
        MemorySql.requireRow(c, "workflows", "id", workflowId, "workflow_id: workflow " + workflowId + " not found");
      }
      if (executionId != null) {
        MemorySql.requireRow(c, "workflow_executions", "execution_id", executionId,
            "execution_id: execution '" + executionId + "' not found");
      }
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO memory_episodes (id, agent_id, user_id,"
          + " session_id, workflow_id, execution_id, trigger_type, trigger_input, conversation, actions_taken,"
          + " final_output, success, error_code, error_message, human_feedback, human_rating, started_at, ended_at,"
          + " duration_ms, summary, embedding, processed_for_facts, created_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)")) {
        statement.setString(1, id);
        statement.setString(2, agentId);
        statement.setString(3, userId);
        statement.setString(4, sessionId);
        Sql.setNullableLong(statement, 5, workflowId);
        statement.setString(6, executionId);
        statement.setString(7, triggerType);
        dialect.setJson(statement, 8, triggerInput);
        dialect.setJson(statement, 9, conversation);
        dialect.setJson(statement, 10, actionsTaken);
        dialect.setJson(statement, 11, finalOutput);
        dialect.setBoolean(statement, 12, success);
        statement.setString(13, errorCode);
        statement.setString(14, errorMessage);
        statement.setString(15, humanFeedback);
        setNullableInt(statement, 16, humanRating);
        dialect.setTimestamp(statement, 17, startedAt != null ? startedAt : now);
        dialect.setTimestamp(statement, 18, endedAt);
        setNullableInt(statement, 19, durationMs);
        statement.setString(20, summary);
        dialect.setBoolean(statement, 21, processed);
        dialect.setTimestamp(statement, 22, now);
        statement.executeUpdate();
      }
      return load(c, id);
    });
  }

  /** Amends an episode with the fields given; see {@code StoreAddresses.MEMORY_EPISODES_UPDATE}. */
  public Future<JsonObject> update(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    String id = RequestFields.requiredString(request, "id", MemorySql.UUID_MAX);
    JsonObject body = RequestFields.body(request);
    MemorySql.refuseNull(body, "success", "error_message", "processed_for_facts");
    MemorySql.Assignments update = new MemorySql.Assignments();
    if (body.containsKey("conversation")) {
      String json = MemorySql.optionalListJson(body, "conversation", null);
      update.set("conversation", (s, i) -> dialect.setJson(s, i, json));
    }
    if (body.containsKey("actions_taken")) {
      String json = MemorySql.optionalListJson(body, "actions_taken", null);
      update.set("actions_taken", (s, i) -> dialect.setJson(s, i, json));
    }
    if (body.containsKey("final_output")) {
      String json = RequestFields.optionalJsonText(body, "final_output");
      update.set("final_output", (s, i) -> dialect.setJson(s, i, json));
    }
    if (body.containsKey("success")) {
      boolean success = RequestFields.optionalBool(body, "success", false);
      update.set("success", (s, i) -> dialect.setBoolean(s, i, success));
    }
    if (body.containsKey("processed_for_facts")) {
      boolean processed = RequestFields.optionalBool(body, "processed_for_facts", false);
      update.set("processed_for_facts", (s, i) -> dialect.setBoolean(s, i, processed));
    }
    for (String column : new String[] {"error_code", "error_message", "human_feedback", "summary"}) {
      if (body.containsKey(column)) {
        String text = RequestFields.optionalString(body, column, "error_code".equals(column) ? 50 : TEXT_MAX, null);
        update.set(column, (s, i) -> s.setString(i, text));
      }
    }
    if (body.containsKey("human_rating")) {
      Long rating = RequestFields.optionalLong(body, "human_rating", -INT_MAX, INT_MAX, null);
      update.set("human_rating", (s, i) -> setNullableInt(s, i, rating));
    }
    if (body.containsKey("duration_ms")) {
      Long duration = RequestFields.optionalLong(body, "duration_ms", 0, INT_MAX, null);
      update.set("duration_ms", (s, i) -> setNullableInt(s, i, duration));
    }
    if (body.containsKey("ended_at")) {
      Instant endedAt = RequestFields.optionalTimestamp(body, "ended_at");
      update.set("ended_at", (s, i) -> dialect.setTimestamp(s, i, endedAt));
    }
    return db.write(c -> {
      MemorySql.load(c, "id", TABLE, id, dialect.lockRows(TABLE), rows -> new JsonObject(), NOT_FOUND);
      update.apply(c, TABLE, id);
      return load(c, id);
    });
  }

  private JsonObject load(Connection c, String id) throws SQLException {
    return MemorySql.load(c, ROW_COLUMNS, TABLE, id, "", this::row, NOT_FOUND);
  }

  private static void setNullableInt(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value.intValue());
    }
  }

  /** The list item of §3.13. */
  private JsonObject listItem(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getString("id"))
        .put("agent_id", rows.getString("agent_id"))
        .put("user_id", rows.getString("user_id"))
        .put("trigger_type", rows.getString("trigger_type"))
        .put("success", dialect.getBoolean(rows, "success"))
        .put("error_code", rows.getString("error_code"))
        .put("summary", rows.getString("summary"))
        .put("started_at", Rows.timestamp(dialect, rows, "started_at"))
        .put("ended_at", Rows.timestamp(dialect, rows, "ended_at"))
        .put("duration_ms", Rows.nullableLong(rows, "duration_ms"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"));
  }

  /** The whole row but {@code embedding}, as the write addresses answer. */
  private JsonObject row(ResultSet rows) throws SQLException {
    return listItem(rows)
        .put("session_id", rows.getString("session_id"))
        .put("workflow_id", Rows.nullableLong(rows, "workflow_id"))
        .put("execution_id", rows.getString("execution_id"))
        .put("trigger_input", Rows.json(dialect, rows, "trigger_input"))
        .put("conversation", Rows.json(dialect, rows, "conversation"))
        .put("actions_taken", Rows.json(dialect, rows, "actions_taken"))
        .put("final_output", Rows.json(dialect, rows, "final_output"))
        .put("error_message", rows.getString("error_message"))
        .put("human_feedback", rows.getString("human_feedback"))
        .put("human_rating", Rows.nullableLong(rows, "human_rating"))
        .put("processed_for_facts", dialect.getBoolean(rows, "processed_for_facts"));
  }
}
