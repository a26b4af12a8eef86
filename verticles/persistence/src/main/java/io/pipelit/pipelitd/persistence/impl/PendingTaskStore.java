package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Human-in-the-loop confirmations (Pipelit §1.6 {@code pending_tasks}), for the execution engine over the
 * event bus; Pipelit has no REST route for them. A task belongs to an execution and is scoped through
 * that execution's workflow owner (admins see all; anything else is "not found"). Users type the task id
 * as {@code /confirm_<id>}, so it is 8 hex characters, as in Pipelit.
 */
public final class PendingTaskStore {
  private static final String NOT_FOUND = "Pending task not found.";
  /** Pipelit's default {@code system_config.confirmation_timeout_seconds}. */
  static final long DEFAULT_TIMEOUT_SECONDS = 300;
  private static final long MAX_TIMEOUT_SECONDS = 10L * 366 * 24 * 3600;
  private static final int TASK_ID_HEX = 8;
  private static final int ID_ATTEMPTS = 10;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS = "t.task_id, t.execution_id, t.user_profile_id, t.chat_id, t.credential_id,"
      + " t.node_id, t.prompt, t.created_at, t.expires_at";
  private static final String FROM = " FROM pending_tasks t JOIN workflow_executions e ON e.execution_id = t.execution_id"
      + " JOIN workflows w ON w.id = e.workflow_id";

  private final Database db;
  private final Dialect dialect;

  public PendingTaskStore(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  /**
   * Creates a task for an execution in the caller's scope. The task's user is the execution's user; it
   * expires at {@code expires_at}, or {@code timeout_seconds} (default 300) from now.
   */
  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String executionId = RequestFields.requiredString(body, "execution_id", 36);
    String nodeId = RequestFields.requiredString(body, "node_id", NodeStore.NODE_ID_MAX);
    String prompt = RequestFields.optionalString(body, "prompt", 100_000, null);
    if (prompt == null) {
      throw StoreException.validation("prompt: field required");
    }
    String chatId = RequestFields.optionalString(body, "chat_id", 255, null);
    String credentialId = RequestFields.optionalString(body, "credential_id", 255, null);
    Instant expiresAt = RequestFields.optionalTimestamp(body, "expires_at");
    Long timeout = RequestFields.optionalLong(body, "timeout_seconds", 1, MAX_TIMEOUT_SECONDS, null);
    if (expiresAt != null && timeout != null) {
      throw StoreException.validation("expires_at: give either expires_at or timeout_seconds, not both");
    }
    // Ids are drawn before the write, so that a retried PostgreSQL transaction reuses the same ones.
    String[] candidates = new String[ID_ATTEMPTS];
    for (int i = 0; i < ID_ATTEMPTS; i++) {
      candidates[i] = randomHex();
    }
    return db.write(c -> {
      long userId = executionUser(c, identity, executionId);
      String taskId = freeTaskId(c, candidates);
      Instant now = Instant.now();
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO pending_tasks (task_id, execution_id,"
          + " user_profile_id, chat_id, credential_id, node_id, prompt, created_at, expires_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        statement.setString(1, taskId);
        statement.setString(2, executionId);
        statement.setLong(3, userId);
        statement.setString(4, chatId);
        statement.setString(5, credentialId);
        statement.setString(6, nodeId);
        statement.setString(7, prompt);
        dialect.setTimestamp(statement, 8, now);
        dialect.setTimestamp(statement, 9, expiresAt != null ? expiresAt
            : now.plusSeconds(timeout != null ? timeout : DEFAULT_TIMEOUT_SECONDS));
        statement.executeUpdate();
      }
      return load(c, identity, taskId);
    });
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    String taskId = RequestFields.requiredString(request, "task_id", 255);
    return db.read(c -> load(c, identity, taskId));
  }

  /** {@code {"execution_id"?, "limit", "offset"}} → {@code {"items", "total"}}, newest first. */
  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    String executionId = RequestFields.optionalString(request, "execution_id", 36, null);
    String where = " WHERE " + Scope.on("w") + (executionId != null ? " AND t.execution_id = ?" : "");
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM + where
          + " ORDER BY t.created_at DESC, t.task_id LIMIT ? OFFSET ?")) {
        int i = bind(statement, identity, executionId);
        statement.setInt(i, limit);
        statement.setLong(i + 1, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(toJson(rows));
          }
        }
      }
      long total;
      try (PreparedStatement statement = c.prepareStatement("SELECT COUNT(*)" + FROM + where)) {
        bind(statement, identity, executionId);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  private static int bind(PreparedStatement statement, Identity identity, String executionId) throws SQLException {
    int i = Scope.bind(statement, 1, identity);
    if (executionId != null) {
      statement.setString(i++, executionId);
    }
    return i;
  }

  /** Removes a task (confirmed, cancelled or expired); NOT_FOUND when it is not there. */
  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    String taskId = RequestFields.requiredString(request, "task_id", 255);
    return db.write(c -> {
      load(c, identity, taskId);
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM pending_tasks WHERE task_id = ?")) {
        statement.setString(1, taskId);
        statement.executeUpdate();
      }
      return new JsonObject();
    });
  }

  /** The user of an execution in the caller's scope; NOT_FOUND "Execution not found." otherwise. */
  private static long executionUser(Connection c, Identity identity, String executionId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT e.user_profile_id FROM workflow_executions e"
        + " JOIN workflows w ON w.id = e.workflow_id WHERE e.execution_id = ? AND " + Scope.on("w"))) {
      statement.setString(1, executionId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound("Execution not found.");
        }
        return rows.getLong(1);
      }
    }
  }

  private static String freeTaskId(Connection c, String[] candidates) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT 1 FROM pending_tasks WHERE task_id = ?")) {
      for (String candidate : candidates) {
        statement.setString(1, candidate);
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            return candidate;
          }
        }
      }
    }
    throw StoreException.conflict("Task id collision; try again.");
  }

  private static String randomHex() {
    byte[] bytes = new byte[TASK_ID_HEX / 2];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private JsonObject load(Connection c, Identity identity, String taskId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM
        + " WHERE t.task_id = ? AND " + Scope.on("w"))) {
      statement.setString(1, taskId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  /** PendingTaskOut: the nine columns of §1.6. */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("task_id", rows.getString("task_id"))
        .put("execution_id", rows.getString("execution_id"))
        .put("user_profile_id", rows.getLong("user_profile_id"))
        .put("chat_id", rows.getString("chat_id"))
        .put("credential_id", rows.getString("credential_id"))
        .put("node_id", rows.getString("node_id"))
        .put("prompt", rows.getString("prompt"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("expires_at", Rows.timestamp(dialect, rows, "expires_at"));
  }
}
