package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/** Schedules (Pipelit §3.12) and the schedule actions on trigger_schedule nodes (§3.5), over real HTTP. */
class ScheduleApiTest extends BackendSuite {
  private static final String S = "/api/v1/schedules/";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Set<String> JOB_FIELDS = Set.of("id", "name", "description", "workflow_id", "trigger_node_id",
      "user_profile_id", "interval_seconds", "total_repeats", "max_retries", "timeout_seconds", "trigger_payload",
      "status", "current_repeat", "current_retry", "last_run_at", "next_run_at", "run_count", "error_count",
      "last_error", "created_at", "updated_at");
  private static final Set<String> INFO_FIELDS = Set.of("id", "status", "run_count", "error_count", "current_repeat",
      "current_retry", "total_repeats", "max_retries", "timeout_seconds", "interval_seconds", "last_run_at",
      "next_run_at", "last_error", "created_at");

  static String alice;
  static String bob;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void users() throws Exception {
    alice = daemon.createNormalUser("sched-alice");
    bob = daemon.createNormalUser("sched-bob");
  }

  /** A new workflow of the key's user; returns {slug, id}. */
  private static JsonObject workflow(String key) throws Exception {
    String slug = "sched-" + SEQUENCE.incrementAndGet();
    Response created = daemon.send("POST", "/api/v1/workflows/", key,
        new JsonObject().put("name", slug).put("slug", slug).encode());
    assertEquals(201, created.status(), created.body());
    return created.json();
  }

  private static JsonObject jobBody(long workflowId, String name) {
    return new JsonObject().put("name", name).put("workflow_id", workflowId).put("interval_seconds", 60);
  }

  private static JsonObject createJob(String key, JsonObject body) throws Exception {
    Response created = daemon.send("POST", S, key, body.encode());
    assertEquals(201, created.status(), created.body());
    return created.json();
  }

  private static Duration between(String from, String to) {
    return Duration.between(OffsetDateTime.parse(from), OffsetDateTime.parse(to));
  }

  @Test
  void createListGetUpdateDelete() throws Exception {
    long workflowId = workflow(daemon.adminKey).getLong("id");
    JsonObject payload = new JsonObject().put("text", "tick").put("n", 1);
    JsonObject job = createJob(daemon.adminKey, new JsonObject().put("name", "nightly").put("description", "d")
        .put("workflow_id", workflowId).put("trigger_node_id", "trigger_schedule_1").put("interval_seconds", 3600)
        .put("total_repeats", 5).put("max_retries", 1).put("timeout_seconds", 120).put("trigger_payload", payload));
    assertEquals(JOB_FIELDS, job.fieldNames(), "ScheduledJobOut: all 21 columns, nothing else");
    assertTrue(job.getString("id").matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
    assertEquals("nightly", job.getString("name"));
    assertEquals(workflowId, job.getLong("workflow_id"));
    assertEquals("trigger_schedule_1", job.getString("trigger_node_id"));
    assertEquals(3600, job.getLong("interval_seconds"));
    assertEquals(5, job.getLong("total_repeats"));
    assertEquals(1, job.getLong("max_retries"));
    assertEquals(120, job.getLong("timeout_seconds"));
    assertEquals(payload, job.getJsonObject("trigger_payload"));
    assertEquals("active", job.getString("status"));
    assertEquals(0, job.getLong("run_count"));
    assertEquals("", job.getString("last_error"));
    assertNull(job.getValue("last_run_at"));
    assertEquals(Duration.ofSeconds(3600), between(job.getString("created_at"), job.getString("next_run_at")),
        "the first run is one interval after creation");

    JsonObject defaults = createJob(daemon.adminKey, jobBody(workflowId, "defaults"));
    assertEquals("", defaults.getString("description"));
    assertNull(defaults.getValue("trigger_node_id"));
    assertNull(defaults.getValue("trigger_payload"));
    assertEquals(0, defaults.getLong("total_repeats"));
    assertEquals(3, defaults.getLong("max_retries"));
    assertEquals(600, defaults.getLong("timeout_seconds"));

    JsonObject list = daemon.get(S + "?workflow_id=" + workflowId).json();
    assertEquals(2, list.getLong("total"));
    List<String> names = list.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("name")).toList();
    assertEquals(List.of("defaults", "nightly"), names, "newest first");
    assertEquals(JOB_FIELDS, list.getJsonArray("items").getJsonObject(0).fieldNames());
    assertEquals(1, daemon.get(S + "?workflow_id=" + workflowId + "&limit=1&offset=1").json()
        .getJsonArray("items").size());
    assertEquals(job, daemon.get(S + job.getString("id") + "/").json());

    JsonObject patched = daemon.patch(S + job.getString("id") + "/", new JsonObject().put("name", "hourly")
        .put("interval_seconds", 7200).put("trigger_payload", null).put("workflow_id", 999999)).json();
    assertEquals("hourly", patched.getString("name"));
    assertEquals(7200, patched.getLong("interval_seconds"));
    assertNull(patched.getValue("trigger_payload"));
    assertEquals(workflowId, patched.getLong("workflow_id"), "workflow_id cannot be changed");
    assertEquals("d", patched.getString("description"), "fields not sent are kept");
    assertEquals(job.getString("next_run_at"), patched.getString("next_run_at"),
        "a new interval takes effect at the next run, as in Pipelit");
    assertTrue(OffsetDateTime.parse(patched.getString("updated_at"))
        .isAfter(OffsetDateTime.parse(job.getString("updated_at"))), "updated_at is stamped");

    assertEquals(204, daemon.delete(S + job.getString("id") + "/").status());
    Response gone = daemon.get(S + job.getString("id") + "/");
    assertEquals(404, gone.status());
    assertEquals("Scheduled job not found.", gone.detail());
    assertEquals(404, daemon.delete(S + job.getString("id") + "/").status());
  }

