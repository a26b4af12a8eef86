package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Scheduled jobs (Pipelit §1.7, §3.12) and the schedule actions on {@code trigger_schedule} nodes (§3.5).
 * Jobs are scoped through their workflow's owner: admins see every job, a normal user only those of
 * their own workflows, and anything else is "not found". pipelitd stores the schedule; running it is
 * the engine's business, so "enqueue the next run" here means setting {@code next_run_at} to now plus
 * the interval, as Pipelit does when it enqueues.
 */
public final class ScheduleStore {
  static final String NOT_FOUND = "Scheduled job not found.";
  private static final String NO_NODE_JOB = "No scheduled job found for this node.";
  static final String SCHEDULE_NODE_TYPE = "trigger_schedule";
  /** Values Pipelit writes ({@code stopped} is documented there but never written; accepted as a filter). */
  static final Set<String> STATUSES = Set.of("active", "paused", "done", "dead");
  private static final Set<String> STATUS_FILTERS = Set.of("active", "paused", "done", "dead", "stopped");
  /** Upper bound of the second counts: ten years, so that now + interval never overflows a timestamp. */
  static final long MAX_SECONDS = 10L * 366 * 24 * 3600;
  /** Upper bound of repeat and retry counts (an INTEGER column). */
  private static final long MAX_COUNT = Integer.MAX_VALUE;
  private static final int NAME_MAX = 255;

  private static final String COLUMNS = "j.id, j.name, j.description, j.workflow_id, j.trigger_node_id,"
      + " j.user_profile_id, j.interval_seconds, j.total_repeats, j.max_retries, j.timeout_seconds,"
      + " j.trigger_payload, j.status, j.current_repeat, j.current_retry, j.last_run_at, j.next_run_at,"
      + " j.run_count, j.error_count, j.last_error, j.created_at, j.updated_at, w.slug AS workflow_slug";
  private static final String FROM = " FROM scheduled_jobs j JOIN workflows w ON w.id = j.workflow_id";

  private final Database db;
  private final Dialect dialect;
  private final StoreEvents events;
  private final NodeStore nodes;

  public ScheduleStore(Database db, StoreEvents events, NodeStore nodes) {
    this.db = db;
    this.dialect = db.dialect();
    this.events = events;
    this.nodes = nodes;
  }

