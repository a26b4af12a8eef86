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
import java.sql.Types;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Workflow nodes and their component configs (Pipelit §1.4, §3.5). A node and its config are written in
 * one transaction; deleting a node removes its config, the edges that name it, and the links other
 * configs had to it.
 */
public final class NodeStore {
  static final int NODE_ID_MAX = 255;
  private static final String NOT_FOUND = "Node not found.";
  private static final String COLUMNS =
      "n.id, n.node_id, n.label, n.component_type, n.is_entry_point, n.interrupt_before, n.interrupt_after,"
      + " n.position_x, n.position_y, n.subworkflow_id, n.code_block_id, n.updated_at, n.component_config_id,"
      + " c.component_type AS config_type, c.extra_config, c.llm_credential_id, c.model_name, c.temperature,"
      + " c.max_tokens, c.frequency_penalty, c.presence_penalty, c.top_p, c.timeout, c.max_retries,"
      + " c.response_format, c.llm_model_config_id, c.system_prompt, c.credential_id, c.is_active,"
      + " c.priority, c.trigger_config";
  private static final List<String> MODEL_FLOATS =
      List.of("temperature", "frequency_penalty", "presence_penalty", "top_p");
  private static final List<String> MODEL_INTS = List.of("max_tokens", "timeout", "max_retries");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final Dialect dialect;
  private final StoreEvents events;

