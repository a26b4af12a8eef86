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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Facts an agent learnt ({@code memory_facts}, §1.8): the admin list and batch delete (§3.13), and the
 * engine's writes — remember a fact (overwriting the one with the same scope, agent, user and key) and
 * count reads.
 */
public final class MemoryFactStore {
  static final String TABLE = "memory_facts";
  static final Set<String> SCOPES = Set.of("session", "user", "agent", "global");
  private static final String NOT_FOUND = "Fact not found.";
  private static final String LIST_COLUMNS = "id, scope, agent_id, user_id, \"key\", value, fact_type, confidence,"
      + " times_confirmed, access_count, created_at, updated_at";
  private static final String ROW_COLUMNS = LIST_COLUMNS + ", session_id, times_contradicted, source_episode_id,"
      + " source_description, last_accessed";

  private final Database db;
  private final Dialect dialect;

  public MemoryFactStore(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  /** {@code GET /memories/facts/?scope&fact_type}: newest change first. */
  public Future<JsonObject> list(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("scope", RequestFields.optionalString(request, "scope", 20, null));
    filters.put("fact_type", RequestFields.optionalString(request, "fact_type", 50, null));
    return MemorySql.list(db, request, LIST_COLUMNS, TABLE, filters, "updated_at DESC, id", this::listItem);
  }

  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    return MemorySql.batchDelete(db, request, TABLE);
  }

  /** Remembers a fact; see {@code StoreAddresses.MEMORY_FACTS_UPSERT} for the contract. */
  public Future<JsonObject> upsert(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    JsonObject body = RequestFields.body(request);
    String key = RequestFields.requiredString(body, "key", 255);
    if (body.getValue("value") == null) {
      throw StoreException.validation("value: field required"); // the column is NOT NULL
    }
    String valueJson = RequestFields.optionalJsonText(body, "value");
    String factType = RequestFields.requiredString(body, "fact_type", 50);
    String scope = RequestFields.oneOf(body, "scope", SCOPES, "agent");
    String agentId = RequestFields.optionalString(body, "agent_id", 100, null);
    String userId = RequestFields.optionalString(body, "user_id", 100, null);
    String sessionId = RequestFields.optionalString(body, "session_id", 100, null);
    Double confidence = RequestFields.optionalDouble(body, "confidence", 0, 1, null);
    String sourceEpisodeId = RequestFields.optionalString(body, "source_episode_id", MemorySql.UUID_MAX, null);
    String sourceDescription = RequestFields.optionalString(body, "source_description", 255, null);
    return db.write(c -> {
      // No unique key on (scope, agent_id, user_id, key), as in Pipelit: the lock keeps two concurrent
      // writers of the same fact from both inserting on PostgreSQL.
      dialect.lockKey(c, MemorySql.lockName(TABLE, scope, agentId, userId, key));
      if (sourceEpisodeId != null) {
        MemorySql.requireRow(c, MemoryEpisodeStore.TABLE, "id", sourceEpisodeId,
            "source_episode_id: episode '" + sourceEpisodeId + "' not found");
      }
      String existing = find(c, scope, agentId, userId, key);
      Instant now = Instant.now();
      String id;
      if (existing != null) {
        id = existing;
        MemorySql.Assignments update = new MemorySql.Assignments()
            .set("value", (s, i) -> dialect.setJson(s, i, valueJson))
            .set("fact_type", (s, i) -> s.setString(i, factType))
            .raw("times_confirmed = times_confirmed + 1")
            .set("updated_at", (s, i) -> dialect.setTimestamp(s, i, now));
        if (confidence != null) {
          update.set("confidence", (s, i) -> s.setDouble(i, confidence));
        }
        if (sessionId != null) {
          update.set("session_id", (s, i) -> s.setString(i, sessionId));
        }
        if (sourceEpisodeId != null) {
          update.set("source_episode_id", (s, i) -> s.setString(i, sourceEpisodeId));
        }
        if (sourceDescription != null) {
          update.set("source_description", (s, i) -> s.setString(i, sourceDescription));
        }
        update.apply(c, TABLE, id);
      } else {
        id = UUID.randomUUID().toString();
        insert(c, id, scope, agentId, userId, sessionId, key, valueJson, factType,
            confidence == null ? 1.0 : confidence, sourceEpisodeId, sourceDescription, now);
      }
      JsonObject fact = MemorySql.load(c, ROW_COLUMNS, TABLE, id, "", this::row, NOT_FOUND);
      return new JsonObject().put("fact", fact).put("created", existing == null);
    });
  }

