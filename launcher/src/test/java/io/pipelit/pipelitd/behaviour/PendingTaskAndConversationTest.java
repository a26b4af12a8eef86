package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/**
 * The engine's event-bus addresses for pending tasks (Pipelit §1.6) and conversations (§1.10), which
 * have no REST routes in Pipelit: shapes, validation, ownership and the delete semantics of §1.15.
 */
class PendingTaskAndConversationTest extends BackendSuite {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Set<String> TASK_FIELDS = Set.of("task_id", "execution_id", "user_profile_id", "chat_id",
      "credential_id", "node_id", "prompt", "created_at", "expires_at");
  private static final Set<String> CONVERSATION_FIELDS = Set.of("id", "user_profile_id", "thread_id", "workflow_id",
      "execution_id", "metadata", "created_at", "updated_at");

  static String carolKey;
  static Identity carol;
  static Identity admin;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void users() throws Exception {
    carolKey = daemon.createNormalUser("tasks-carol");
    carol = new Identity(daemon.count("SELECT id FROM user_profiles WHERE username = 'tasks-carol'"), Identity.NORMAL);
    admin = new Identity(daemon.count("SELECT id FROM user_profiles WHERE username = 'admin'"), Identity.ADMIN);
  }

  private static JsonObject request(String address, JsonObject body, Identity identity) {
    return (JsonObject) Daemon.await(daemon.vertx.eventBus().request(address, body, identity == null
        ? new io.vertx.core.eventbus.DeliveryOptions() : identity.toDeliveryOptions())).body();
  }

  private static ReplyException failure(String address, JsonObject body, Identity identity) {
    try {
      request(address, body, identity);
    } catch (RuntimeException e) {
      return assertInstanceOf(ReplyException.class, e);
    }
    throw new AssertionError("expected a failure from " + address + " for " + body);
  }

  private static void assertFails(ErrorCode code, String address, JsonObject body, Identity identity) {
    ReplyException failure = failure(address, body, identity);
    assertEquals(code.value(), failure.failureCode(), address + " " + body + ": " + failure.getMessage());
  }

  /** A workflow of the key's user; returns WorkflowOut. */
  private static JsonObject workflow(String key) throws Exception {
    String slug = "talk-" + SEQUENCE.incrementAndGet();
    Response created = daemon.send("POST", "/api/v1/workflows/", key,
        new JsonObject().put("name", slug).put("slug", slug).encode());
    assertEquals(201, created.status(), created.body());
    return created.json();
  }

  private static String execution(String key, String slug) throws Exception {
    Response created = daemon.send("POST", "/api/v1/executions/", key,
        new JsonObject().put("workflow_slug", slug).encode());
    assertEquals(201, created.status(), created.body());
    return created.json().getString("execution_id");
  }

  private static JsonObject body(JsonObject fields) {
    return new JsonObject().put("body", fields);
  }

  private static Duration between(String from, String to) {
    return Duration.between(OffsetDateTime.parse(from), OffsetDateTime.parse(to));
  }

  // ---- pending tasks ----

