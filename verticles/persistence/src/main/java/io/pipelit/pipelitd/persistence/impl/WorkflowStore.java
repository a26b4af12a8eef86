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

/** Workflows (Pipelit §3.4): list, create with slug de-duplication, detail, patch, delete, batch delete. */
public final class WorkflowStore {
  static final int SLUG_MAX = 255;
  private static final String COLUMNS =
      "w.id, w.name, w.slug, w.description, w.is_active, w.is_public, w.is_default, w.tags,"
      + " w.error_handler_workflow_id, w.max_execution_seconds, w.input_schema, w.output_schema,"
      + " w.created_at, w.updated_at,"
      + " (SELECT COUNT(*) FROM workflow_nodes n WHERE n.workflow_id = w.id) AS node_count,"
      + " (SELECT COUNT(*) FROM workflow_edges e WHERE e.workflow_id = w.id) AS edge_count";

  private final Database db;
  private final Dialect dialect;
  private final StoreEvents events;
  private final NodeStore nodes;
  private final EdgeStore edges;

  public WorkflowStore(Database db, StoreEvents events, NodeStore nodes, EdgeStore edges) {
    this.db = db;
    this.dialect = db.dialect();
    this.events = events;
    this.nodes = nodes;
    this.edges = edges;
  }

  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + " FROM workflows w WHERE "
          + Scope.on("w") + " ORDER BY w.id LIMIT ? OFFSET ?")) {
        int i = Scope.bind(statement, 1, identity);
        statement.setInt(i, limit);
        statement.setLong(i + 1, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(toJson(rows));
          }
        }
      }
      return new JsonObject().put("items", items).put("total", count(c, identity));
    });
  }

  private long count(Connection c, Identity identity) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT COUNT(*) FROM workflows w WHERE " + Scope.on("w"))) {
      Scope.bind(statement, 1, identity);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String name = RequestFields.requiredString(body, "name", 255);
    String slug = RequestFields.identifier(body, "slug", SLUG_MAX);
    String description = RequestFields.optionalString(body, "description", 100_000, "");
    boolean isActive = RequestFields.optionalBool(body, "is_active", true);
    boolean isPublic = RequestFields.optionalBool(body, "is_public", false);
    boolean isDefault = RequestFields.optionalBool(body, "is_default", false);
    List<String> tags = RequestFields.optionalStringList(body, "tags", 100, 100);
    Long errorHandlerId = RequestFields.optionalLong(body, "error_handler_workflow_id", 1, Long.MAX_VALUE, null);
    long maxSeconds = RequestFields.optionalLong(body, "max_execution_seconds", 1, Integer.MAX_VALUE, 600L);
    String inputSchema = RequestFields.optionalJsonText(body, "input_schema");
    String outputSchema = RequestFields.optionalJsonText(body, "output_schema");
    String tagsJson = tags == null ? null : new JsonArray(new ArrayList<Object>(tags)).encode();
    return db.write(c -> {
      if (errorHandlerId != null) {
        requireVisibleWorkflow(c, identity, errorHandlerId, "error_handler_workflow_id");
      }
      String uniqueSlug = uniqueSlug(c, slug);
      Instant now = Instant.now();
      long id;
      try (PreparedStatement statement = c.prepareStatement(
          "INSERT INTO workflows (name, slug, description, owner_id, is_active, is_public, is_template,"
          + " is_callable, is_default, tags, max_execution_seconds, error_handler_workflow_id, input_schema,"
          + " output_schema, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
        statement.setString(1, name);
        statement.setString(2, uniqueSlug);
        statement.setString(3, description);
        statement.setLong(4, identity.userId());
        dialect.setBoolean(statement, 5, isActive);
        dialect.setBoolean(statement, 6, isPublic);
        dialect.setBoolean(statement, 7, false);
        dialect.setBoolean(statement, 8, false);
        dialect.setBoolean(statement, 9, isDefault);
        dialect.setJson(statement, 10, tagsJson);
        statement.setLong(11, maxSeconds);
        Sql.setNullableLong(statement, 12, errorHandlerId);
        dialect.setJson(statement, 13, inputSchema);
        dialect.setJson(statement, 14, outputSchema);
        dialect.setTimestamp(statement, 15, now);
        dialect.setTimestamp(statement, 16, now);
        id = Sql.insertedId(statement);
      }
      return load(c, id);
    });
  }

  /** Pipelit's rule: a taken slug gets "-1", "-2", ... appended (slugs are unique across users). */
  private static String uniqueSlug(Connection c, String slug) throws SQLException {
    if (!slugTaken(c, slug)) {
      return slug;
    }
    for (int n = 1; n < 100_000; n++) {
      String suffix = "-" + n;
      String base = slug.length() + suffix.length() > SLUG_MAX ? slug.substring(0, SLUG_MAX - suffix.length()) : slug;
      if (!slugTaken(c, base + suffix)) {
        return base + suffix;
      }
    }
    throw StoreException.conflict("Could not find a free slug for '" + slug + "'.");
  }

  private static boolean slugTaken(Connection c, String slug) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT 1 FROM workflows WHERE slug = ?")) {
      statement.setString(1, slug);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  static void requireVisibleWorkflow(Connection c, Identity identity, long workflowId, String field)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT 1 FROM workflows w WHERE w.id = ? AND " + Scope.on("w"))) {
      statement.setLong(1, workflowId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.validation(field + ": workflow " + workflowId + " not found");
        }
      }
    }
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", SLUG_MAX);
    return db.read(c -> {
      WorkflowRef ref = WorkflowRef.find(c, identity, slug);
      return load(c, ref.id())
          .put("nodes", nodes.listRows(c, ref.id()))
          .put("edges", edges.listRows(c, ref.id()));
    });
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", SLUG_MAX);
    JsonObject body = RequestFields.body(request);
    List<String> sets = new ArrayList<>();
    List<Sql.Binder> binders = new ArrayList<>();
    if (RequestFields.has(body, "name")) {
      String name = RequestFields.requiredString(body, "name", 255);
      sets.add("name = ?");
      binders.add((s, i) -> s.setString(i, name));
    }
    String newSlug = RequestFields.has(body, "slug") ? RequestFields.identifier(body, "slug", SLUG_MAX) : null;
    if (newSlug != null) {
      sets.add("slug = ?");
      binders.add((s, i) -> s.setString(i, newSlug));
    }
    if (RequestFields.has(body, "description")) {
      String description = RequestFields.optionalString(body, "description", 100_000, "");
      sets.add("description = ?");
      binders.add((s, i) -> s.setString(i, description));
    }
    for (String flag : List.of("is_active", "is_public", "is_default")) {
      if (RequestFields.has(body, flag)) {
        if (body.getValue(flag) == null) {
          throw StoreException.validation(flag + ": must be a boolean");
        }
        boolean value = RequestFields.optionalBool(body, flag, false);
        sets.add(flag + " = ?");
        binders.add((s, i) -> dialect.setBoolean(s, i, value));
      }
    }
    if (RequestFields.has(body, "tags")) {
      List<String> tags = RequestFields.optionalStringList(body, "tags", 100, 100);
      String json = tags == null ? null : new JsonArray(new ArrayList<Object>(tags)).encode();
      sets.add("tags = ?");
      binders.add((s, i) -> dialect.setJson(s, i, json));
    }
    Long errorHandlerId = RequestFields.optionalLong(body, "error_handler_workflow_id", 1, Long.MAX_VALUE, null);
    if (RequestFields.has(body, "error_handler_workflow_id")) {
      sets.add("error_handler_workflow_id = ?");
      binders.add((s, i) -> Sql.setNullableLong(s, i, errorHandlerId));
    }
    if (RequestFields.has(body, "max_execution_seconds")) {
      Long seconds = RequestFields.optionalLong(body, "max_execution_seconds", 1, Integer.MAX_VALUE, null);
      if (seconds == null) {
        throw StoreException.validation("max_execution_seconds: must be an integer");
      }
      sets.add("max_execution_seconds = ?");
      binders.add((s, i) -> s.setLong(i, seconds));
    }
    for (String schema : List.of("input_schema", "output_schema")) {
      if (RequestFields.has(body, schema)) {
        String json = RequestFields.optionalJsonText(body, schema);
        sets.add(schema + " = ?");
        binders.add((s, i) -> dialect.setJson(s, i, json));
      }
    }
    return db.write(c -> {
      WorkflowRef ref = WorkflowRef.find(c, identity, slug);
      if (errorHandlerId != null) {
        requireVisibleWorkflow(c, identity, errorHandlerId, "error_handler_workflow_id");
      }
      if (newSlug != null && !newSlug.equals(ref.slug()) && slugTaken(c, newSlug)) {
        throw StoreException.conflict("Workflow with slug '" + newSlug + "' already exists.");
      }
      // Copies: a work may run more than once (PostgreSQL retries serialization failures).
      List<String> allSets = new ArrayList<>(sets);
      List<Sql.Binder> allBinders = new ArrayList<>(binders);
      allSets.add("updated_at = ?");
      Instant now = Instant.now();
      allBinders.add((s, i) -> dialect.setTimestamp(s, i, now));
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE workflows SET " + String.join(", ", allSets) + " WHERE id = ?")) {
        int i = 1;
        for (Sql.Binder binder : allBinders) {
          binder.bind(statement, i++);
        }
        statement.setLong(i, ref.id());
        statement.executeUpdate();
      }
      return new Updated(ref.slug(), load(c, ref.id()));
    }).onSuccess(updated -> {
      String currentSlug = updated.workflow().getString("slug");
      events.publish(currentSlug, "workflow_updated", updated.workflow());
      if (!currentSlug.equals(updated.previousSlug())) {
        // Followers of the old slug learn where the workflow went.
        events.publish(updated.previousSlug(), "workflow_updated", updated.workflow());
      }
    }).map(Updated::workflow);
  }

  private record Updated(String previousSlug, JsonObject workflow) {}

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", SLUG_MAX);
    return db.write(c -> {
      deleteWorkflow(c, WorkflowRef.find(c, identity, slug).id());
      return new JsonObject();
    }).onSuccess(done -> events.publish(slug, "workflow_deleted", new JsonObject().put("slug", slug)));
  }

  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    List<String> slugs = RequestFields.optionalStringList(body, "slugs", 10_000, SLUG_MAX);
    if (slugs == null) {
      throw StoreException.validation("slugs: field required");
    }
    return db.write(c -> {
      JsonArray deleted = new JsonArray();
      for (String slug : slugs) {
        try {
          deleteWorkflow(c, WorkflowRef.find(c, identity, slug).id());
          deleted.add(slug);
        } catch (StoreException e) {
          if (e.code() != io.pipelit.pipelitd.contracts.ErrorCode.NOT_FOUND) {
            throw e;
          }
          // Pipelit skips slugs the caller does not own (or that do not exist), silently.
        }
      }
      return deleted;
    }).onSuccess(deleted -> deleted.forEach(slug ->
        events.publish((String) slug, "workflow_deleted", new JsonObject().put("slug", slug))))
        .map(deleted -> new JsonObject());
  }

  /**
   * Deletes a workflow with its nodes, edges, executions and logs (database cascades) and its
   * component configs, which Pipelit leaves behind because the foreign key points from node to config.
   */
  private static void deleteWorkflow(Connection c, long workflowId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "DELETE FROM component_configs WHERE id IN"
        + " (SELECT component_config_id FROM workflow_nodes WHERE workflow_id = ?)")) {
      statement.setLong(1, workflowId);
      statement.executeUpdate();
    }
    try (PreparedStatement statement = c.prepareStatement("DELETE FROM workflows WHERE id = ?")) {
      statement.setLong(1, workflowId);
      statement.executeUpdate();
    }
  }

  private JsonObject load(Connection c, long id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + " FROM workflows w WHERE w.id = ?")) {
      statement.setLong(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(WorkflowRef.NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  /** WorkflowOut. */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("name", rows.getString("name"))
        .put("slug", rows.getString("slug"))
        .put("description", rows.getString("description"))
        .put("is_active", dialect.getBoolean(rows, "is_active"))
        .put("is_public", dialect.getBoolean(rows, "is_public"))
        .put("is_default", dialect.getBoolean(rows, "is_default"))
        .put("tags", Rows.json(dialect, rows, "tags"))
        .put("error_handler_workflow_id", Rows.nullableLong(rows, "error_handler_workflow_id"))
        .put("max_execution_seconds", rows.getLong("max_execution_seconds"))
        .put("input_schema", Rows.json(dialect, rows, "input_schema"))
        .put("output_schema", Rows.json(dialect, rows, "output_schema"))
        .put("node_count", rows.getLong("node_count"))
        .put("edge_count", rows.getLong("edge_count"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"));
  }

}
