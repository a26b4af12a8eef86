package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversations (Pipelit §1.10): a user's thread with a workflow, optionally tied to an execution. The
 * table is dormant in Pipelit (no code and no REST route touch it); pipelitd serves it on the event bus
 * only. Scoped through the workflow's owner, like executions: admins see all, anything else is "not
 * found". The caller becomes the conversation's user.
 */
public final class ConversationStore {
  private static final String NOT_FOUND = "Conversation not found.";
  private static final String COLUMNS = "v.id, v.user_profile_id, v.thread_id, v.workflow_id, v.execution_id,"
      + " v.metadata, v.created_at, v.updated_at";
  private static final String FROM = " FROM conversations v JOIN workflows w ON w.id = v.workflow_id";

  private final Database db;
  private final Dialect dialect;

  public ConversationStore(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    Long workflowId = RequestFields.optionalLong(body, "workflow_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
    if (workflowId == null) {
      throw StoreException.validation("workflow_id: field required");
    }
    String threadId = RequestFields.requiredString(body, "thread_id", 255);
    String executionId = RequestFields.optionalString(body, "execution_id", 36, null);
    String metadata = RequestFields.optionalObject(body, "metadata", new JsonObject()).encode();
    return db.write(c -> {
      requireWorkflow(c, identity, workflowId);
      if (executionId != null) {
        requireExecution(c, identity, executionId, workflowId);
      }
      Instant now = Instant.now();
      long id;
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO conversations (user_profile_id, thread_id,"
          + " workflow_id, execution_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
        statement.setLong(1, identity.userId());
        statement.setString(2, threadId);
        statement.setLong(3, workflowId);
        statement.setString(4, executionId);
        dialect.setJson(statement, 5, metadata);
        dialect.setTimestamp(statement, 6, now);
        dialect.setTimestamp(statement, 7, now);
        id = Sql.insertedId(statement);
      }
      return load(c, identity, id);
    });
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    long id = conversationId(request);
    return db.read(c -> load(c, identity, id));
  }

  /** {@code {"workflow_id"?, "thread_id"?, "limit", "offset"}} → {@code {"items", "total"}}, newest first. */
  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    Long workflowId = RequestFields.optionalLong(request, "workflow_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
    String threadId = RequestFields.optionalString(request, "thread_id", 255, null);
    String where = " WHERE " + Scope.on("w") + (workflowId != null ? " AND v.workflow_id = ?" : "")
        + (threadId != null ? " AND v.thread_id = ?" : "");
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM + where
          + " ORDER BY v.created_at DESC, v.id DESC LIMIT ? OFFSET ?")) {
        int i = bind(statement, identity, workflowId, threadId);
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
        bind(statement, identity, workflowId, threadId);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  private static int bind(PreparedStatement statement, Identity identity, Long workflowId, String threadId)
      throws SQLException {
    int i = Scope.bind(statement, 1, identity);
    if (workflowId != null) {
      statement.setLong(i++, workflowId);
    }
    if (threadId != null) {
      statement.setString(i++, threadId);
    }
    return i;
  }

  /** Changes {@code execution_id} (null detaches) and/or replaces {@code metadata}; stamps updated_at. */
  public Future<JsonObject> update(Identity identity, JsonObject request) {
    long id = conversationId(request);
    JsonObject body = RequestFields.body(request);
    List<String> sets = new ArrayList<>();
    List<Sql.Binder> binders = new ArrayList<>();
    String executionId = RequestFields.optionalString(body, "execution_id", 36, null);
    if (RequestFields.has(body, "execution_id")) {
      sets.add("execution_id = ?");
      binders.add((s, i) -> s.setString(i, executionId));
    }
    if (RequestFields.has(body, "metadata")) {
      JsonObject metadata = RequestFields.optionalObject(body, "metadata", null);
      if (metadata == null) {
        throw StoreException.validation("metadata: must not be null");
      }
      sets.add("metadata = ?");
      binders.add((s, i) -> dialect.setJson(s, i, metadata.encode()));
    }
    return db.write(c -> {
      JsonObject current = load(c, identity, id, dialect.lockRows("v"));
      if (executionId != null) {
        requireExecution(c, identity, executionId, current.getLong("workflow_id"));
      }
      // Fresh lists per run: a PostgreSQL write may run this work again after a conflict.
      List<String> allSets = new ArrayList<>(sets);
      List<Sql.Binder> allBinders = new ArrayList<>(binders);
      allSets.add("updated_at = ?");
      allBinders.add((s, i) -> dialect.setTimestamp(s, i, Instant.now()));
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE conversations SET " + String.join(", ", allSets) + " WHERE id = ?")) {
        int i = 1;
        for (Sql.Binder binder : allBinders) {
          binder.bind(statement, i++);
        }
        statement.setLong(i, id);
        statement.executeUpdate();
      }
      return load(c, identity, id);
    });
  }

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    long id = conversationId(request);
    return db.write(c -> {
      load(c, identity, id, dialect.lockRows("v"));
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM conversations WHERE id = ?")) {
        statement.setLong(1, id);
        statement.executeUpdate();
      }
      return new JsonObject();
    });
  }

  private static long conversationId(JsonObject request) {
    Long id = RequestFields.optionalLong(request, "conversation_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
    if (id == null) {
      throw StoreException.validation("conversation_id: field required");
    }
    return id;
  }

  private static void requireWorkflow(Connection c, Identity identity, long workflowId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT 1 FROM workflows w WHERE w.id = ? AND " + Scope.on("w"))) {
      statement.setLong(1, workflowId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(WorkflowRef.NOT_FOUND);
        }
      }
    }
  }

  /** The execution must exist in the caller's scope and belong to the conversation's workflow. */
  private static void requireExecution(Connection c, Identity identity, String executionId, long workflowId)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT e.workflow_id FROM workflow_executions e"
        + " JOIN workflows w ON w.id = e.workflow_id WHERE e.execution_id = ? AND " + Scope.on("w"))) {
      statement.setString(1, executionId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.validation("execution_id: execution '" + executionId + "' not found");
        }
        if (rows.getLong(1) != workflowId) {
          throw StoreException.validation("execution_id: execution '" + executionId
              + "' belongs to another workflow");
        }
      }
    }
  }

  private JsonObject load(Connection c, Identity identity, long id) throws SQLException {
    return load(c, identity, id, "");
  }

  private JsonObject load(Connection c, Identity identity, long id, String lock) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM
        + " WHERE v.id = ? AND " + Scope.on("w") + lock)) {
      statement.setLong(1, id);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  /** ConversationOut: the eight columns of §1.10 ({@code metadata} is {} when stored as null). */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    Object metadata = Rows.json(dialect, rows, "metadata");
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("user_profile_id", rows.getLong("user_profile_id"))
        .put("thread_id", rows.getString("thread_id"))
        .put("workflow_id", rows.getLong("workflow_id"))
        .put("execution_id", rows.getString("execution_id"))
        .put("metadata", metadata == null ? new JsonObject() : metadata)
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"));
  }
}