  /**
   * Counts reads: {@code access_count} + 1 and {@code last_accessed} now. {@code updated_at} stays: a read
   * is not a change, and the admin list orders by it.
   */
  public Future<JsonObject> touch(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    List<String> ids = MemorySql.ids(RequestFields.body(request));
    Instant now = Instant.now();
    return db.write(c -> {
      int updated = 0;
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE memory_facts SET access_count = access_count + 1, last_accessed = ? WHERE id = ?")) {
        for (String id : ids) {
          dialect.setTimestamp(statement, 1, now);
          statement.setString(2, id);
          updated += statement.executeUpdate();
        }
      }
      return new JsonObject().put("updated", updated);
    });
  }

  /** The oldest fact with this natural key (nulls matching nulls), or null. */
  private static String find(Connection c, String scope, String agentId, String userId, String key)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT id FROM memory_facts WHERE scope = ?"
        + " AND agent_id IS NOT DISTINCT FROM ? AND user_id IS NOT DISTINCT FROM ? AND \"key\" = ?"
        + " ORDER BY created_at, id LIMIT 1")) {
      statement.setString(1, scope);
      setNullableString(statement, 2, agentId);
      setNullableString(statement, 3, userId);
      statement.setString(4, key);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static void setNullableString(PreparedStatement statement, int index, String value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value);
    }
  }

  private void insert(Connection c, String id, String scope, String agentId, String userId, String sessionId,
      String key, String valueJson, String factType, double confidence, String sourceEpisodeId,
      String sourceDescription, Instant now) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("INSERT INTO memory_facts (id, scope, agent_id, user_id,"
        + " session_id, \"key\", value, fact_type, confidence, times_confirmed, times_contradicted,"
        + " source_episode_id, source_description, access_count, last_accessed, created_at, updated_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?, 0, NULL, ?, ?)")) {
      statement.setString(1, id);
      statement.setString(2, scope);
      setNullableString(statement, 3, agentId);
      setNullableString(statement, 4, userId);
      setNullableString(statement, 5, sessionId);
      statement.setString(6, key);
      dialect.setJson(statement, 7, valueJson);
      statement.setString(8, factType);
      statement.setDouble(9, confidence);
      setNullableString(statement, 10, sourceEpisodeId);
      setNullableString(statement, 11, sourceDescription);
      dialect.setTimestamp(statement, 12, now);
      dialect.setTimestamp(statement, 13, now);
      statement.executeUpdate();
    }
  }

  /** The list item of §3.13. */
  private JsonObject listItem(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getString("id"))
        .put("scope", rows.getString("scope"))
        .put("agent_id", rows.getString("agent_id"))
        .put("user_id", rows.getString("user_id"))
        .put("key", rows.getString("key"))
        .put("value", Rows.json(dialect, rows, "value"))
        .put("fact_type", rows.getString("fact_type"))
        .put("confidence", rows.getDouble("confidence"))
        .put("times_confirmed", rows.getLong("times_confirmed"))
        .put("access_count", rows.getLong("access_count"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"));
  }

  /** The whole row but {@code embedding}, as the write addresses answer. */
  private JsonObject row(ResultSet rows) throws SQLException {
    return listItem(rows)
        .put("session_id", rows.getString("session_id"))
        .put("times_contradicted", rows.getLong("times_contradicted"))
        .put("source_episode_id", rows.getString("source_episode_id"))
        .put("source_description", rows.getString("source_description"))
        .put("last_accessed", Rows.timestamp(dialect, rows, "last_accessed"));
  }
}
