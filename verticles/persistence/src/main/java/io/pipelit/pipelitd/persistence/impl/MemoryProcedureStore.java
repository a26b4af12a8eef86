package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
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
import java.util.Set;
import java.util.UUID;

/**
 * How an agent does things ({@code memory_procedures}, §1.8): the admin list and batch delete (§3.13),
 * and the engine's writes — teach or revise a procedure, count its uses.
 */
public final class MemoryProcedureStore {
  static final String TABLE = "memory_procedures";
  static final Set<String> TYPES = Set.of("workflow_graph", "prompt_template", "code_snippet", "tool_sequence");
  static final Set<String> SOURCES = Set.of("human_taught", "self_learned", "evolved");
  private static final String NOT_FOUND = "Procedure not found.";
  /** Pipelit's success rate of a procedure never used: no evidence either way. */
  private static final double UNUSED_SUCCESS_RATE = 0.5;
  private static final String LIST_COLUMNS = "id, agent_id, name, description, procedure_type, times_used,"
      + " times_succeeded, times_failed, is_active, created_at";
  private static final String ROW_COLUMNS = LIST_COLUMNS + ", user_id, trigger_conditions, procedure_content,"
      + " avg_duration_ms, last_used_at, source, parent_procedure_id, updated_at";

  private final Database db;
  private final Dialect dialect;

  public MemoryProcedureStore(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  /** {@code GET /memories/procedures/?agent_id}: newest first. */
  public Future<JsonObject> list(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("agent_id", RequestFields.optionalString(request, "agent_id", 100, null));
    return MemorySql.list(db, request, LIST_COLUMNS, TABLE, filters, "created_at DESC, id", this::listItem);
  }

  /** Procedures evolved from a deleted one stay, with {@code parent_procedure_id} NULL. */
  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    return MemorySql.batchDelete(db, request, TABLE);
  }

  /** Teaches or revises a procedure; see {@code StoreAddresses.MEMORY_PROCEDURES_UPSERT}. */
  public Future<JsonObject> upsert(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    JsonObject body = RequestFields.body(request);
    MemorySql.refuseNull(body, "description", "trigger_conditions", "source", "is_active");
    String agentId = RequestFields.requiredString(body, "agent_id", 100);
    String name = RequestFields.requiredString(body, "name", 255);
    String userId = RequestFields.optionalString(body, "user_id", 100, null);
    String type = RequestFields.oneOf(body, "procedure_type", TYPES, null);
    if (type == null) {
      throw StoreException.validation("procedure_type: field required");
    }
    if (body.getValue("procedure_content") == null) {
      throw StoreException.validation("procedure_content: field required"); // the column is NOT NULL
    }
    String content = RequestFields.optionalJsonText(body, "procedure_content");
    String description = RequestFields.optionalString(body, "description", 100_000, null);
    JsonObject conditions = RequestFields.optionalObject(body, "trigger_conditions", null);
    String source = RequestFields.oneOf(body, "source", SOURCES, null);
    String parentId = RequestFields.optionalString(body, "parent_procedure_id", MemorySql.UUID_MAX, null);
    Boolean active = body.containsKey("is_active") ? RequestFields.optionalBool(body, "is_active", true) : null;
    return db.write(c -> {
      // Like facts, procedures have no unique key: serialise writers of the same (agent, user, name).
      dialect.lockKey(c, MemorySql.lockName(TABLE, agentId, userId, name));
      String existing = find(c, agentId, userId, name);
      if (parentId != null) {
        if (parentId.equals(existing)) {
          throw StoreException.validation("parent_procedure_id: a procedure cannot be its own parent");
        }
        MemorySql.requireRow(c, TABLE, "id", parentId, "parent_procedure_id: procedure '" + parentId + "' not found");
      }
      Instant now = Instant.now();
      String id = existing != null ? existing : UUID.randomUUID().toString();
      if (existing == null) {
        insert(c, id, agentId, userId, name, type, content, now);
      }
      // The optional fields: the defaults were inserted above, the values given overwrite.
      MemorySql.Assignments update = new MemorySql.Assignments()
          .set("procedure_type", (s, i) -> s.setString(i, type))
          .set("procedure_content", (s, i) -> dialect.setJson(s, i, content))
          .set("updated_at", (s, i) -> dialect.setTimestamp(s, i, now));
      if (description != null) {
        update.set("description", (s, i) -> s.setString(i, description));
      }
      if (conditions != null) {
        String json = conditions.encode();
        update.set("trigger_conditions", (s, i) -> dialect.setJson(s, i, json));
      }
      if (source != null) {
        update.set("source", (s, i) -> s.setString(i, source));
      }
      if (parentId != null) {
        update.set("parent_procedure_id", (s, i) -> s.setString(i, parentId));
      }
      if (active != null) {
        update.set("is_active", (s, i) -> dialect.setBoolean(s, i, active));
      }
      update.apply(c, TABLE, id);
      return new JsonObject().put("procedure", load(c, id)).put("created", existing == null);
    });
  }