  @Test
  void pendingTaskLifecycle() throws Exception {
    String slug = workflow(carolKey).getString("slug");
    String executionId = execution(carolKey, slug);
    JsonObject task = request(StoreAddresses.PENDING_TASKS_CREATE, body(new JsonObject()
        .put("execution_id", executionId).put("node_id", "confirm_1").put("prompt", "Ship it?")
        .put("chat_id", "12345")), carol);
    assertEquals(TASK_FIELDS, task.fieldNames());
    assertTrue(task.getString("task_id").matches("[0-9a-f]{8}"), task.encode());
    assertEquals(executionId, task.getString("execution_id"));
    assertEquals(carol.userId(), task.getLong("user_profile_id"));
    assertEquals("12345", task.getString("chat_id"));
    assertNull(task.getValue("credential_id"));
    assertEquals("Ship it?", task.getString("prompt"));
    assertEquals(Duration.ofSeconds(300), between(task.getString("created_at"), task.getString("expires_at")),
        "the default confirmation timeout is 300 s");

    JsonObject shortTask = request(StoreAddresses.PENDING_TASKS_CREATE, body(new JsonObject()
        .put("execution_id", executionId).put("node_id", "confirm_2").put("prompt", "")
        .put("timeout_seconds", 60)), carol);
    assertEquals(Duration.ofSeconds(60), between(shortTask.getString("created_at"), shortTask.getString("expires_at")));
    JsonObject fixed = request(StoreAddresses.PENDING_TASKS_CREATE, body(new JsonObject()
        .put("execution_id", executionId).put("node_id", "confirm_3").put("prompt", "p")
        .put("expires_at", "2030-01-01T00:00:00Z")), admin);
    assertEquals("2030-01-01T00:00:00.000000+00:00", fixed.getString("expires_at"));
    assertEquals(carol.userId(), fixed.getLong("user_profile_id"), "the task's user is the execution's user");

    assertEquals(task, request(StoreAddresses.PENDING_TASKS_GET, new JsonObject().put("task_id",
        task.getString("task_id")), carol));
    JsonObject list = request(StoreAddresses.PENDING_TASKS_LIST, new JsonObject().put("execution_id", executionId), carol);
    assertEquals(3, list.getLong("total"));
    assertEquals(3, list.getJsonArray("items").size());

    assertEquals(new JsonObject(), request(StoreAddresses.PENDING_TASKS_DELETE,
        new JsonObject().put("task_id", task.getString("task_id")), carol));
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_GET,
        new JsonObject().put("task_id", task.getString("task_id")), carol);
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_DELETE,
        new JsonObject().put("task_id", task.getString("task_id")), carol);
    assertEquals(2, request(StoreAddresses.PENDING_TASKS_LIST, new JsonObject().put("execution_id", executionId),
        carol).getLong("total"));
  }

  @Test
  void pendingTasksRefuseBadInputAndOtherUsers() throws Exception {
    String adminSlug = workflow(daemon.adminKey).getString("slug");
    String adminsExecution = execution(daemon.adminKey, adminSlug);
    long before = daemon.count("SELECT COUNT(*) FROM pending_tasks");
    JsonObject valid = new JsonObject().put("execution_id", adminsExecution).put("node_id", "n").put("prompt", "p");
    for (JsonObject bad : new JsonObject[] {
        valid.copy().putNull("execution_id"), valid.copy().putNull("node_id"), valid.copy().putNull("prompt"),
        valid.copy().put("prompt", 5), valid.copy().put("timeout_seconds", 0),
        valid.copy().put("expires_at", "tomorrow"),
        valid.copy().put("expires_at", "2030-01-01T00:00:00Z").put("timeout_seconds", 5)}) {
      assertFails(ErrorCode.VALIDATION_FAILED, StoreAddresses.PENDING_TASKS_CREATE, body(bad), admin);
    }
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_CREATE,
        body(valid.copy().put("execution_id", "no-such-execution")), admin);
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_CREATE, body(valid), carol);
    assertEquals(before, daemon.count("SELECT COUNT(*) FROM pending_tasks"), "nothing was created");

    String adminsTask = request(StoreAddresses.PENDING_TASKS_CREATE, body(valid), admin).getString("task_id");
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_GET, new JsonObject().put("task_id", adminsTask), carol);
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_DELETE,
        new JsonObject().put("task_id", adminsTask), carol);
    assertEquals(0, request(StoreAddresses.PENDING_TASKS_LIST, new JsonObject().put("execution_id", adminsExecution),
        carol).getLong("total"));
    assertEquals(1, request(StoreAddresses.PENDING_TASKS_LIST, new JsonObject().put("execution_id", adminsExecution),
        admin).getLong("total"));
    assertFails(ErrorCode.UNAUTHENTICATED, StoreAddresses.PENDING_TASKS_LIST, new JsonObject(), null);
  }

  @Test
  void deletingAnExecutionDeletesItsTasksAndDetachesItsConversations() throws Exception {
    JsonObject wf = workflow(daemon.adminKey);
    String executionId = execution(daemon.adminKey, wf.getString("slug"));
    String taskId = request(StoreAddresses.PENDING_TASKS_CREATE, body(new JsonObject()
        .put("execution_id", executionId).put("node_id", "n").put("prompt", "p")), admin).getString("task_id");
    long conversationId = request(StoreAddresses.CONVERSATIONS_CREATE, body(new JsonObject()
        .put("workflow_id", wf.getLong("id")).put("thread_id", "t").put("execution_id", executionId)), admin)
        .getLong("id");

    Response deleted = daemon.post("/api/v1/executions/batch-delete/",
        new JsonObject().put("execution_ids", new JsonArray().add(executionId)));
    assertEquals(204, deleted.status(), deleted.body());
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.PENDING_TASKS_GET, new JsonObject().put("task_id", taskId), admin);
    JsonObject conversation = request(StoreAddresses.CONVERSATIONS_GET,
        new JsonObject().put("conversation_id", conversationId), admin);
    assertNull(conversation.getValue("execution_id"), "ON DELETE SET NULL");

    assertEquals(204, daemon.delete("/api/v1/workflows/" + wf.getString("slug") + "/").status());
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_GET,
        new JsonObject().put("conversation_id", conversationId), admin);
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM conversations WHERE id = " + conversationId));
  }

  @Test
  void deletingAUserDeletesTheirSchedulesTasksAndConversations() throws Exception {
    // The API never hard-deletes a user (§1.15); the keys must still hold when a database is cleaned by hand.
    String key = daemon.createNormalUser("tasks-doomed");
    long userId = daemon.count("SELECT id FROM user_profiles WHERE username = 'tasks-doomed'");
    Identity doomed = new Identity(userId, Identity.NORMAL);
    JsonObject wf = workflow(key);
    String executionId = execution(key, wf.getString("slug"));
    Response job = daemon.send("POST", "/api/v1/schedules/", key, new JsonObject().put("name", "j")
        .put("workflow_id", wf.getLong("id")).put("interval_seconds", 60).encode());
    assertEquals(201, job.status(), job.body());
    request(StoreAddresses.PENDING_TASKS_CREATE, body(new JsonObject().put("execution_id", executionId)
        .put("node_id", "n").put("prompt", "p")), doomed);
    request(StoreAddresses.CONVERSATIONS_CREATE, body(new JsonObject().put("workflow_id", wf.getLong("id"))
        .put("thread_id", "t")), doomed);

    for (String table : new String[] {"scheduled_jobs", "pending_tasks", "conversations"}) {
      assertEquals(1, daemon.count("SELECT COUNT(*) FROM " + table + " WHERE user_profile_id = " + userId), table);
    }
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      if (daemon.backend == Backend.SQLITE) {
        s.execute("PRAGMA foreign_keys = ON"); // per connection, as the daemon's own connections have it
      }
      s.executeUpdate("DELETE FROM user_profiles WHERE id = " + userId);
    }
    for (String table : new String[] {"scheduled_jobs", "pending_tasks", "conversations"}) {
      assertEquals(0, daemon.count("SELECT COUNT(*) FROM " + table + " WHERE user_profile_id = " + userId), table);
    }
  }

  // ---- conversations ----

  @Test
  void conversationLifecycle() throws Exception {
    JsonObject wf = workflow(carolKey);
    long workflowId = wf.getLong("id");
    String executionId = execution(carolKey, wf.getString("slug"));
    String thread = carol.userId() + ":" + workflowId;
    JsonObject created = request(StoreAddresses.CONVERSATIONS_CREATE, body(new JsonObject()
        .put("workflow_id", workflowId).put("thread_id", thread)), carol);
    assertEquals(CONVERSATION_FIELDS, created.fieldNames());
    assertEquals(carol.userId(), created.getLong("user_profile_id"));
    assertEquals(thread, created.getString("thread_id"));
    assertEquals(workflowId, created.getLong("workflow_id"));
    assertNull(created.getValue("execution_id"));
    assertEquals(new JsonObject(), created.getJsonObject("metadata"));
    long id = created.getLong("id");

    JsonObject second = request(StoreAddresses.CONVERSATIONS_CREATE, body(new JsonObject()
        .put("workflow_id", workflowId).put("thread_id", "other").put("metadata", new JsonObject().put("k", 1))), carol);
    JsonObject byWorkflow = request(StoreAddresses.CONVERSATIONS_LIST, new JsonObject().put("workflow_id", workflowId),
        carol);
    assertEquals(2, byWorkflow.getLong("total"));
    assertEquals(second.getLong("id"), byWorkflow.getJsonArray("items").getJsonObject(0).getLong("id"), "newest first");
    JsonObject byThread = request(StoreAddresses.CONVERSATIONS_LIST, new JsonObject().put("thread_id", thread), carol);
    assertEquals(1, byThread.getLong("total"));

    JsonObject updated = request(StoreAddresses.CONVERSATIONS_UPDATE, new JsonObject().put("conversation_id", id)
        .put("body", new JsonObject().put("execution_id", executionId).put("metadata", new JsonObject().put("turns", 3))),
        carol);
    assertEquals(executionId, updated.getString("execution_id"));
    assertEquals(new JsonObject().put("turns", 3), updated.getJsonObject("metadata"));
    assertEquals(thread, updated.getString("thread_id"));
    assertTrue(OffsetDateTime.parse(updated.getString("updated_at"))
        .isAfter(OffsetDateTime.parse(created.getString("updated_at"))));
    assertEquals(updated, request(StoreAddresses.CONVERSATIONS_GET, new JsonObject().put("conversation_id", id), carol));
    JsonObject detached = request(StoreAddresses.CONVERSATIONS_UPDATE, new JsonObject().put("conversation_id", id)
        .put("body", new JsonObject().putNull("execution_id")), carol);
    assertNull(detached.getValue("execution_id"));
    assertEquals(new JsonObject().put("turns", 3), detached.getJsonObject("metadata"), "fields not sent are kept");

    assertEquals(new JsonObject(), request(StoreAddresses.CONVERSATIONS_DELETE,
        new JsonObject().put("conversation_id", id), carol));
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_GET, new JsonObject().put("conversation_id", id), carol);
  }

  @Test
  void conversationsRefuseBadInputAndOtherUsers() throws Exception {
    JsonObject adminsWorkflow = workflow(daemon.adminKey);
    long workflowId = adminsWorkflow.getLong("id");
    JsonObject carolsWorkflow = workflow(carolKey);
    String carolsExecution = execution(carolKey, carolsWorkflow.getString("slug"));
    long before = daemon.count("SELECT COUNT(*) FROM conversations");
    JsonObject valid = new JsonObject().put("workflow_id", workflowId).put("thread_id", "t");
    for (JsonObject bad : new JsonObject[] {
        valid.copy().putNull("workflow_id"), valid.copy().put("workflow_id", "one"), valid.copy().putNull("thread_id"),
        valid.copy().put("thread_id", ""), valid.copy().put("metadata", "text"),
        valid.copy().put("execution_id", "no-such-execution"),
        valid.copy().put("execution_id", carolsExecution)}) { // another workflow's execution
      assertFails(ErrorCode.VALIDATION_FAILED, StoreAddresses.CONVERSATIONS_CREATE, body(bad), admin);
    }
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_CREATE, body(valid), carol);
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_CREATE,
        body(valid.copy().put("workflow_id", 999_999)), admin);
    assertEquals(before, daemon.count("SELECT COUNT(*) FROM conversations"), "nothing was created");

    JsonObject adminsConversation = request(StoreAddresses.CONVERSATIONS_CREATE, body(valid), admin);
    JsonObject ref = new JsonObject().put("conversation_id", adminsConversation.getLong("id"));
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_GET, ref, carol);
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_UPDATE,
        ref.copy().put("body", new JsonObject().put("metadata", new JsonObject())), carol);
    assertFails(ErrorCode.NOT_FOUND, StoreAddresses.CONVERSATIONS_DELETE, ref, carol);
    assertEquals(0, request(StoreAddresses.CONVERSATIONS_LIST, new JsonObject().put("workflow_id", workflowId), carol)
        .getLong("total"));
    assertFails(ErrorCode.VALIDATION_FAILED, StoreAddresses.CONVERSATIONS_UPDATE,
        ref.copy().put("body", new JsonObject().putNull("metadata")), admin);
    assertFails(ErrorCode.VALIDATION_FAILED, StoreAddresses.CONVERSATIONS_GET, new JsonObject(), admin);
    assertEquals(adminsConversation, request(StoreAddresses.CONVERSATIONS_GET, ref, admin), "unchanged");

    // Admins see every user's conversations.
    JsonObject carols = request(StoreAddresses.CONVERSATIONS_CREATE, body(new JsonObject()
        .put("workflow_id", carolsWorkflow.getLong("id")).put("thread_id", "c")), carol);
    assertEquals(carols, request(StoreAddresses.CONVERSATIONS_GET,
        new JsonObject().put("conversation_id", carols.getLong("id")), admin));
  }
}