  @Test
  void statusFilterAndPauseResume() throws Exception {
    long workflowId = workflow(daemon.adminKey).getLong("id");
    JsonObject job = createJob(daemon.adminKey, jobBody(workflowId, "pausable"));
    String path = S + job.getString("id");

    JsonObject paused = daemon.post(path + "/pause/", null).json();
    assertEquals("paused", paused.getString("status"));
    assertNull(paused.getValue("next_run_at"), "a paused job has no next run");
    Response again = daemon.post(path + "/pause/", null);
    assertEquals(400, again.status());
    assertEquals("Cannot pause job with status 'paused'.", again.detail());
    assertEquals(1, daemon.get(S + "?status=paused&workflow_id=" + workflowId).json().getLong("total"));
    assertEquals(0, daemon.get(S + "?status=active&workflow_id=" + workflowId).json().getLong("total"));

    JsonObject resumed = daemon.post(path + "/resume/", null).json();
    assertEquals("active", resumed.getString("status"));
    assertEquals(Duration.ofSeconds(60), between(resumed.getString("updated_at"), resumed.getString("next_run_at")),
        "resuming schedules the next run one interval later");
    Response notPaused = daemon.post(path + "/resume/", null);
    assertEquals(400, notPaused.status());
    assertEquals("Cannot resume job with status 'active'.", notPaused.detail());
    assertEquals(404, daemon.post(S + "no-such-job/pause/", null).status());
    assertEquals(404, daemon.post(S + "no-such-job/resume/", null).status());
  }