  /** Counts one use; see {@code StoreAddresses.MEMORY_PROCEDURES_RECORD_USE}. */
  public Future<JsonObject> recordUse(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    String id = RequestFields.requiredString(request, "id", MemorySql.UUID_MAX);
    JsonObject body = RequestFields.body(request);
    if (body.getValue("success") == null) {
      throw StoreException.validation("success: field required");
    }
    boolean success = RequestFields.optionalBool(body, "success", false);
    Long durationMs = RequestFields.optionalLong(body, "duration_ms", 0, Integer.MAX_VALUE, null);
    Instant now = Instant.now();
    return db.write(c -> {
      JsonObject current = MemorySql.load(c, "times_used, avg_duration_ms", TABLE, id, dialect.lockRows(TABLE),
          rows -> new JsonObject().put("times_used", rows.getLong("times_used"))
              .put("avg_duration_ms", Rows.nullableDouble(rows, "avg_duration_ms")), NOT_FOUND);
      long used = current.getLong("times_used") + 1;
      Double average = current.getDouble("avg_duration_ms");
      if (durationMs != null) {
        // A running mean over the uses: the first duration starts it, each later one moves it by 1/n.
        average = average == null ? durationMs.doubleValue() : average + (durationMs - average) / used;
      }
      Double newAverage = average;
      new MemorySql.Assignments()
          .set("times_used", (s, i) -> s.setLong(i, used))
          .raw(success ? "times_succeeded = times_succeeded + 1" : "times_failed = times_failed + 1")
          .set("avg_duration_ms", (s, i) -> {
            if (newAverage == null) {
              s.setNull(i, Types.DOUBLE);
            } else {
              s.setDouble(i, newAverage);
            }
          })
          .set("last_used_at", (s, i) -> dialect.setTimestamp(s, i, now))
          .set("updated_at", (s, i) -> dialect.setTimestamp(s, i, now))
          .apply(c, TABLE, id);
      return load(c, id);
    });
  }

  private static String find(Connection c, String agentId, String userId, String name) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT id FROM memory_procedures WHERE agent_id = ?"
        + " AND user_id IS NOT DISTINCT FROM ? AND name = ? ORDER BY created_at, id LIMIT 1")) {
      statement.setString(1, agentId);
      if (userId == null) {
        statement.setNull(2, Types.VARCHAR);
      } else {
        statement.setString(2, userId);
      }
      statement.setString(3, name);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  /** A new procedure with every column written and the defaults of §1.8. */
  private void insert(Connection c, String id, String agentId, String userId, String name, String type,
      String content, Instant now) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("INSERT INTO memory_procedures (id, agent_id, user_id,"
        + " name, description, trigger_conditions, procedure_type, procedure_content, times_used, times_succeeded,"
        + " times_failed, avg_duration_ms, last_used_at, source, parent_procedure_id, is_active, created_at,"
        + " updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, 0, 0, 0, NULL, NULL, 'human_taught', NULL, ?, ?, ?)")) {
      statement.setString(1, id);
      statement.setString(2, agentId);
      statement.setString(3, userId);
      statement.setString(4, name);
      dialect.setJson(statement, 5, "{}");
      statement.setString(6, type);
      dialect.setJson(statement, 7, content);
      dialect.setBoolean(statement, 8, true);
      dialect.setTimestamp(statement, 9, now);
      dialect.setTimestamp(statement, 10, now);
      statement.executeUpdate();
    }
  }

  private JsonObject load(Connection c, String id) throws SQLException {
    return MemorySql.load(c, ROW_COLUMNS, TABLE, id, "", this::row, NOT_FOUND);
  }

  /** The list item of §3.13, with the computed {@code success_rate}. */
  private JsonObject listItem(ResultSet rows) throws SQLException {
    long used = rows.getLong("times_used");
    long succeeded = rows.getLong("times_succeeded");
    return new JsonObject()
        .put("id", rows.getString("id"))
        .put("agent_id", rows.getString("agent_id"))
        .put("name", rows.getString("name"))
        .put("description", rows.getString("description"))
        .put("procedure_type", rows.getString("procedure_type"))
        .put("times_used", used)
        .put("times_succeeded", succeeded)
        .put("times_failed", rows.getLong("times_failed"))
        .put("success_rate", used == 0 ? UNUSED_SUCCESS_RATE : (double) succeeded / used)
        .put("is_active", dialect.getBoolean(rows, "is_active"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"));
  }

  /** The whole row, as the write addresses answer. */
  private JsonObject row(ResultSet rows) throws SQLException {
    return listItem(rows)
        .put("user_id", rows.getString("user_id"))
        .put("trigger_conditions", Rows.json(dialect, rows, "trigger_conditions"))
        .put("procedure_content", Rows.json(dialect, rows, "procedure_content"))
        .put("avg_duration_ms", Rows.nullableDouble(rows, "avg_duration_ms"))
        .put("last_used_at", Rows.timestamp(dialect, rows, "last_used_at"))
        .put("source", rows.getString("source"))
        .put("parent_procedure_id", rows.getString("parent_procedure_id"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"));
  }
}