  public NodeStore(Database db, StoreEvents events) {
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
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS
        + " FROM workflow_nodes n JOIN component_configs c ON c.id = n.component_config_id"
        + " WHERE n.workflow_id = ? ORDER BY n.id")) {
      statement.setLong(1, workflowId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          items.add(toJson(rows));
        }
      }
    }
    ScheduleStore.attachJobs(c, dialect, workflowId, items);
    return items;
  }

  /** NodeOut of one node of a workflow (NOT_FOUND when there is none), for the schedule actions. */
  JsonObject nodeOut(Connection c, long workflowId, String nodeId) throws SQLException {
    return new Result("", load(c, workflowId, nodeId)).node();
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    JsonObject body = RequestFields.body(request);
    String type = RequestFields.oneOf(body, "component_type", ComponentTypes.ALL, null);
    if (type == null) {
      throw StoreException.validation("component_type: field required");
    }
    String requestedId = RequestFields.has(body, "node_id") && body.getValue("node_id") != null
        ? RequestFields.identifier(body, "node_id", NODE_ID_MAX) : null;
    String label = RequestFields.optionalString(body, "label", 255, null);
    boolean entryPoint = RequestFields.optionalBool(body, "is_entry_point", false);
    boolean interruptBefore = "human_confirmation".equals(type) || RequestFields.optionalBool(body, "interrupt_before", false);
    boolean interruptAfter = RequestFields.optionalBool(body, "interrupt_after", false);
    long x = RequestFields.optionalLong(body, "position_x", Integer.MIN_VALUE, Integer.MAX_VALUE, 0L);
    long y = RequestFields.optionalLong(body, "position_y", Integer.MIN_VALUE, Integer.MAX_VALUE, 0L);
    Long subworkflowId = RequestFields.optionalLong(body, "subworkflow_id", 1, Long.MAX_VALUE, null);
    Long codeBlockId = RequestFields.optionalLong(body, "code_block_id", 1, Long.MAX_VALUE, null);
    ConfigValues config = ConfigValues.read(RequestFields.optionalObject(body, "config", new JsonObject()), type, true);
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      if (subworkflowId != null) {
        WorkflowStore.requireVisibleWorkflow(c, identity, subworkflowId, "subworkflow_id");
      }
      config.checkCredentials(c, identity);
      String nodeId = requestedId != null ? requestedId : freeNodeId(c, workflow.id(), type);
      if (requestedId != null && nodeExists(c, workflow.id(), requestedId)) {
        throw StoreException.conflict("Node with id '" + requestedId + "' already exists.");
      }
      Instant now = Instant.now();
      long configId = config.insert(c, dialect, type, now);
      try (PreparedStatement statement = c.prepareStatement(
          "INSERT INTO workflow_nodes (workflow_id, node_id, label, component_type, component_config_id,"
          + " subworkflow_id, code_block_id, is_entry_point, interrupt_before, interrupt_after, position_x,"
          + " position_y, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        statement.setLong(1, workflow.id());
        statement.setString(2, nodeId);
        statement.setString(3, label);
        statement.setString(4, type);
        statement.setLong(5, configId);
        Sql.setNullableLong(statement, 6, subworkflowId);
        Sql.setNullableLong(statement, 7, codeBlockId);
        dialect.setBoolean(statement, 8, entryPoint);
        dialect.setBoolean(statement, 9, interruptBefore);
        dialect.setBoolean(statement, 10, interruptAfter);
        statement.setLong(11, x);
        statement.setLong(12, y);
        dialect.setTimestamp(statement, 13, now);
        statement.executeUpdate();
      }
      touchWorkflow(c, dialect, workflow.id(), now);
      return new Result(workflow.slug(), load(c, workflow.id(), nodeId));
    }).onSuccess(r -> events.publish(r.slug(), "node_created", r.node())).map(Result::node);
  }

  /** Pipelit's generated ids: "{type}_{8 hex}", then 16 hex after ten collisions. */
  private static String freeNodeId(Connection c, long workflowId, String type) throws SQLException {
    for (int attempt = 0; attempt < 10; attempt++) {
      String candidate = type + "_" + randomHex(4);
      if (!nodeExists(c, workflowId, candidate)) {
        return candidate;
      }
    }
    return type + "_" + randomHex(8);
  }

  private static String randomHex(int bytes) {
    byte[] buffer = new byte[bytes];
    RANDOM.nextBytes(buffer);
    return HexFormat.of().formatHex(buffer);
  }

  private static boolean nodeExists(Connection c, long workflowId, String nodeId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT 1 FROM workflow_nodes WHERE workflow_id = ? AND node_id = ?")) {
      statement.setLong(1, workflowId);
      statement.setString(2, nodeId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    String nodeId = RequestFields.requiredString(request, "node_id", NODE_ID_MAX);
    JsonObject body = RequestFields.body(request);
    // Validate everything before touching the database; the type-dependent parts need the stored type.
    String newNodeId = RequestFields.has(body, "node_id") ? RequestFields.identifier(body, "node_id", NODE_ID_MAX) : null;
    String newType = RequestFields.has(body, "component_type") ? RequestFields.oneOf(body, "component_type", ComponentTypes.ALL, null) : null;
    if (RequestFields.has(body, "component_type") && newType == null) {
      throw StoreException.validation("component_type: must not be null");
    }
    for (String flag : List.of("is_entry_point", "interrupt_before", "interrupt_after")) {
      if (RequestFields.has(body, flag) && body.getValue(flag) == null) {
        throw StoreException.validation(flag + ": must be a boolean");
      }
      RequestFields.optionalBool(body, flag, false);
    }
    String label = RequestFields.optionalString(body, "label", 255, null);
    Long x = RequestFields.optionalLong(body, "position_x", Integer.MIN_VALUE, Integer.MAX_VALUE, null);
    Long y = RequestFields.optionalLong(body, "position_y", Integer.MIN_VALUE, Integer.MAX_VALUE, null);
    Long subworkflowId = RequestFields.optionalLong(body, "subworkflow_id", 1, Long.MAX_VALUE, null);
    Long codeBlockId = RequestFields.optionalLong(body, "code_block_id", 1, Long.MAX_VALUE, null);
    JsonObject configBody = RequestFields.optionalObject(body, "config", null);
    if (configBody != null) {
      ConfigValues.read(configBody, "agent", false); // type-independent checks, before any write
    }
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      JsonObject current = loadForUpdate(c, workflow.id(), nodeId); // merged into the update below
      long nodePk = current.getLong("id");
      long configId = current.getLong("component_config_id_internal");
      String type = newType != null ? newType : current.getString("component_type");
      if (newNodeId != null && !newNodeId.equals(nodeId) && nodeExists(c, workflow.id(), newNodeId)) {
        throw StoreException.conflict("Node with id '" + newNodeId + "' already exists.");
      }
      if (subworkflowId != null) {
        WorkflowStore.requireVisibleWorkflow(c, identity, subworkflowId, "subworkflow_id");
      }
      Instant now = Instant.now();
      if (configBody != null) {
        ConfigValues values = ConfigValues.read(configBody, type, false);
        values.checkCredentials(c, identity);
        values.update(c, dialect, configId, now);
      }
      if (newType != null) {
        try (PreparedStatement statement = c.prepareStatement(
            "UPDATE component_configs SET component_type = ? WHERE id = ?")) {
          statement.setString(1, newType);
          statement.setLong(2, configId);
          statement.executeUpdate();
        }
      }
      boolean humanConfirmation = "human_confirmation".equals(type);
      try (PreparedStatement statement = c.prepareStatement("UPDATE workflow_nodes SET"
          + " node_id = ?, label = ?, component_type = ?, is_entry_point = ?, interrupt_before = ?,"
          + " interrupt_after = ?, position_x = ?, position_y = ?, subworkflow_id = ?, code_block_id = ?,"
          + " updated_at = ? WHERE id = ?")) {
        statement.setString(1, newNodeId != null ? newNodeId : nodeId);
        statement.setString(2, RequestFields.has(body, "label") ? label : current.getString("label"));
        statement.setString(3, type);
        dialect.setBoolean(statement, 4, RequestFields.optionalBool(body, "is_entry_point", current.getBoolean("is_entry_point")));
        dialect.setBoolean(statement, 5, humanConfirmation
            || RequestFields.optionalBool(body, "interrupt_before", current.getBoolean("interrupt_before")));
        dialect.setBoolean(statement, 6, RequestFields.optionalBool(body, "interrupt_after", current.getBoolean("interrupt_after")));
        statement.setLong(7, x != null ? x : current.getLong("position_x"));
        statement.setLong(8, y != null ? y : current.getLong("position_y"));
        Sql.setNullableLong(statement, 9, RequestFields.has(body, "subworkflow_id")
            ? subworkflowId : current.getLong("subworkflow_id"));
        Sql.setNullableLong(statement, 10, RequestFields.has(body, "code_block_id")
            ? codeBlockId : current.getLong("code_block_id"));
        dialect.setTimestamp(statement, 11, now);
        statement.setLong(12, nodePk);
        statement.executeUpdate();
      }
      if (newNodeId != null && !newNodeId.equals(nodeId)) {
        // Pipelit leaves edges pointing at the old id; we keep the graph connected.
        renameInEdges(c, workflow.id(), nodeId, newNodeId);
        renameInSchedules(c, workflow.id(), nodeId, newNodeId);
      }
      touchWorkflow(c, dialect, workflow.id(), now);
      return new Result(workflow.slug(), load(c, workflow.id(), newNodeId != null ? newNodeId : nodeId));
    }).onSuccess(r -> events.publish(r.slug(), "node_updated", r.node())).map(Result::node);
  }

  /** Keeps a renamed schedule node's job attached (and its generated name in step). */
  private static void renameInSchedules(Connection c, long workflowId, String from, String to) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("UPDATE scheduled_jobs SET trigger_node_id = ?,"
        + " name = CASE WHEN name = ? THEN ? ELSE name END WHERE workflow_id = ? AND trigger_node_id = ?")) {
      statement.setString(1, to);
      statement.setString(2, "schedule:" + from);
      statement.setString(3, "schedule:" + to);
      statement.setLong(4, workflowId);
      statement.setString(5, from);
      statement.executeUpdate();
    }
  }

  private static void renameInEdges(Connection c, long workflowId, String from, String to) throws SQLException {
    for (String column : List.of("source_node_id", "target_node_id")) {
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE workflow_edges SET " + column + " = ? WHERE workflow_id = ? AND " + column + " = ?")) {
        statement.setString(1, to);
        statement.setLong(2, workflowId);
        statement.setString(3, from);
        statement.executeUpdate();
      }
    }
  }

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    String slug = RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX);
    String nodeId = RequestFields.requiredString(request, "node_id", NODE_ID_MAX);
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, slug);
      long configId = loadForUpdate(c, workflow.id(), nodeId).getLong("component_config_id_internal");
      try (PreparedStatement statement = c.prepareStatement(
          "DELETE FROM workflow_edges WHERE workflow_id = ? AND (source_node_id = ? OR target_node_id = ?)")) {
        statement.setLong(1, workflow.id());
        statement.setString(2, nodeId);
        statement.setString(3, nodeId);
        statement.executeUpdate();
      }
      // The node's schedule goes with it (Pipelit pauses, then deletes it).
      try (PreparedStatement statement = c.prepareStatement(
          "DELETE FROM scheduled_jobs WHERE workflow_id = ? AND trigger_node_id = ?")) {
        statement.setLong(1, workflow.id());
        statement.setString(2, nodeId);
        statement.executeUpdate();
      }
      // Deleting the config cascades to the node; links from other configs are set to NULL by the key.
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM component_configs WHERE id = ?")) {
        statement.setLong(1, configId);
        statement.executeUpdate();
      }
      touchWorkflow(c, dialect, workflow.id(), Instant.now());
      return workflow.slug();
    }).onSuccess(workflowSlug -> events.publish(workflowSlug, "node_deleted", new JsonObject().put("node_id", nodeId)))
        .map(done -> new JsonObject());
  }

  static void touchWorkflow(Connection c, Dialect dialect, long workflowId, Instant now) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("UPDATE workflows SET updated_at = ? WHERE id = ?")) {
      dialect.setTimestamp(statement, 1, now);
      statement.setLong(2, workflowId);
      statement.executeUpdate();
    }
  }

  /** The node with its config; the config's primary key is kept under an internal field. */
  private JsonObject load(Connection c, long workflowId, String nodeId) throws SQLException {
    return load(c, workflowId, nodeId, "");
  }

  /** As {@link #load(Connection, long, String)}, locking the node and its config for this write. */
  private JsonObject loadForUpdate(Connection c, long workflowId, String nodeId) throws SQLException {
    return load(c, workflowId, nodeId, dialect.lockRows("n, c"));
  }

  private JsonObject load(Connection c, long workflowId, String nodeId, String lock) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS
        + " FROM workflow_nodes n JOIN component_configs c ON c.id = n.component_config_id"
        + " WHERE n.workflow_id = ? AND n.node_id = ?" + lock)) {
      statement.setLong(1, workflowId);
      statement.setString(2, nodeId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        JsonObject node = toJson(rows);
        node.put("component_config_id_internal", rows.getLong("component_config_id"));
        ScheduleStore.attachJobs(c, dialect, workflowId, new JsonArray().add(node));
        return node;
      }
    }
  }

  /** The config id of a node in a workflow, or null when there is no such node. */
  static Long configIdOf(Connection c, long workflowId, String nodeId, String[] typeOut) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT component_config_id, component_type FROM workflow_nodes WHERE workflow_id = ? AND node_id = ?")) {
      statement.setLong(1, workflowId);
      statement.setString(2, nodeId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return null;
        }
        if (typeOut != null) {
          typeOut[0] = rows.getString(2);
        }
        return rows.getLong(1);
      }
    }
  }

  /** NodeOut, with ComponentConfigData shaped by type as Pipelit answers it. */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    String configType = rows.getString("config_type");
    boolean model = ComponentTypes.isModel(configType);
    boolean trigger = ComponentTypes.isTrigger(configType);
    Object extra = Rows.json(dialect, rows, "extra_config");
    JsonObject extraConfig = extra instanceof JsonObject object ? object : new JsonObject();
    JsonObject config = new JsonObject()
        .put("system_prompt", rows.getString("system_prompt"))
        .put("extra_config", extraConfig)
        .put("llm_credential_id", model ? Rows.nullableLong(rows, "llm_credential_id") : null)
        .put("model_name", model ? rows.getString("model_name") : "");
    for (String field : MODEL_FLOATS) {
      config.put(field, model ? Rows.nullableDouble(rows, field) : null);
    }
    for (String field : MODEL_INTS) {
      config.put(field, model ? Rows.nullableLong(rows, field) : null);
    }
    Object triggerConfig = trigger ? Rows.json(dialect, rows, "trigger_config") : null;
    Long priority = trigger ? Rows.nullableLong(rows, "priority") : null;
    boolean active = true;
    if (trigger) {
      rows.getObject("is_active");
      active = rows.wasNull() || dialect.getBoolean(rows, "is_active");
    }
    config.put("response_format", model ? Rows.json(dialect, rows, "response_format") : null)
        .put("llm_model_config_id", Rows.nullableLong(rows, "llm_model_config_id"))
        .put("credential_id", trigger ? Rows.nullableLong(rows, "credential_id") : null)
        .put("is_active", active)
        .put("priority", priority == null ? 0L : priority)
        .put("trigger_config", triggerConfig == null ? new JsonObject() : triggerConfig)
        .put("input_template", extraConfig.getValue("input_template"));
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("node_id", rows.getString("node_id"))
        .put("label", rows.getString("label"))
        .put("component_type", rows.getString("component_type"))
        .put("is_entry_point", dialect.getBoolean(rows, "is_entry_point"))
        .put("interrupt_before", dialect.getBoolean(rows, "interrupt_before"))
        .put("interrupt_after", dialect.getBoolean(rows, "interrupt_after"))
        .put("position_x", rows.getLong("position_x"))
        .put("position_y", rows.getLong("position_y"))
        .put("config", config)
        .put("subworkflow_id", Rows.nullableLong(rows, "subworkflow_id"))
        .put("code_block_id", Rows.nullableLong(rows, "code_block_id"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"))
        .put("schedule_job", null);
  }

  private record Result(String slug, JsonObject node) {
    Result {
      node.remove("component_config_id_internal");
    }
  }

  /**
   * The config fields of a create or patch request, validated, with Pipelit's per-type rules: model
   * fields only for ai_model, trigger fields only for trigger_*, system prompt and extra_config for all
   * (on create, the prompt only for the agent-like types). {@code input_template} is kept inside
   * extra_config, where the engine reads it (Pipelit silently drops it on PATCH).
   */
  private static final class ConfigValues {
    final JsonObject source;
    final String type;
    final boolean creating;

    private ConfigValues(JsonObject source, String type, boolean creating) {
      this.source = source;
      this.type = type;
      this.creating = creating;
    }

    static ConfigValues read(JsonObject config, String type, boolean creating) {
      // Validate all types eagerly so a bad value answers 422 before anything is written.
      RequestFields.optionalString(config, "system_prompt", 1_000_000, null);
      RequestFields.optionalObject(config, "extra_config", null);
      RequestFields.optionalString(config, "input_template", 1_000_000, null);
      RequestFields.optionalLong(config, "llm_credential_id", 1, Long.MAX_VALUE, null);
      RequestFields.optionalString(config, "model_name", 255, null);
      for (String field : MODEL_FLOATS) {
        RequestFields.optionalDouble(config, field, -1e9, 1e9, null);
      }
      for (String field : MODEL_INTS) {
        RequestFields.optionalLong(config, field, 0, Integer.MAX_VALUE, null);
      }
      RequestFields.optionalLong(config, "credential_id", 1, Long.MAX_VALUE, null);
      RequestFields.optionalLong(config, "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, null);
      RequestFields.optionalObject(config, "trigger_config", null);
      if (config.containsKey("is_active") && config.getValue("is_active") != null) {
        RequestFields.optionalBool(config, "is_active", true);
      }
      return new ConfigValues(config, type, creating);
    }

    private boolean keepsPrompt() {
      return !creating || ComponentTypes.WITH_SYSTEM_PROMPT.contains(type);
    }

    private JsonObject extraConfig(JsonObject base) {
      JsonObject extra = RequestFields.optionalObject(source, "extra_config", null);
      JsonObject result = extra != null ? extra.copy() : base;
      if (source.getValue("input_template") != null) {
        result.put("input_template", source.getString("input_template"));
      }
      return result;
    }

    /** Credentials referenced by the config must exist and belong to the caller (admins: any). */
    void checkCredentials(Connection c, Identity identity) throws SQLException {
      if (ComponentTypes.isModel(type)) {
        checkCredential(c, identity, "llm_credential_id");
      }
      if (ComponentTypes.isTrigger(type)) {
        checkCredential(c, identity, "credential_id");
      }
    }

    private void checkCredential(Connection c, Identity identity, String field) throws SQLException {
      Long id = source.getLong(field);
      if (id == null) {
        return;
      }
      try (PreparedStatement statement = c.prepareStatement(
          "SELECT 1 FROM credentials WHERE id = ? AND (user_profile_id = ? OR ? = 1)")) {
        statement.setLong(1, id);
        statement.setLong(2, identity.userId());
        statement.setInt(3, identity.isAdmin() ? 1 : 0);
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            throw StoreException.validation(field + ": credential " + id + " not found");
          }
        }
      }
    }

    long insert(Connection c, Dialect dialect, String componentType, Instant now) throws SQLException {
      boolean model = ComponentTypes.isModel(type);
      boolean trigger = ComponentTypes.isTrigger(type);
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO component_configs (component_type,"
          + " extra_config, updated_at, llm_credential_id, model_name, temperature, max_tokens, frequency_penalty,"
          + " presence_penalty, top_p, timeout, max_retries, response_format, system_prompt, credential_id,"
          + " is_active, priority, trigger_config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
        statement.setString(1, componentType);
        dialect.setJson(statement, 2, extraConfig(new JsonObject()).encode());
        dialect.setTimestamp(statement, 3, now);
        Sql.setNullableLong(statement, 4, model ? source.getLong("llm_credential_id") : null);
        statement.setString(5, model ? source.getString("model_name") : null);
        setNullableDouble(statement, 6, model ? number(source, "temperature") : null);
        Sql.setNullableLong(statement, 7, model ? source.getLong("max_tokens") : null);
        setNullableDouble(statement, 8, model ? number(source, "frequency_penalty") : null);
        setNullableDouble(statement, 9, model ? number(source, "presence_penalty") : null);
        setNullableDouble(statement, 10, model ? number(source, "top_p") : null);
        Sql.setNullableLong(statement, 11, model ? source.getLong("timeout") : null);
        Sql.setNullableLong(statement, 12, model ? source.getLong("max_retries") : null);
        dialect.setJson(statement, 13, model ? RequestFields.optionalJsonText(source, "response_format") : null);
        statement.setString(14, keepsPrompt() ? source.getString("system_prompt") : null);
        Sql.setNullableLong(statement, 15, trigger ? source.getLong("credential_id") : null);
        if (trigger) {
          dialect.setBoolean(statement, 16, RequestFields.optionalBool(source, "is_active", true));
        } else {
          statement.setNull(16, Types.BOOLEAN);
        }
        Sql.setNullableLong(statement, 17, trigger ? Long.valueOf(
            RequestFields.optionalLong(source, "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, 0L)) : null);
        dialect.setJson(statement, 18, trigger ? RequestFields.optionalObject(source, "trigger_config", new JsonObject()).encode() : null);
        return Sql.insertedId(statement);
      }
    }

    /** Applies only the fields present in the patch, per type. */
    void update(Connection c, Dialect dialect, long configId, Instant now) throws SQLException {
      List<String> sets = new java.util.ArrayList<>();
      List<Sql.Binder> binders = new java.util.ArrayList<>();
      if (source.containsKey("system_prompt")) {
        String prompt = source.getString("system_prompt");
        sets.add("system_prompt = ?");
        binders.add((s, i) -> s.setString(i, prompt));
      }
      if (source.containsKey("extra_config") || source.getValue("input_template") != null) {
        JsonObject current = currentExtra(c, dialect, configId);
        String json = extraConfig(current).encode();
        sets.add("extra_config = ?");
        binders.add((s, i) -> dialect.setJson(s, i, json));
      }
      if (ComponentTypes.isModel(type)) {
        addLong(sets, binders, "llm_credential_id");
        if (source.containsKey("model_name")) {
          String modelName = source.getString("model_name");
          sets.add("model_name = ?");
          binders.add((s, i) -> s.setString(i, modelName));
        }
        for (String field : MODEL_FLOATS) {
          if (source.containsKey(field)) {
            Double value = number(source, field);
            sets.add(field + " = ?");
            binders.add((s, i) -> setNullableDouble(s, i, value));
          }
        }
        for (String field : MODEL_INTS) {
          addLong(sets, binders, field);
        }
        if (source.containsKey("response_format")) {
          String json = RequestFields.optionalJsonText(source, "response_format");
          sets.add("response_format = ?");
          binders.add((s, i) -> dialect.setJson(s, i, json));
        }
      }
      if (ComponentTypes.isTrigger(type)) {
        addLong(sets, binders, "credential_id");
        addLong(sets, binders, "priority");
        if (source.getValue("is_active") != null) {
          boolean active = source.getBoolean("is_active");
          sets.add("is_active = ?");
          binders.add((s, i) -> dialect.setBoolean(s, i, active));
        }
        if (source.containsKey("trigger_config")) {
          String json = RequestFields.optionalJsonText(source, "trigger_config");
          sets.add("trigger_config = ?");
          binders.add((s, i) -> dialect.setJson(s, i, json));
        }
      }
      sets.add("updated_at = ?");
      binders.add((s, i) -> dialect.setTimestamp(s, i, now));
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE component_configs SET " + String.join(", ", sets) + " WHERE id = ?")) {
        int i = 1;
        for (Sql.Binder binder : binders) {
          binder.bind(statement, i++);
        }
        statement.setLong(i, configId);
        statement.executeUpdate();
      }
    }

    private void addLong(List<String> sets, List<Sql.Binder> binders, String field) {
      if (source.containsKey(field)) {
        Long value = source.getLong(field);
        sets.add(field + " = ?");
        binders.add((s, i) -> Sql.setNullableLong(s, i, value));
      }
    }

    private static JsonObject currentExtra(Connection c, Dialect dialect, long configId) throws SQLException {
      try (PreparedStatement statement = c.prepareStatement("SELECT extra_config FROM component_configs WHERE id = ?")) {
        statement.setLong(1, configId);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          Object value = Rows.json(dialect, rows, "extra_config");
          return value instanceof JsonObject object ? object : new JsonObject();
        }
      }
    }

    private static Double number(JsonObject source, String field) {
      Number value = (Number) source.getValue(field);
      return value == null ? null : value.doubleValue();
    }

    private static void setNullableDouble(PreparedStatement statement, int index, Double value) throws SQLException {
      if (value == null) {
        statement.setNull(index, Types.DOUBLE);
      } else {
        statement.setDouble(index, value);
      }
    }
  }
}
