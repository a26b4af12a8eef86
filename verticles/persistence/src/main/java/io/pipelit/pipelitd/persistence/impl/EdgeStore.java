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
import java.util.Set;

/**
 * Workflow edges (Pipelit §1.5, §3.6). Edges name nodes by their string id, without a foreign key, as in
 * Pipelit. An {@code llm} edge links the target's config to the source model's config
 * ({@code llm_model_config_id}); changing or deleting the edge undoes the link.
 */
public final class EdgeStore {
  private static final String NOT_FOUND = "Edge not found.";
  static final Set<String> EDGE_TYPES = Set.of("direct", "conditional");
  static final Set<String> EDGE_LABELS = Set.of("", "llm", "tool", "output_parser", "loop_body", "loop_return", "skill");
  private static final String COLUMNS = "id, workflow_id, source_node_id, target_node_id, edge_type, edge_label,"
      + " condition_mapping, condition_value, priority";

  private final Database db;
  private final Dialect dialect;
  private final StoreEvents events;

  public EdgeStore(Database db, StoreEvents events) {
    this.db = db;
    this.dialect = db.dialect();
    this.events = events;
  }

  public Future<JsonArray> list(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    return db.read(c -> listRows(c, WorkflowRef.find(c, identity, slug).id()));
  }

  JsonArray listRows(Connection c, long workflowId) throws SQLException {
    JsonArray items = new JsonArray();
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM workflow_edges WHERE workflow_id = ? ORDER BY id")) {
      statement.setLong(1, workflowId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          items.add(toJson(rows));
        }
      }
    }
    return items;
  }

  /** The validated values of an edge: the stored ones overlaid with the request's. */
  private record EdgeValues(String source, String target, String type, String label, String mappingJson,
      String conditionValue, long priority) {

    static EdgeValues read(JsonObject body, EdgeValues base) {
      String source = body.containsKey("source_node_id") || base == null
          ? RequestFields.requiredString(body, "source_node_id", NodeStore.NODE_ID_MAX) : base.source;
      String target = body.containsKey("target_node_id") || base == null
          ? RequestFields.optionalString(body, "target_node_id", NodeStore.NODE_ID_MAX, "") : base.target;
      String type = body.containsKey("edge_type") || base == null
          ? RequestFields.oneOf(body, "edge_type", EDGE_TYPES, "direct") : base.type;
      String label = body.containsKey("edge_label") || base == null
          ? RequestFields.oneOf(body, "edge_label", EDGE_LABELS, "") : base.label;
      String mapping = body.containsKey("condition_mapping") || base == null
          ? (RequestFields.optionalObject(body, "condition_mapping", null) == null ? null
              : body.getJsonObject("condition_mapping").encode())
          : base.mappingJson;
      String value = body.containsKey("condition_value") || base == null
          ? RequestFields.optionalString(body, "condition_value", 100, "") : base.conditionValue;
      long priority = body.containsKey("priority") || base == null
          ? RequestFields.optionalLong(body, "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, 0L) : base.priority;
      return new EdgeValues(source, target, type, label, mapping, value, priority);
    }
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    EdgeValues values = EdgeValues.read(RequestFields.body(request), null);
    if ("conditional".equals(values.type())) {
      if (values.conditionValue().isEmpty()) {
        throw StoreException.validation("condition_value: required for conditional edges");
      }
      if (values.target().isEmpty()) {
        throw StoreException.validation("target_node_id: required for conditional edges");
      }
    }
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      checkConditionalSource(c, workflow.id(), values);
      long id;
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO workflow_edges (workflow_id,"
          + " source_node_id, target_node_id, edge_type, edge_label, condition_mapping, condition_value, priority)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
        statement.setLong(1, workflow.id());
        bind(statement, 2, values);
        id = Sql.insertedId(statement);
      }
      if ("llm".equals(values.label())) {
        link(c, workflow.id(), values.source(), values.target());
      }
      NodeStore.touchWorkflow(c, dialect, workflow.id(), Instant.now());
      return new Result(workflow.slug(), load(c, workflow.id(), id));
    }).onSuccess(r -> events.publish(r.slug(), "edge_created", r.edge())).map(Result::edge);
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    long edgeId = edgeId(request);
    JsonObject body = RequestFields.body(request);
    JsonObject early = body.copy();
    if (!early.containsKey("source_node_id")) {
      early.put("source_node_id", "unchanged");
    }
    EdgeValues.read(early, null); // type checks before anything is queued
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      JsonObject current = loadForUpdate(c, workflow.id(), edgeId);
      EdgeValues before = new EdgeValues(current.getString("source_node_id"), current.getString("target_node_id"),
          current.getString("edge_type"), current.getString("edge_label"),
          current.getJsonObject("condition_mapping") == null ? null : current.getJsonObject("condition_mapping").encode(),
          current.getString("condition_value"), current.getLong("priority"));
      EdgeValues after = EdgeValues.read(body, before);
      if ("conditional".equals(after.type()) && (after.conditionValue().isEmpty() || after.target().isEmpty())) {
        throw StoreException.validation("conditional edges need a condition_value and a target_node_id");
      }
      checkConditionalSource(c, workflow.id(), after);
      if ("llm".equals(before.label())) {
        unlink(c, workflow.id(), before.source(), before.target());
      }
      try (PreparedStatement statement = c.prepareStatement("UPDATE workflow_edges SET source_node_id = ?,"
          + " target_node_id = ?, edge_type = ?, edge_label = ?, condition_mapping = ?, condition_value = ?,"
          + " priority = ? WHERE id = ?")) {
        int next = bind(statement, 1, after);
        statement.setLong(next, edgeId);
        statement.executeUpdate();
      }
      if ("llm".equals(after.label())) {
        link(c, workflow.id(), after.source(), after.target());
      }
      NodeStore.touchWorkflow(c, dialect, workflow.id(), Instant.now());
      return new Result(workflow.slug(), load(c, workflow.id(), edgeId));
    }).onSuccess(r -> events.publish(r.slug(), "edge_updated", r.edge())).map(Result::edge);
  }

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    long edgeId = edgeId(request);
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      JsonObject edge = loadForUpdate(c, workflow.id(), edgeId);
      if ("llm".equals(edge.getString("edge_label"))) {
        unlink(c, workflow.id(), edge.getString("source_node_id"), edge.getString("target_node_id"));
      }
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM workflow_edges WHERE id = ?")) {
        statement.setLong(1, edgeId);
        statement.executeUpdate();
      }
      NodeStore.touchWorkflow(c, dialect, workflow.id(), Instant.now());
      return workflow.slug();
    }).onSuccess(workflowSlug -> events.publish(workflowSlug, "edge_deleted", new JsonObject().put("id", edgeId)))
        .map(done -> new JsonObject());
  }

  private static long edgeId(JsonObject request) {
    Object value = request.getValue("edge_id");
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (value instanceof String text) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw StoreException.notFound(NOT_FOUND);
      }
    }
    throw StoreException.notFound(NOT_FOUND);
  }

  /** A conditional edge must start at an existing {@code switch} node (Pipelit's rule). */
  private static void checkConditionalSource(Connection c, long workflowId, EdgeValues values) throws SQLException {
    if (!"conditional".equals(values.type())) {
      return;
    }
    String[] type = new String[1];
    if (NodeStore.configIdOf(c, workflowId, values.source(), type) == null || !"switch".equals(type[0])) {
      throw StoreException.validation("Conditional edges can only originate from 'switch' nodes");
    }
  }

  private int bind(PreparedStatement statement, int index, EdgeValues values) throws SQLException {
    statement.setString(index, values.source());
    statement.setString(index + 1, values.target());
    statement.setString(index + 2, values.type());
    statement.setString(index + 3, values.label());
    dialect.setJson(statement, index + 4, values.mappingJson());
    statement.setString(index + 5, values.conditionValue());
    statement.setLong(index + 6, values.priority());
    return index + 7;
  }

  /** Points the target's config at the source model's config, when both nodes exist. */
  private static void link(Connection c, long workflowId, String source, String target) throws SQLException {
    Long sourceConfig = NodeStore.configIdOf(c, workflowId, source, null);
    Long targetConfig = NodeStore.configIdOf(c, workflowId, target, null);
    if (sourceConfig == null || targetConfig == null) {
      return;
    }
    try (PreparedStatement statement = c.prepareStatement(
        "UPDATE component_configs SET llm_model_config_id = ? WHERE id = ?")) {
      statement.setLong(1, sourceConfig);
      statement.setLong(2, targetConfig);
      statement.executeUpdate();
    }
  }

  private static void unlink(Connection c, long workflowId, String source, String target) throws SQLException {
    Long sourceConfig = NodeStore.configIdOf(c, workflowId, source, null);
    Long targetConfig = NodeStore.configIdOf(c, workflowId, target, null);
    if (sourceConfig == null || targetConfig == null) {
      return;
    }
    try (PreparedStatement statement = c.prepareStatement(
        "UPDATE component_configs SET llm_model_config_id = NULL WHERE id = ? AND llm_model_config_id = ?")) {
      statement.setLong(1, targetConfig);
      statement.setLong(2, sourceConfig);
      statement.executeUpdate();
    }
  }

  private JsonObject load(Connection c, long workflowId, long edgeId) throws SQLException {
    return load(c, workflowId, edgeId, "");
  }

  /** As {@link #load(Connection, long, long)}, locking the edge for this write. */
  private JsonObject loadForUpdate(Connection c, long workflowId, long edgeId) throws SQLException {
    return load(c, workflowId, edgeId, dialect.lockRows("workflow_edges"));
  }

  private JsonObject load(Connection c, long workflowId, long edgeId, String lock) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM workflow_edges WHERE id = ? AND workflow_id = ?" + lock)) {
      statement.setLong(1, edgeId);
      statement.setLong(2, workflowId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  /** EdgeOut. */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("source_node_id", rows.getString("source_node_id"))
        .put("target_node_id", rows.getString("target_node_id"))
        .put("edge_type", rows.getString("edge_type"))
        .put("edge_label", rows.getString("edge_label"))
        .put("condition_mapping", Rows.json(dialect, rows, "condition_mapping"))
        .put("condition_value", rows.getString("condition_value"))
        .put("priority", rows.getLong("priority"));
  }

  private record Result(String slug, JsonObject edge) {}
}
