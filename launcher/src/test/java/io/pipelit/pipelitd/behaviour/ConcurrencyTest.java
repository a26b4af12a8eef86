package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 200 concurrent HTTP clients × 50 writes each (creates, updates, log appends, deletes) on one SQLite
 * file: zero errors, every acknowledged write present when read back through a second connection, and
 * an intact database. "database is locked" must never reach a client.
 */
class ConcurrencyTest extends BackendSuite {
  private static final int CLIENTS = 200;
  private static final int WRITES_PER_CLIENT = 50;


  /** What one client was told had been committed. */
  private record Acknowledged(String slug, String description, String executionId, String status,
      List<Long> logIds, Set<String> liveNodes, int writes) {}

  @Test
  void twoHundredClientsFiftyWritesEachZeroErrorsNothingLost() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Acknowledged>> results = new ArrayList<>();
    Set<String> errors = ConcurrentHashMap.newKeySet();
    for (int client = 0; client < CLIENTS; client++) {
      int id = client;
      results.add(clients.submit(() -> runClient(id, errors)));
    }
    List<Acknowledged> acknowledged = new ArrayList<>();
    for (Future<Acknowledged> result : results) {
      acknowledged.add(result.get(5, TimeUnit.MINUTES));
    }
    clients.shutdown();
    assertTrue(errors.isEmpty(), "errors: " + errors.stream().limit(5).toList());
    assertEquals(CLIENTS * WRITES_PER_CLIENT, acknowledged.stream().mapToInt(Acknowledged::writes).sum());

    try (Connection c = daemon.connect()) {
      for (Acknowledged ack : acknowledged) {
        try (PreparedStatement s = c.prepareStatement("SELECT description, id FROM workflows WHERE slug = ?")) {
          s.setString(1, ack.slug());
          try (ResultSet rows = s.executeQuery()) {
            assertTrue(rows.next(), "workflow " + ack.slug() + " missing");
            assertEquals(ack.description(), rows.getString(1), "last acknowledged update of " + ack.slug());
            long workflowId = rows.getLong(2);
            try (PreparedStatement nodes = c.prepareStatement("SELECT node_id FROM workflow_nodes WHERE workflow_id = ?")) {
              nodes.setLong(1, workflowId);
              Set<String> found = new java.util.HashSet<>();
              try (ResultSet nodeRows = nodes.executeQuery()) {
                while (nodeRows.next()) {
                  found.add(nodeRows.getString(1));
                }
              }
              assertEquals(ack.liveNodes(), found, "nodes of " + ack.slug());
            }
          }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT status FROM workflow_executions WHERE execution_id = ?")) {
          s.setString(1, ack.executionId());
          try (ResultSet rows = s.executeQuery()) {
            assertTrue(rows.next());
            assertEquals(ack.status(), rows.getString(1));
          }
        }
        try (PreparedStatement s = c.prepareStatement(
            "SELECT COUNT(*) FROM execution_logs WHERE execution_id = ? AND id = ?")) {
          for (long logId : ack.logIds()) {
            s.setString(1, ack.executionId());
            s.setLong(2, logId);
            try (ResultSet rows = s.executeQuery()) {
              rows.next();
              assertEquals(1, rows.getLong(1), "log " + logId + " lost");
            }
          }
        }
      }
      assertIntact(c);
    }
  }

  /** SQLite: integrity and foreign-key checks. PostgreSQL checks both itself; look for orphans anyway. */
  private static void assertIntact(Connection c) throws Exception {
    List<String> checks = daemon.backend == Backend.SQLITE
        ? List.of("PRAGMA integrity_check")
        : List.of("SELECT CASE WHEN COUNT(*) = 0 THEN 'ok' ELSE 'orphan logs' END FROM execution_logs l"
            + " WHERE NOT EXISTS (SELECT 1 FROM workflow_executions e WHERE e.execution_id = l.execution_id)");
    for (String check : checks) {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(check)) {
        rows.next();
        assertEquals("ok", rows.getString(1), check);
      }
    }
    if (daemon.backend == Backend.SQLITE) {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("PRAGMA foreign_key_check")) {
        assertTrue(!rows.next(), "foreign key violations");
      }
    }
  }

  /**
   * One client's 50 writes: create a workflow and an execution, then a mix of log appends, node creates
   * and deletes, workflow updates and execution status changes.
   */
  private Acknowledged runClient(int client, Set<String> errors) throws Exception {
    String slug = "load-" + client;
    int writes = 0;
    expect(errors, 201, daemon.post("/api/v1/workflows/", new JsonObject().put("name", slug).put("slug", slug)));
    writes++;
    Response execution = daemon.post("/api/v1/executions/", new JsonObject().put("workflow_slug", slug));
    expect(errors, 201, execution);
    writes++;
    String executionId = execution.json().getString("execution_id");
    String status = "pending";
    String description = "";
    List<Long> logIds = new ArrayList<>();
    Set<String> liveNodes = new java.util.HashSet<>();
    int nodeSequence = 0;
    while (writes < WRITES_PER_CLIENT) {
      int step = writes % 8;
      Response response;
      if (step == 2 && "pending".equals(status)) {
        response = daemon.patch("/api/v1/executions/" + executionId + "/", new JsonObject().put("status", "running"));
        if (expect(errors, 200, response)) {
          status = "running";
        }
      } else if (step == 3) {
        String nodeId = "n" + nodeSequence++;
        response = daemon.post("/api/v1/workflows/" + slug + "/nodes/",
            new JsonObject().put("node_id", nodeId).put("component_type", "agent"));
        if (expect(errors, 201, response)) {
          liveNodes.add(nodeId);
        }
      } else if (step == 5 && !liveNodes.isEmpty()) {
        String victim = liveNodes.iterator().next();
        response = daemon.delete("/api/v1/workflows/" + slug + "/nodes/" + victim + "/");
        if (expect(errors, 204, response)) {
          liveNodes.remove(victim);
        }
      } else if (step == 6) {
        String next = "update " + writes;
        response = daemon.patch("/api/v1/workflows/" + slug + "/", new JsonObject().put("description", next));
        if (expect(errors, 200, response)) {
          description = next;
        }
      } else {
        response = daemon.post("/api/v1/executions/" + executionId + "/logs/",
            new JsonObject().put("node_id", "n").put("status", "completed").put("output", new JsonObject().put("i", writes)));
        if (expect(errors, 201, response)) {
          logIds.add(response.json().getLong("id"));
        }
      }
      writes++;
    }
    return new Acknowledged(slug, description, executionId, status, logIds, liveNodes, writes);
  }

  private static boolean expect(Set<String> errors, int status, Response response) {
    if (response.status() != status) {
      errors.add(response.toString());
      return false;
    }
    return true;
  }
}
