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
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The people agents talk to, across channels ({@code memory_users}, §1.8): the admin list and batch
 * delete (§3.13), and the engine's write — identify a user by {@code canonical_id}, creating or updating
 * them, optionally counting a conversation.
 */
public final class MemoryUserStore {
  static final String TABLE = "memory_users";
  private static final String NOT_FOUND = "Memory user not found.";
  private static final String LIST_COLUMNS = "id, canonical_id, display_name, telegram_id, email,"
      + " total_conversations, last_seen_at, created_at";
  private static final String ROW_COLUMNS = LIST_COLUMNS + ", telegram_username, merged_into_id, preferences_cache,"
      + " last_conversation_at, first_seen_at, updated_at";

  /** The nullable text columns a request may set, with their lengths (§1.8). */
  private static final Map<String, Integer> TEXT_COLUMNS = Map.of("display_name", 255, "telegram_id", 100,
      "telegram_username", 100, "email", 255, "merged_into_id", MemorySql.UUID_MAX);

  private final Database db;
  private final Dialect dialect;

  public MemoryUserStore(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  /** {@code GET /memories/users/}: most recently seen first. */
  public Future<JsonObject> list(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    return MemorySql.list(db, request, LIST_COLUMNS, TABLE, Map.of(), "last_seen_at DESC, id", this::listItem);
  }

  /** Users merged into a deleted one stay, with {@code merged_into_id} NULL. */
  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    return MemorySql.batchDelete(db, request, TABLE);
  }

  /** Identifies a memory user; see {@code StoreAddresses.MEMORY_USERS_UPSERT}. */
  public Future<JsonObject> upsert(Identity identity, JsonObject request) {
    MemorySql.requireAdmin(identity);
    JsonObject body = RequestFields.body(request);
    MemorySql.refuseNull(body, "preferences_cache");
    String canonicalId = RequestFields.requiredString(body, "canonical_id", 100);
    boolean conversation = RequestFields.optionalBool(body, "conversation", false);
    // Nullable columns: present (null included) overwrites, absent keeps.
    MemorySql.Assignments given = new MemorySql.Assignments();
    for (Map.Entry<String, Integer> column : TEXT_COLUMNS.entrySet()) {
      if (body.containsKey(column.getKey())) {
        String value = RequestFields.optionalString(body, column.getKey(), column.getValue(), null);
        given.set(column.getKey(), (s, i) -> s.setString(i, value));
      }
    }
    JsonObject preferences = RequestFields.optionalObject(body, "preferences_cache", null);
    if (preferences != null) {
      String json = preferences.encode();
      given.set("preferences_cache", (s, i) -> dialect.setJson(s, i, json));
    }
    String telegramId = RequestFields.optionalString(body, "telegram_id", 100, null);
    String email = RequestFields.optionalString(body, "email", 255, null);
    String mergedInto = RequestFields.optionalString(body, "merged_into_id", MemorySql.UUID_MAX, null);
    return db.write(c -> {
      // canonical_id is UNIQUE; the lock turns a concurrent first sighting on PostgreSQL into an update
      // instead of a unique violation.
      dialect.lockKey(c, MemorySql.lockName(TABLE, canonicalId));
      String existing = find(c, canonicalId);
      requireFree(c, "telegram_id", telegramId, canonicalId);
      requireFree(c, "email", email, canonicalId);
      if (mergedInto != null) {
        if (mergedInto.equals(existing)) {
          throw StoreException.validation("merged_into_id: a user cannot be merged into themselves");
        }
        MemorySql.requireRow(c, TABLE, "id", mergedInto, "merged_into_id: memory user '" + mergedInto + "' not found");
      }
      Instant now = Instant.now();
      String id = existing != null ? existing : UUID.randomUUID().toString();
      if (existing == null) {
        insert(c, id, canonicalId, now);
      }
      MemorySql.Assignments update = given.copy()
          .set("last_seen_at", (s, i) -> dialect.setTimestamp(s, i, now))
          .set("updated_at", (s, i) -> dialect.setTimestamp(s, i, now));
      if (conversation) {
        update.raw("total_conversations = total_conversations + 1")
            .set("last_conversation_at", (s, i) -> dialect.setTimestamp(s, i, now));
      }
      update.apply(c, TABLE, id);
      JsonObject user = MemorySql.load(c, ROW_COLUMNS, TABLE, id, "", this::row, NOT_FOUND);
      return new JsonObject().put("user", user).put("created", existing == null);
    });
  }

  private String find(Connection c, String canonicalId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT id FROM memory_users WHERE canonical_id = ?" + dialect.lockRows(TABLE))) {
      statement.setString(1, canonicalId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  /** CONFLICT when another user already has this unique {@code column} value. */
  private static void requireFree(Connection c, String column, String value, String canonicalId)
      throws SQLException {
    if (value == null) {
      return;
    }
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT 1 FROM memory_users WHERE " + column + " = ? AND canonical_id <> ?")) {
      statement.setString(1, value);
      statement.setString(2, canonicalId);
      try (ResultSet rows = statement.executeQuery()) {
        if (rows.next()) {
          throw StoreException.conflict(column + ": already belongs to another memory user.");
        }
      }
    }
  }

  /** A new user with every column written and the defaults of §1.8; the fields given follow as an UPDATE. */
  private void insert(Connection c, String id, String canonicalId, Instant now) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("INSERT INTO memory_users (id, canonical_id, display_name,"
        + " telegram_id, telegram_username, email, merged_into_id, preferences_cache, total_conversations,"
        + " last_conversation_at, first_seen_at, last_seen_at, created_at, updated_at)"
        + " VALUES (?, ?, NULL, NULL, NULL, NULL, NULL, ?, 0, NULL, ?, ?, ?, ?)")) {
      statement.setString(1, id);
      statement.setString(2, canonicalId);
      dialect.setJson(statement, 3, "{}");
      for (int i = 4; i <= 7; i++) {
        dialect.setTimestamp(statement, i, now);
      }
      statement.executeUpdate();
    }
  }

  /** The list item of §3.13. */
  private JsonObject listItem(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getString("id"))
        .put("canonical_id", rows.getString("canonical_id"))
        .put("display_name", rows.getString("display_name"))
        .put("telegram_id", rows.getString("telegram_id"))
        .put("email", rows.getString("email"))
        .put("total_conversations", rows.getLong("total_conversations"))
        .put("last_seen_at", Rows.timestamp(dialect, rows, "last_seen_at"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"));
  }

  /** The whole row, as the write address answers. */
  private JsonObject row(ResultSet rows) throws SQLException {
    Object preferences = Rows.json(dialect, rows, "preferences_cache");
    return listItem(rows)
        .put("telegram_username", rows.getString("telegram_username"))
        .put("merged_into_id", rows.getString("merged_into_id"))
        .put("preferences_cache", preferences == null ? new JsonObject() : preferences)
        .put("last_conversation_at", Rows.timestamp(dialect, rows, "last_conversation_at"))
        .put("first_seen_at", Rows.timestamp(dialect, rows, "first_seen_at"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"));
  }
}