  @Test
  void badInputIsA422AndChangesNothing() throws Exception {
    long workflowId = workflow(daemon.adminKey).getLong("id");
    long before = daemon.count("SELECT COUNT(*) FROM scheduled_jobs");
    JsonObject[] bad = {
        new JsonObject().put("workflow_id", workflowId).put("interval_seconds", 60),
        new JsonObject().put("name", "x").put("interval_seconds", 60),
        new JsonObject().put("name", "x").put("workflow_id", workflowId),
        jobBody(workflowId, "x").put("interval_seconds", 0),
        jobBody(workflowId, "x").put("interval_seconds", -5),
        jobBody(workflowId, "x").put("interval_seconds", 1.5),
        jobBody(workflowId, "x").put("interval_seconds", "60"),
        jobBody(workflowId, "x").put("total_repeats", -1),
        jobBody(workflowId, "x").put("max_retries", -1),
        jobBody(workflowId, "x").put("timeout_seconds", 0),
        jobBody(workflowId, "x").put("trigger_payload", "not an object"),
        jobBody(workflowId, "x").put("workflow_id", "one"),
        jobBody(workflowId, "").put("name", " "),
    };
    for (JsonObject body : bad) {
      Response r = daemon.post(S, body);
      assertEquals(422, r.status(), body + " -> " + r);
      assertTrue(r.json().containsKey("detail"), r.body());
    }
    Response notJson = daemon.send("POST", S, daemon.adminKey, "{not json");
    assertEquals(422, notJson.status());
    Response unknownWorkflow = daemon.post(S, jobBody(999_999, "x"));
    assertEquals(404, unknownWorkflow.status());
    assertEquals("Workflow not found.", unknownWorkflow.detail());
    assertEquals(before, daemon.count("SELECT COUNT(*) FROM scheduled_jobs"), "no bad request created a job");

    JsonObject job = createJob(daemon.adminKey, jobBody(workflowId, "kept"));
    String path = S + job.getString("id") + "/";
    for (JsonObject body : List.of(new JsonObject().put("name", (Object) null), new JsonObject().put("name", ""),
        new JsonObject().put("interval_seconds", 0), new JsonObject().put("description", (Object) null),
        new JsonObject().put("timeout_seconds", (Object) null), new JsonObject().put("trigger_payload", 3))) {
      Response r = daemon.patch(path, body);
      assertEquals(422, r.status(), body + " -> " + r);
    }
    assertEquals(job, daemon.get(path).json(), "no bad patch changed the job");
    assertEquals(422, daemon.get(S + "?status=exploded").status());
    assertEquals(422, daemon.get(S + "?workflow_id=abc").status());
    assertEquals(422, daemon.get(S + "?limit=0").status());
    assertEquals(422, daemon.post(S + "batch-delete/", new JsonObject()).status());
    assertEquals(422, daemon.post(S + "batch-delete/", new JsonObject().put("schedule_ids", "x")).status());
  }

  @Test
  void ownersSeeTheirOwnAdminsSeeAllOthersGet404() throws Exception {
    JsonObject alicesWorkflow = workflow(alice);
    long aliceWorkflowId = alicesWorkflow.getLong("id");
    JsonObject job = createJob(alice, jobBody(aliceWorkflowId, "alice-job"));
    String path = S + job.getString("id") + "/";

    Response foreignCreate = daemon.send("POST", S, bob, jobBody(aliceWorkflowId, "bob-job").encode());
    assertEquals(404, foreignCreate.status());
    assertEquals("Workflow not found.", foreignCreate.detail());
    String[][] calls = {{"GET", path, null}, {"PATCH", path, "{\"name\":\"stolen\"}"}, {"DELETE", path, null},
        {"POST", path + "pause/", null}, {"POST", path + "resume/", null}};
    for (String[] call : calls) {
      Response r = daemon.send(call[0], call[1], bob, call[2]);
      assertEquals(404, r.status(), call[0] + " " + call[1] + " " + r);
      assertEquals("Scheduled job not found.", r.detail());
    }
    JsonArray bobsItems = daemon.send("GET", S + "?limit=1000", bob, null).json().getJsonArray("items");
    assertTrue(bobsItems.stream().noneMatch(o -> job.getString("id").equals(((JsonObject) o).getString("id"))));
    assertEquals(1, daemon.send("GET", S + "?workflow_id=" + aliceWorkflowId, alice, null).json().getLong("total"));
    assertEquals(0, daemon.send("GET", S + "?workflow_id=" + aliceWorkflowId, bob, null).json().getLong("total"));

    // The admin sees and manages every user's jobs; the job keeps its creator.
    assertEquals(200, daemon.get(path).status());
    assertEquals(1, daemon.get(S + "?workflow_id=" + aliceWorkflowId).json().getLong("total"));
    JsonObject byAdmin = daemon.patch(path, new JsonObject().put("description", "by admin")).json();
    assertEquals("by admin", byAdmin.getString("description"));
    assertEquals(job.getLong("user_profile_id"), byAdmin.getLong("user_profile_id"));
    assertEquals(200, daemon.post(path + "pause/", null).status());
    assertEquals("paused", daemon.send("GET", path, alice, null).json().getString("status"));
    JsonObject adminsJobOnAlicesWorkflow = createJob(daemon.adminKey, jobBody(aliceWorkflowId, "admin-job"));
    assertEquals(200, daemon.send("GET", S + adminsJobOnAlicesWorkflow.getString("id") + "/", alice, null).status(),
        "jobs are scoped through the workflow's owner");
    assertEquals(204, daemon.send("DELETE", path, alice, null).status());
  }