  // ---- /schedules/ (§3.12) ----

  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    String status = RequestFields.oneOf(request, "status", STATUS_FILTERS, null);
    Long workflowId = integerFilter(request, "workflow_id");
    StringBuilder where = new StringBuilder(" WHERE ").append(Scope.on("w"));
    if (status != null) {
      where.append(" AND j.status = ?");
    }
    if (workflowId != null) {
      where.append(" AND j.workflow_id = ?");
    }
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM + where
          + " ORDER BY j.created_at DESC, j.id DESC LIMIT ? OFFSET ?")) {
        int i = bindFilters(statement, identity, status, workflowId);
        statement.setInt(i, limit);
        statement.setLong(i + 1, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(withoutSlug(toJson(rows)));
          }
        }
      }
      long total;
      try (PreparedStatement statement = c.prepareStatement("SELECT COUNT(*)" + FROM + where)) {
        bindFilters(statement, identity, status, workflowId);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  private static int bindFilters(PreparedStatement statement, Identity identity, String status, Long workflowId)
      throws SQLException {
    int i = Scope.bind(statement, 1, identity);
    if (status != null) {
      statement.setString(i++, status);
    }
    if (workflowId != null) {
      statement.setLong(i++, workflowId);
    }
    return i;
  }

  /** An integer filter that arrives as a query string ("12") or as a JSON number; null when absent. */
  private static Long integerFilter(JsonObject request, String name) {
    Object value = request.getValue(name);
    if (value instanceof String text) {
      try {
        return Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        throw StoreException.validation(name + ": must be an integer");
      }
    }
    return RequestFields.optionalLong(request, name, Long.MIN_VALUE, Long.MAX_VALUE, null);
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String name = RequestFields.requiredString(body, "name", NAME_MAX);
    String description = RequestFields.optionalString(body, "description", 100_000, "");
    Long workflowId = RequestFields.optionalLong(body, "workflow_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
    if (workflowId == null) {
      throw StoreException.validation("workflow_id: field required");
    }
    String triggerNodeId = RequestFields.optionalString(body, "trigger_node_id", NodeStore.NODE_ID_MAX, null);
    if (body.getValue("interval_seconds") == null) {
      throw StoreException.validation("interval_seconds: field required");
    }
    Parameters parameters = Parameters.read(body, Parameters.DEFAULTS);
    String id = UUID.randomUUID().toString();
    return db.write(c -> {
      String slug = visibleWorkflowSlug(c, identity, workflowId);
      Instant now = Instant.now();
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO scheduled_jobs (id, name, description,"
          + " workflow_id, trigger_node_id, user_profile_id, interval_seconds, total_repeats, max_retries,"
          + " timeout_seconds, trigger_payload, status, current_repeat, current_retry, next_run_at, run_count,"
          + " error_count, last_error, created_at, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 0, 0, ?, 0, 0, '', ?, ?)")) {
        statement.setString(1, id);
        statement.setString(2, name);
        statement.setString(3, description);
        statement.setLong(4, workflowId);
        statement.setString(5, triggerNodeId);
        statement.setLong(6, identity.userId());
        parameters.bind(statement, 7, dialect);
        dialect.setTimestamp(statement, 12, now.plusSeconds(parameters.intervalSeconds()));
        dialect.setTimestamp(statement, 13, now);
        dialect.setTimestamp(statement, 14, now);
        statement.executeUpdate();
      }
      return load(c, identity, id, "");
    }).onSuccess(job -> publish(job, "schedule_created")).map(ScheduleStore::withoutSlug);
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    String id = jobId(request);
    return db.read(c -> withoutSlug(load(c, identity, id, "")));
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    String id = jobId(request);
    JsonObject body = RequestFields.body(request);
    List<String> sets = new ArrayList<>();
    List<Sql.Binder> binders = new ArrayList<>();
    if (RequestFields.has(body, "name")) {
      String name = RequestFields.requiredString(body, "name", NAME_MAX);
      sets.add("name = ?");
      binders.add((s, i) -> s.setString(i, name));
    }
    if (RequestFields.has(body, "description")) {
      String description = notNull(body, "description",
          RequestFields.optionalString(body, "description", 100_000, null));
      sets.add("description = ?");
      binders.add((s, i) -> s.setString(i, description));
    }
    if (RequestFields.has(body, "trigger_node_id")) {
      String node = RequestFields.optionalString(body, "trigger_node_id", NodeStore.NODE_ID_MAX, null);
      sets.add("trigger_node_id = ?");
      binders.add((s, i) -> s.setString(i, node));
    }
    for (String counter : Parameters.COUNTERS) {
      if (RequestFields.has(body, counter)) {
        long value = notNull(body, counter, Parameters.readCounter(body, counter, null));
        sets.add(counter + " = ?");
        binders.add((s, i) -> s.setLong(i, value));
      }
    }
    if (RequestFields.has(body, "trigger_payload")) {
      String payload = Parameters.payload(body);
      sets.add("trigger_payload = ?");
      binders.add((s, i) -> dialect.setJson(s, i, payload));
    }
    return db.write(c -> {
      load(c, identity, id, dialect.lockRows("j")); // NOT_FOUND outside the caller's scope
      // Fresh lists per run: a PostgreSQL write may run this work again after a conflict.
      List<String> allSets = new ArrayList<>(sets);
      List<Sql.Binder> allBinders = new ArrayList<>(binders);
      allSets.add("updated_at = ?");
      allBinders.add((s, i) -> dialect.setTimestamp(s, i, Instant.now()));
      runUpdate(c, id, allSets, allBinders);
      return load(c, identity, id, "");
    }).onSuccess(job -> publish(job, "schedule_updated")).map(ScheduleStore::withoutSlug);
  }

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    String id = jobId(request);
    return db.write(c -> {
      JsonObject job = load(c, identity, id, dialect.lockRows("j"));
      deleteJob(c, id);
      return job;
    }).onSuccess(job -> publish(new JsonObject().put("workflow_slug", job.getString("workflow_slug"))
        .put("id", id), "schedule_deleted")).map(job -> new JsonObject());
  }

  /** Pauses an {@code active} job: {@code paused}, no next run. */
  public Future<JsonObject> pause(Identity identity, JsonObject request) {
    String id = jobId(request);
    return db.write(c -> {
      JsonObject job = load(c, identity, id, dialect.lockRows("j"));
      pauseJob(c, job);
      return load(c, identity, id, "");
    }).onSuccess(job -> publish(job, "schedule_updated")).map(ScheduleStore::withoutSlug);
  }

  /** Resumes a {@code paused} job: {@code active}, next run one interval from now. */
  public Future<JsonObject> resume(Identity identity, JsonObject request) {
    String id = jobId(request);
    return db.write(c -> {
      JsonObject job = load(c, identity, id, dialect.lockRows("j"));
      String status = job.getString("status");
      if (!"paused".equals(status)) {
        throw new StoreException(ErrorCode.BAD_REQUEST, "Cannot resume job with status '" + status + "'.");
      }
      Instant now = Instant.now();
      try (PreparedStatement statement = c.prepareStatement("UPDATE scheduled_jobs SET status = 'active',"
          + " next_run_at = ?, updated_at = ? WHERE id = ?")) {
        dialect.setTimestamp(statement, 1, now.plusSeconds(job.getLong("interval_seconds")));
        dialect.setTimestamp(statement, 2, now);
        statement.setString(3, id);
        statement.executeUpdate();
      }
      return load(c, identity, id, "");
    }).onSuccess(job -> publish(job, "schedule_updated")).map(ScheduleStore::withoutSlug);
  }

  /**
   * Deletes the listed jobs the caller may see and silently skips the others, for admins and normal
   * users alike (Pipelit answers a normal user with a 500 here).
   */
  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    List<String> ids = RequestFields.optionalStringList(body, "schedule_ids", 10_000, 36);
    if (ids == null) {
      throw StoreException.validation("schedule_ids: field required");
    }
    return db.write(c -> {
      List<JsonObject> deleted = new ArrayList<>();
      for (String id : new LinkedHashSet<>(ids)) {
        JsonObject job;
        try {
          job = load(c, identity, id, dialect.lockRows("j"));
        } catch (StoreException outOfScope) {
          continue; // unknown, or another user's: skipped without a word, as for workflows
        }
        deleteJob(c, id);
        deleted.add(new JsonObject().put("id", id).put("workflow_slug", job.getString("workflow_slug")));
      }
      return deleted;
    }).onSuccess(deleted -> deleted.forEach(job -> publish(job, "schedule_deleted"))).map(done -> new JsonObject());
  }

  // ---- what the engine that runs the schedules needs (§6.6) ----

  /**
   * Active jobs whose next run is due ({@code next_run_at} at or before now), the most overdue first:
   * the engine's poll, and its recovery at start. {@code {"limit"?}} → {@code {"items": [ScheduledJobOut]}}.
   */
  public Future<JsonObject> due(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM
          + " WHERE j.status = 'active' AND j.next_run_at IS NOT NULL AND j.next_run_at <= ? AND " + Scope.on("w")
          + " ORDER BY j.next_run_at, j.id LIMIT ?")) {
        dialect.setTimestamp(statement, 1, Instant.now());
        int i = Scope.bind(statement, 2, identity);
        statement.setInt(i, limit);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(withoutSlug(toJson(rows)));
          }
        }
      }
      return new JsonObject().put("items", items);
    });
  }

  /**
   * Records the outcome of one run of an active job and schedules the next, with Pipelit's state
   * machine: {@code success} advances the repeat (the last one makes the job {@code done});
   * {@code failure} counts an error and retries after a backoff (interval × 2^(retry−1), at most
   * 10 × interval) until the retries exceed {@code max_retries}, which makes the job {@code dead};
   * {@code skipped} (a previous run still going) only moves the next run one interval on.
   * {@code {"job_id", "body": {"outcome", "error"?}}} → ScheduledJobOut; CONFLICT when the job is not active.
   */
  public Future<JsonObject> recordRun(Identity identity, JsonObject request) {
    String id = jobId(request);
    JsonObject body = RequestFields.body(request);
    String outcome = RequestFields.oneOf(body, "outcome", RUN_OUTCOMES, null);
    if (outcome == null) {
      throw StoreException.validation("outcome: field required");
    }
    String error = RequestFields.optionalString(body, "error", 100_000, "");
    String lastError = error.length() > ERROR_MAX ? error.substring(0, ERROR_MAX) : error;
    return db.write(c -> {
      JsonObject job = load(c, identity, id, dialect.lockRows("j"));
      String status = job.getString("status");
      if (!"active".equals(status)) {
        throw StoreException.conflict("Cannot record a run of job with status '" + status + "'.");
      }
      long interval = job.getLong("interval_seconds");
      Instant now = Instant.now();
      List<String> sets = new ArrayList<>();
      List<Sql.Binder> binders = new ArrayList<>();
      Instant nextRun;
      switch (outcome) {
        case "success" -> {
          long repeat = job.getLong("current_repeat") + 1;
          long total = job.getLong("total_repeats");
          sets.addAll(List.of("run_count = run_count + 1", "current_retry = 0", "last_error = ''",
              "current_repeat = ?", "last_run_at = ?"));
          binders.add((s, i) -> s.setLong(i, repeat));
          binders.add((s, i) -> dialect.setTimestamp(s, i, now));
          boolean finished = total > 0 && repeat >= total;
          if (finished) {
            sets.add("status = 'done'");
          }
          nextRun = finished ? null : now.plusSeconds(interval);
        }
        case "failure" -> {
          long retry = job.getLong("current_retry") + 1;
          sets.addAll(List.of("error_count = error_count + 1", "current_retry = ?", "last_error = ?"));
          binders.add((s, i) -> s.setLong(i, retry));
          binders.add((s, i) -> s.setString(i, lastError));
          boolean exhausted = retry > job.getLong("max_retries");
          if (exhausted) {
            sets.add("status = 'dead'");
          }
          nextRun = exhausted ? null : now.plusSeconds(retryDelaySeconds(interval, retry));
        }
        default -> nextRun = now.plusSeconds(interval); // skipped: try again one interval later
      }
      sets.add("next_run_at = ?");
      binders.add((s, i) -> dialect.setTimestamp(s, i, nextRun));
      sets.add("updated_at = ?");
      binders.add((s, i) -> dialect.setTimestamp(s, i, now));
      runUpdate(c, id, sets, binders);
      return load(c, identity, id, "");
    }).onSuccess(job -> publish(job, "schedule_updated")).map(ScheduleStore::withoutSlug);
  }

  static final Set<String> RUN_OUTCOMES = Set.of("success", "failure", "skipped");
  /** Longest {@code last_error} kept, in characters, as Pipelit's writers truncate errors. */
  private static final int ERROR_MAX = 2000;
  /** The retry backoff is capped at this many intervals. */
  private static final long MAX_BACKOFF_INTERVALS = 10;

  /** Seconds before retry number {@code retry} (1-based): interval × 2^(retry−1), at most 10 × interval. */
  static long retryDelaySeconds(long intervalSeconds, long retry) {
    long factor = retry - 1 >= 4 ? MAX_BACKOFF_INTERVALS : Math.min(1L << (retry - 1), MAX_BACKOFF_INTERVALS);
    return intervalSeconds * factor;
  }

  // ---- schedule actions on nodes (§3.5) ----

  /**
   * Creates the node's job from its {@code extra_config} or brings the existing one in line: a paused
   * job is updated and resumed, a done or dead one reset and restarted, an active one only updated.
   */
  public Future<JsonObject> nodeStart(Identity identity, JsonObject request) {
    NodeRef ref = NodeRef.of(request);
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, ref.slug());
      long configId = scheduleNodeConfig(c, workflow.id(), ref.nodeId());
      Parameters parameters = Parameters.fromExtraConfig(
          nodes.nodeOut(c, workflow.id(), ref.nodeId()).getJsonObject("config").getJsonObject("extra_config"));
      JsonObject job = nodeJob(c, workflow.id(), ref.nodeId());
      Instant now = Instant.now();
      Instant nextRun = now.plusSeconds(parameters.intervalSeconds());
      if (job == null) {
        try (PreparedStatement statement = c.prepareStatement("INSERT INTO scheduled_jobs (id, name,"
            + " description, workflow_id, trigger_node_id, user_profile_id, interval_seconds, total_repeats,"
            + " max_retries, timeout_seconds, trigger_payload, status, current_repeat, current_retry, next_run_at,"
            + " run_count, error_count, last_error, created_at, updated_at)"
            + " VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, 'active', 0, 0, ?, 0, 0, '', ?, ?)")) {
          statement.setString(1, UUID.randomUUID().toString());
          statement.setString(2, "schedule:" + ref.nodeId());
          statement.setLong(3, workflow.id());
          statement.setString(4, ref.nodeId());
          statement.setLong(5, identity.userId());
          parameters.bind(statement, 6, dialect);
          dialect.setTimestamp(statement, 11, nextRun);
          dialect.setTimestamp(statement, 12, now);
          dialect.setTimestamp(statement, 13, now);
          statement.executeUpdate();
        }
      } else {
        String status = job.getString("status");
        // An active job keeps its next run; any other is (re)started one interval from now.
        String restart = "active".equals(status) ? ""
            : ", status = 'active', next_run_at = ?"
              + ("paused".equals(status) ? "" : ", current_repeat = 0, current_retry = 0, run_count = 0,"
                  + " error_count = 0, last_error = ''");
        try (PreparedStatement statement = c.prepareStatement("UPDATE scheduled_jobs SET interval_seconds = ?,"
            + " total_repeats = ?, max_retries = ?, timeout_seconds = ?, trigger_payload = ?, updated_at = ?"
            + restart + " WHERE id = ?")) {
          int i = parameters.bind(statement, 1, dialect);
          dialect.setTimestamp(statement, i++, now);
          if (!restart.isEmpty()) {
            dialect.setTimestamp(statement, i++, nextRun);
          }
          statement.setString(i, job.getString("id"));
          statement.executeUpdate();
        }
      }
      setTriggerActive(c, configId, true);
      return new NodeResult(workflow.slug(), nodes.nodeOut(c, workflow.id(), ref.nodeId()));
    }).onSuccess(this::publishNode).map(NodeResult::node);
  }

  /** Pauses the node's job ({@code active} only) and deactivates the trigger. */
  public Future<JsonObject> nodePause(Identity identity, JsonObject request) {
    NodeRef ref = NodeRef.of(request);
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, ref.slug());
      long configId = scheduleNodeConfig(c, workflow.id(), ref.nodeId());
      JsonObject job = nodeJob(c, workflow.id(), ref.nodeId());
      if (job == null) {
        throw StoreException.notFound(NO_NODE_JOB);
      }
      pauseJob(c, job);
      setTriggerActive(c, configId, false);
      return new NodeResult(workflow.slug(), nodes.nodeOut(c, workflow.id(), ref.nodeId()));
    }).onSuccess(this::publishNode).map(NodeResult::node);
  }

  /** Deletes the node's job and deactivates the trigger. */
  public Future<JsonObject> nodeStop(Identity identity, JsonObject request) {
    NodeRef ref = NodeRef.of(request);
    return db.write(c -> {
      WorkflowRef workflow = WorkflowRef.find(c, identity, ref.slug());
      long configId = scheduleNodeConfig(c, workflow.id(), ref.nodeId());
      JsonObject job = nodeJob(c, workflow.id(), ref.nodeId());
      if (job == null) {
        throw StoreException.notFound(NO_NODE_JOB);
      }
      deleteJob(c, job.getString("id"));
      setTriggerActive(c, configId, false);
      return new NodeResult(workflow.slug(), nodes.nodeOut(c, workflow.id(), ref.nodeId()));
    }).onSuccess(this::publishNode).map(NodeResult::node);
  }

  private record NodeRef(String slug, String nodeId) {
    static NodeRef of(JsonObject request) {
      return new NodeRef(RequestFields.requiredString(request, "slug", WorkflowStore.SLUG_MAX),
          RequestFields.requiredString(request, "node_id", NodeStore.NODE_ID_MAX));
    }
  }

  private record NodeResult(String slug, JsonObject node) {}

  private void publishNode(NodeResult result) {
    events.publish(result.slug(), "node_updated", result.node());
  }

  /**
   * The config id of a trigger_schedule node; NOT_FOUND for no node, BAD_REQUEST for another type. The
   * node row stays locked until the write ends, so that two starts of one node cannot both create a job.
   */
  private long scheduleNodeConfig(Connection c, long workflowId, String nodeId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT n.component_config_id, n.component_type"
        + " FROM workflow_nodes n WHERE n.workflow_id = ? AND n.node_id = ?" + dialect.lockRows("n"))) {
      statement.setLong(1, workflowId);
      statement.setString(2, nodeId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound("Node not found.");
        }
        if (!SCHEDULE_NODE_TYPE.equals(rows.getString(2))) {
          throw new StoreException(ErrorCode.BAD_REQUEST, "Node is not a trigger_schedule.");
        }
        return rows.getLong(1);
      }
    }
  }

  private void setTriggerActive(Connection c, long configId, boolean active) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "UPDATE component_configs SET is_active = ?, updated_at = ? WHERE id = ?")) {
      dialect.setBoolean(statement, 1, active);
      dialect.setTimestamp(statement, 2, Instant.now());
      statement.setLong(3, configId);
      statement.executeUpdate();
    }
  }

  /** The job of a node (the oldest, should an adopted database hold several), or null. */
  private JsonObject nodeJob(Connection c, long workflowId, String nodeId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM
        + " WHERE j.workflow_id = ? AND j.trigger_node_id = ? ORDER BY j.created_at, j.id"
        + dialect.lockRows("j"))) {
      statement.setLong(1, workflowId);
      statement.setString(2, nodeId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? toJson(rows) : null;
      }
    }
  }

  /**
   * Fills NodeOut's {@code schedule_job} (ScheduleJobInfo, or null) of the {@code trigger_schedule} nodes
   * among {@code nodeOuts}, all of one workflow; one query, none when there is no schedule node.
   */
  static void attachJobs(Connection c, Dialect dialect, long workflowId, JsonArray nodeOuts) throws SQLException {
    List<JsonObject> scheduleNodes = new ArrayList<>();
    for (Object node : nodeOuts) {
      if (node instanceof JsonObject out && SCHEDULE_NODE_TYPE.equals(out.getString("component_type"))) {
        scheduleNodes.add(out);
      }
    }
    if (scheduleNodes.isEmpty()) {
      return;
    }
    String only = nodeOuts.size() == 1 ? scheduleNodes.get(0).getString("node_id") : null;
    Map<String, JsonObject> infos = nodeJobInfos(c, dialect, workflowId, only);
    for (JsonObject node : scheduleNodes) {
      node.put("schedule_job", infos.get(node.getString("node_id")));
    }
  }

  /** ScheduleJobInfo of a workflow's node-driven jobs by node id (the oldest job per node). */
  private static Map<String, JsonObject> nodeJobInfos(Connection c, Dialect dialect, long workflowId,
      String nodeId) throws SQLException {
    Map<String, JsonObject> infos = new HashMap<>();
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM
        + " WHERE j.workflow_id = ? AND j.trigger_node_id IS NOT NULL"
        + (nodeId == null ? "" : " AND j.trigger_node_id = ?") + " ORDER BY j.created_at, j.id")) {
      statement.setLong(1, workflowId);
      if (nodeId != null) {
        statement.setString(2, nodeId);
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          JsonObject job = toJson(dialect, rows);
          infos.putIfAbsent(job.getString("trigger_node_id"), info(job));
        }
      }
    }
    return infos;
  }

  private static final List<String> INFO_FIELDS = List.of("id", "status", "run_count", "error_count",
      "current_repeat", "current_retry", "total_repeats", "max_retries", "timeout_seconds", "interval_seconds",
      "last_run_at", "next_run_at", "last_error", "created_at");

  /** ScheduleJobInfo (§3.5) of a ScheduledJobOut. */
  private static JsonObject info(JsonObject job) {
    JsonObject info = new JsonObject();
    for (String field : INFO_FIELDS) {
      info.put(field, job.getValue(field));
    }
    return info;
  }

  // ---- shared ----

  private void pauseJob(Connection c, JsonObject job) throws SQLException {
    String status = job.getString("status");
    if (!"active".equals(status)) {
      throw new StoreException(ErrorCode.BAD_REQUEST, "Cannot pause job with status '" + status + "'.");
    }
    try (PreparedStatement statement = c.prepareStatement("UPDATE scheduled_jobs SET status = 'paused',"
        + " next_run_at = NULL, updated_at = ? WHERE id = ?")) {
      dialect.setTimestamp(statement, 1, Instant.now());
      statement.setString(2, job.getString("id"));
      statement.executeUpdate();
    }
  }

  private static void deleteJob(Connection c, String id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("DELETE FROM scheduled_jobs WHERE id = ?")) {
      statement.setString(1, id);
      statement.executeUpdate();
    }
  }

  private static void runUpdate(Connection c, String id, List<String> sets, List<Sql.Binder> binders)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "UPDATE scheduled_jobs SET " + String.join(", ", sets) + " WHERE id = ?")) {
      int i = 1;
      for (Sql.Binder binder : binders) {
        binder.bind(statement, i++);
      }
      statement.setString(i, id);
      statement.executeUpdate();
    }
  }

  /** The slug of a workflow the caller may see; NOT_FOUND "Workflow not found." otherwise, as Pipelit. */
  private static String visibleWorkflowSlug(Connection c, Identity identity, long workflowId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT w.slug FROM workflows w WHERE w.id = ? AND " + Scope.on("w"))) {
      statement.setLong(1, workflowId);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(WorkflowRef.NOT_FOUND);
        }
        return rows.getString(1);
      }
    }
  }

  private static String jobId(JsonObject request) {
    return RequestFields.requiredString(request, "job_id", 255);
  }

  private static <T> T notNull(JsonObject body, String field, T value) {
    if (value == null) {
      throw StoreException.validation(field + ": must not be null");
    }
    return value;
  }

  /** The job in the caller's scope (with its workflow's slug under {@code workflow_slug}), or NOT_FOUND. */
  private JsonObject load(Connection c, Identity identity, String id, String lock) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE j.id = ? AND "
        + Scope.on("w") + lock)) {
      statement.setString(1, id);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  private void publish(JsonObject job, String type) {
    String slug = job.getString("workflow_slug");
    if (slug != null) {
      events.publish(slug, type, withoutSlug(job));
    }
  }

  /** ScheduledJobOut without the store's {@code workflow_slug}; a copy, so event listeners still see it. */
  private static JsonObject withoutSlug(JsonObject job) {
    JsonObject out = job.copy();
    out.remove("workflow_slug");
    return out;
  }

  private JsonObject toJson(ResultSet rows) throws SQLException {
    return toJson(dialect, rows);
  }

  /** ScheduledJobOut: all 21 columns (§3.12), plus {@code workflow_slug} for the store's own use. */
  private static JsonObject toJson(Dialect dialect, ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getString("id"))
        .put("name", rows.getString("name"))
        .put("description", rows.getString("description"))
        .put("workflow_id", rows.getLong("workflow_id"))
        .put("trigger_node_id", rows.getString("trigger_node_id"))
        .put("user_profile_id", rows.getLong("user_profile_id"))
        .put("interval_seconds", rows.getLong("interval_seconds"))
        .put("total_repeats", rows.getLong("total_repeats"))
        .put("max_retries", rows.getLong("max_retries"))
        .put("timeout_seconds", rows.getLong("timeout_seconds"))
        .put("trigger_payload", Rows.json(dialect, rows, "trigger_payload"))
        .put("status", rows.getString("status"))
        .put("current_repeat", rows.getLong("current_repeat"))
        .put("current_retry", rows.getLong("current_retry"))
        .put("last_run_at", Rows.timestamp(dialect, rows, "last_run_at"))
        .put("next_run_at", Rows.timestamp(dialect, rows, "next_run_at"))
        .put("run_count", rows.getLong("run_count"))
        .put("error_count", rows.getLong("error_count"))
        .put("last_error", rows.getString("last_error"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"))
        .put("workflow_slug", rows.getString("workflow_slug"));
  }

  /**
   * The run parameters of a job, validated: {@code interval_seconds} ≥ 1, {@code total_repeats} ≥ 0
   * (0 = forever), {@code max_retries} ≥ 0, {@code timeout_seconds} ≥ 1, {@code trigger_payload} an
   * object or null.
   */
  private record Parameters(long intervalSeconds, long totalRepeats, long maxRetries, long timeoutSeconds,
      String payload) {
    static final List<String> COUNTERS = List.of("interval_seconds", "total_repeats", "max_retries", "timeout_seconds");
    /** Pipelit's defaults: every 300 s (node start only; the API requires an interval), forever, 3 retries, 600 s. */
    static final Parameters DEFAULTS = new Parameters(300, 0, 3, 600, null);

    static Parameters read(JsonObject source, Parameters defaults) {
      return new Parameters(
          readCounter(source, "interval_seconds", defaults.intervalSeconds()),
          readCounter(source, "total_repeats", defaults.totalRepeats()),
          readCounter(source, "max_retries", defaults.maxRetries()),
          readCounter(source, "timeout_seconds", defaults.timeoutSeconds()),
          payload(source));
    }

    /** From a node's extra_config; Pipelit's message for a bad interval. */
    static Parameters fromExtraConfig(JsonObject extraConfig) {
      Object interval = extraConfig.getValue("interval_seconds");
      if (interval instanceof Number n && n.doubleValue() < 1) {
        throw StoreException.validation("interval_seconds must be >= 1");
      }
      return read(extraConfig, DEFAULTS);
    }

    static Long readCounter(JsonObject source, String name, Long defaultValue) {
      long min = "interval_seconds".equals(name) || "timeout_seconds".equals(name) ? 1 : 0;
      long max = "interval_seconds".equals(name) || "timeout_seconds".equals(name) ? MAX_SECONDS : MAX_COUNT;
      return RequestFields.optionalLong(source, name, min, max, defaultValue);
    }

    static String payload(JsonObject source) {
      JsonObject payload = RequestFields.optionalObject(source, "trigger_payload", null);
      return payload == null ? null : payload.encode();
    }

    /** Binds interval, repeats, retries, timeout and payload from {@code index}; returns the next index. */
    int bind(PreparedStatement statement, int index, Dialect dialect) throws SQLException {
      statement.setLong(index, intervalSeconds);
      statement.setLong(index + 1, totalRepeats);
      statement.setLong(index + 2, maxRetries);
      statement.setLong(index + 3, timeoutSeconds);
      dialect.setJson(statement, index + 4, payload);
      return index + 5;
    }
  }
}