  @Test
  void batchDeleteByANormalUserRemovesOnlyTheirOwnJobs() throws Exception {
    long aliceWorkflowId = workflow(alice).getLong("id");
    long bobWorkflowId = workflow(bob).getLong("id");
    String a = createJob(alice, jobBody(aliceWorkflowId, "a")).getString("id");
    String b = createJob(alice, jobBody(aliceWorkflowId, "b")).getString("id");
    String keep = createJob(alice, jobBody(aliceWorkflowId, "keep")).getString("id");
    String bobs = createJob(bob, jobBody(bobWorkflowId, "bobs")).getString("id");

    Response batch = daemon.send("POST", S + "batch-delete/", alice, new JsonObject()
        .put("schedule_ids", new JsonArray().add(a).add(b).add(bobs).add("no-such-job").add(a)).encode());
    assertEquals(204, batch.status(), batch.body());
    assertEquals("", batch.body());
    assertEquals(404, daemon.send("GET", S + a + "/", alice, null).status());
    assertEquals(404, daemon.send("GET", S + b + "/", alice, null).status());
    assertEquals(200, daemon.send("GET", S + keep + "/", alice, null).status(), "ids not listed stay");
    assertEquals(200, daemon.send("GET", S + bobs + "/", bob, null).status(), "another user's id is skipped");

    Response byAdmin = daemon.post(S + "batch-delete/", new JsonObject()
        .put("schedule_ids", new JsonArray().add(bobs).add(keep)));
    assertEquals(204, byAdmin.status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM scheduled_jobs WHERE id IN ('" + bobs + "', '" + keep + "')"));
    assertEquals(204, daemon.post(S + "batch-delete/", new JsonObject().put("schedule_ids", new JsonArray())).status());
  }

  @Test
  void deletingAWorkflowDeletesItsJobs() throws Exception {
    JsonObject wf = workflow(daemon.adminKey);
    String id = createJob(daemon.adminKey, jobBody(wf.getLong("id"), "doomed")).getString("id");
    assertEquals(204, daemon.delete("/api/v1/workflows/" + wf.getString("slug") + "/").status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM scheduled_jobs WHERE id = '" + id + "'"));
    assertEquals(404, daemon.get(S + id + "/").status());
  }

  @Test
  void scheduleChangesArePublishedOnTheWorkflowsEventAddress() throws Exception {
    JsonObject wf = workflow(daemon.adminKey);
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = daemon.vertx.eventBus().<JsonObject>consumer(
        EventAddresses.workflow(wf.getString("slug")), m -> events.add(m.body()));
    consumer.completion().await(10, TimeUnit.SECONDS);
    String id = createJob(daemon.adminKey, jobBody(wf.getLong("id"), "watched")).getString("id");
    daemon.post(S + id + "/pause/", null);
    daemon.delete(S + id + "/");
    long deadline = System.currentTimeMillis() + 10_000;
    while (events.size() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    consumer.unregister().await(10, TimeUnit.SECONDS);
    assertEquals(List.of("schedule_created", "schedule_updated", "schedule_deleted"),
        events.stream().map(e -> e.getString("type")).toList());
    assertEquals(JOB_FIELDS, events.get(0).getJsonObject("data").fieldNames());
    assertEquals("paused", events.get(1).getJsonObject("data").getString("status"));
    assertEquals(id, events.get(2).getJsonObject("data").getString("id"));
  }

  // ---- the engine's addresses (§6.6) ----

  private static JsonObject bus(String address, JsonObject request, Identity identity) {
    return (JsonObject) Daemon.await(daemon.vertx.eventBus().request(address, request,
        identity.toDeliveryOptions())).body();
  }

  private static Identity busAdmin() throws Exception {
    return new Identity(daemon.count("SELECT id FROM user_profiles WHERE username = 'admin'"), "admin");
  }

  private static JsonObject record(String id, String outcome) throws Exception {
    return bus(StoreAddresses.SCHEDULES_RECORD_RUN, new JsonObject().put("job_id", id)
        .put("body", new JsonObject().put("outcome", outcome).put("error", "boom")), busAdmin());
  }

  @Test
  void recordedRunsFollowPipelitsStateMachine() throws Exception {
    long workflowId = workflow(daemon.adminKey).getLong("id");
    JsonObject twice = createJob(daemon.adminKey, jobBody(workflowId, "twice").put("total_repeats", 2));
    String id = twice.getString("id");
    JsonObject first = record(id, "success");
    assertEquals(1, first.getLong("run_count"));
    assertEquals(1, first.getLong("current_repeat"));
    assertEquals("active", first.getString("status"));
    assertEquals(first.getString("updated_at"), first.getString("last_run_at"));
    assertEquals(Duration.ofSeconds(60), between(first.getString("updated_at"), first.getString("next_run_at")));
    JsonObject done = record(id, "success");
    assertEquals("done", done.getString("status"), "the last repeat finishes the job");
    assertNull(done.getValue("next_run_at"));
    ReplyException notActive = assertThrows(
        ReplyException.class, () -> record(id, "success"));
    assertEquals(ErrorCode.CONFLICT.value(), notActive.failureCode());

    String flaky = createJob(daemon.adminKey, jobBody(workflowId, "flaky").put("max_retries", 2)).getString("id");
    long[] delays = {60, 120};
    for (int retry = 1; retry <= 2; retry++) {
      JsonObject failed = record(flaky, "failure");
      assertEquals("active", failed.getString("status"));
      assertEquals(retry, failed.getLong("current_retry"));
      assertEquals(retry, failed.getLong("error_count"));
      assertEquals("boom", failed.getString("last_error"));
      assertEquals(Duration.ofSeconds(delays[retry - 1]),
          between(failed.getString("updated_at"), failed.getString("next_run_at")), "backoff of retry " + retry);
    }
    JsonObject recovered = record(flaky, "success");
    assertEquals(0, recovered.getLong("current_retry"), "a success resets the retries");
    assertEquals("", recovered.getString("last_error"));
    for (int i = 0; i < 2; i++) {
      record(flaky, "failure");
    }
    JsonObject dead = record(flaky, "failure");
    assertEquals("dead", dead.getString("status"), "retries beyond max_retries kill the job");
    assertNull(dead.getValue("next_run_at"));
    assertEquals(5, dead.getLong("error_count"));

    String busy = createJob(daemon.adminKey, jobBody(workflowId, "busy")).getString("id");
    JsonObject skipped = record(busy, "skipped");
    assertEquals(0, skipped.getLong("run_count"));
    assertEquals(Duration.ofSeconds(60), between(skipped.getString("updated_at"), skipped.getString("next_run_at")));
  }

  @Test
  void dueListsOnlyActiveJobsWhoseRunHasCome() throws Exception {
    long workflowId = workflow(daemon.adminKey).getLong("id");
    String overdue = createJob(daemon.adminKey, jobBody(workflowId, "overdue")).getString("id");
    String later = createJob(daemon.adminKey, jobBody(workflowId, "later")).getString("id");
    String pausedOverdue = createJob(daemon.adminKey, jobBody(workflowId, "paused")).getString("id");
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE scheduled_jobs SET next_run_at = '2020-01-01 00:00:00' WHERE id IN ('" + overdue
          + "', '" + pausedOverdue + "')");
      s.executeUpdate("UPDATE scheduled_jobs SET status = 'paused' WHERE id = '" + pausedOverdue + "'");
    }
    JsonArray due = bus(StoreAddresses.SCHEDULES_DUE, new JsonObject().put("limit", 1000),
        busAdmin()).getJsonArray("items");
    List<String> ids = due.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(ids.contains(overdue), ids.toString());
    assertTrue(!ids.contains(later) && !ids.contains(pausedOverdue), ids.toString());
    assertEquals(JOB_FIELDS, due.getJsonObject(ids.indexOf(overdue)).fieldNames());
  }

  // ---- schedule actions on nodes (§3.5) ----

  private static String nodes(String slug) {
    return "/api/v1/workflows/" + slug + "/nodes/";
  }

  private static JsonObject scheduleNode(String key, String slug, String nodeId, JsonObject extraConfig)
      throws Exception {
    Response created = daemon.send("POST", nodes(slug), key, new JsonObject().put("node_id", nodeId)
        .put("component_type", "trigger_schedule")
        .put("config", new JsonObject().put("extra_config", extraConfig)).encode());
    assertEquals(201, created.status(), created.body());
    return created.json();
  }

  private static Response action(String key, String slug, String nodeId, String verb) throws Exception {
    return daemon.send("POST", nodes(slug) + nodeId + "/schedule/" + verb + "/", key, null);
  }

  @Test
  void nodeScheduleStartPauseStop() throws Exception {
    String slug = workflow(alice).getString("slug");
    JsonObject payload = new JsonObject().put("text", "every minute");
    JsonObject node = scheduleNode(alice, slug, "clock", new JsonObject().put("interval_seconds", 60)
        .put("total_repeats", 2).put("trigger_payload", payload));
    assertNull(node.getValue("schedule_job"), "no job before start");

    Response started = action(alice, slug, "clock", "start");
    assertEquals(200, started.status(), started.body());
    JsonObject info = started.json().getJsonObject("schedule_job");
    assertEquals(INFO_FIELDS, info.fieldNames(), "ScheduleJobInfo");
    assertEquals("active", info.getString("status"));
    assertEquals(60, info.getLong("interval_seconds"));
    assertEquals(2, info.getLong("total_repeats"));
    assertEquals(3, info.getLong("max_retries"));
    assertEquals(600, info.getLong("timeout_seconds"));
    assertEquals(Duration.ofSeconds(60), between(info.getString("created_at"), info.getString("next_run_at")));
    assertEquals(true, started.json().getJsonObject("config").getBoolean("is_active"));

    JsonObject job = daemon.send("GET", S + info.getString("id") + "/", alice, null).json();
    assertEquals("schedule:clock", job.getString("name"));
    assertEquals("clock", job.getString("trigger_node_id"));
    assertEquals(payload, job.getJsonObject("trigger_payload"));
    JsonObject listed = daemon.send("GET", nodes(slug), alice, null).array().getJsonObject(0);
    assertEquals(info, listed.getJsonObject("schedule_job"), "the node list shows the job too");
    JsonObject detail = daemon.send("GET", "/api/v1/workflows/" + slug + "/", alice, null).json();
    assertEquals(info.getString("id"),
        detail.getJsonArray("nodes").getJsonObject(0).getJsonObject("schedule_job").getString("id"));

    JsonObject paused = action(alice, slug, "clock", "pause").json();
    assertEquals("paused", paused.getJsonObject("schedule_job").getString("status"));
    assertNull(paused.getJsonObject("schedule_job").getValue("next_run_at"));
    assertEquals(false, paused.getJsonObject("config").getBoolean("is_active"));
    Response pausedAgain = action(alice, slug, "clock", "pause");
    assertEquals(400, pausedAgain.status());
    assertEquals("Cannot pause job with status 'paused'.", pausedAgain.detail());

    // A paused job takes the node's current parameters and resumes; it stays the same job.
    daemon.send("PATCH", nodes(slug) + "clock/", alice, new JsonObject().put("config", new JsonObject()
        .put("extra_config", new JsonObject().put("interval_seconds", 120))).encode());
    JsonObject resumed = action(alice, slug, "clock", "start").json().getJsonObject("schedule_job");
    assertEquals(info.getString("id"), resumed.getString("id"));
    assertEquals("active", resumed.getString("status"));
    assertEquals(120, resumed.getLong("interval_seconds"));
    assertNotNull(resumed.getString("next_run_at"));
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM scheduled_jobs WHERE trigger_node_id = 'clock'"
        + " AND workflow_id = (SELECT id FROM workflows WHERE slug = '" + slug + "')"));

    JsonObject stopped = action(alice, slug, "clock", "stop").json();
    assertNull(stopped.getValue("schedule_job"));
    assertEquals(false, stopped.getJsonObject("config").getBoolean("is_active"));
    assertEquals(404, daemon.send("GET", S + info.getString("id") + "/", alice, null).status(), "stop deletes the job");
    for (String verb : List.of("stop", "pause")) {
      Response none = action(alice, slug, "clock", verb);
      assertEquals(404, none.status(), verb);
      assertEquals("No scheduled job found for this node.", none.detail());
    }
  }

  @Test
  void aFinishedNodeJobRestartsWithItsCountersReset() throws Exception {
    String slug = workflow(daemon.adminKey).getString("slug");
    scheduleNode(daemon.adminKey, slug, "ticker", new JsonObject().put("interval_seconds", 30));
    String id = action(daemon.adminKey, slug, "ticker", "start").json().getJsonObject("schedule_job").getString("id");
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE scheduled_jobs SET status = 'dead', next_run_at = NULL, current_repeat = 4,"
          + " current_retry = 3, run_count = 4, error_count = 4, last_error = 'boom' WHERE id = '" + id + "'");
    }
    JsonObject restarted = action(daemon.adminKey, slug, "ticker", "start").json().getJsonObject("schedule_job");
    assertEquals(id, restarted.getString("id"));
    assertEquals("active", restarted.getString("status"));
    assertEquals(0, restarted.getLong("current_repeat"));
    assertEquals(0, restarted.getLong("current_retry"));
    assertEquals(0, restarted.getLong("error_count"));
    assertEquals("", restarted.getString("last_error"));
    assertNotNull(restarted.getString("next_run_at"));
    Response pauseDead = daemon.post(S + id + "/pause/", null);
    assertEquals(200, pauseDead.status(), "active again, so it can be paused");
  }

  @Test
  void nodeScheduleActionsRefuseBadNodesAndOtherUsers() throws Exception {
    String slug = workflow(alice).getString("slug");
    scheduleNode(alice, slug, "bad-interval", new JsonObject().put("interval_seconds", 0));
    Response badInterval = action(alice, slug, "bad-interval", "start");
    assertEquals(422, badInterval.status());
    assertEquals("interval_seconds must be >= 1", badInterval.detail());
    scheduleNode(alice, slug, "bad-payload", new JsonObject().put("interval_seconds", 10).put("trigger_payload", 7));
    assertEquals(422, action(alice, slug, "bad-payload", "start").status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM scheduled_jobs WHERE workflow_id = (SELECT id FROM workflows"
        + " WHERE slug = '" + slug + "')"), "a refused start creates no job");

    daemon.send("POST", nodes(slug), alice, new JsonObject().put("node_id", "agent")
        .put("component_type", "agent").encode());
    Response notSchedule = action(alice, slug, "agent", "start");
    assertEquals(400, notSchedule.status());
    assertEquals("Node is not a trigger_schedule.", notSchedule.detail());
    Response missingNode = action(alice, slug, "ghost", "start");
    assertEquals(404, missingNode.status());
    assertEquals("Node not found.", missingNode.detail());

    scheduleNode(alice, slug, "mine", new JsonObject().put("interval_seconds", 10));
    for (String verb : List.of("start", "pause", "stop")) {
      Response foreign = action(bob, slug, "mine", verb);
      assertEquals(404, foreign.status(), verb);
      assertEquals("Workflow not found.", foreign.detail());
    }
    assertEquals(200, action(daemon.adminKey, slug, "mine", "start").status(), "admins act on any workflow");
  }

  @Test
  void renamingOrDeletingAScheduleNodeCarriesItsJob() throws Exception {
    String slug = workflow(daemon.adminKey).getString("slug");
    scheduleNode(daemon.adminKey, slug, "old-name", new JsonObject().put("interval_seconds", 10));
    String id = action(daemon.adminKey, slug, "old-name", "start").json().getJsonObject("schedule_job").getString("id");

    JsonObject renamed = daemon.patch(nodes(slug) + "old-name/", new JsonObject().put("node_id", "new-name")).json();
    assertEquals(id, renamed.getJsonObject("schedule_job").getString("id"), "the job follows the rename");
    JsonObject job = daemon.get(S + id + "/").json();
    assertEquals("new-name", job.getString("trigger_node_id"));
    assertEquals("schedule:new-name", job.getString("name"));

    assertEquals(204, daemon.delete(nodes(slug) + "new-name/").status());
    assertEquals(404, daemon.get(S + id + "/").status(), "deleting the node deletes its job");
  }
}
