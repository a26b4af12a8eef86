package io.pipelit.pipelitd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two pipelitd processes ({@code run --cluster}) on one embedded PostgreSQL, clustered over loopback:
 * a write through one node is read through the other, a change event crosses nodes to a bridge
 * follower, the scheduled job (checkpoint pruning every second) runs on exactly one node per tick, and
 * after {@code kill -9} of that node the survivor keeps serving and takes the job over. SQLite is refused.
 */
class ClusterIT extends ProcessTestBase {
  private final List<Process> nodes = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    for (Process node : nodes) {
      node.destroyForcibly();
      node.waitFor(30, TimeUnit.SECONDS);
    }
  }

  record Node(Process process, String base, int bridgePort, Path log) {}

  @Test
  void sqliteIsRefusedInClusterMode() throws Exception {
    Result refused = run(Map.of(), null, "run", "--cluster", "--http-port", "0");
    assertEquals(2, refused.exit(), refused.stderr());
    assertTrue(refused.stderr().contains("DATABASE_URL must be a postgresql:// URL in cluster mode"), refused.stderr());
  }

  @Test
  void twoNodesServeTheSameDataAndRunTheScheduledJobOnce() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      try (Connection admin = postgres.getPostgresDatabase().getConnection();
           Statement statement = admin.createStatement()) {
        statement.execute("CREATE ROLE pipelit LOGIN PASSWORD 'secret'");
        statement.execute("CREATE DATABASE pipelit OWNER pipelit");
      }
      String url = "postgresql://pipelit:secret@localhost:" + postgres.getPort() + "/pipelit";
      Result setup = run(Map.of("DATABASE_URL", url, "CHECKPOINTS_DATABASE_URL", url), "a long enough password\n",
          "setup", "--username", "admin", "--password-stdin");
      assertEquals(0, setup.exit(), setup.stderr());
      String[] lines = setup.stdout().strip().split("\n");
      String key = lines[lines.length - 1].strip();

      int clusterA = freePort();
      int clusterB = freePort();
      String members = "127.0.0.1:" + clusterA + ",127.0.0.1:" + clusterB;
      Node a = start("a", url, clusterA, members);
      Node b = start("b", url, clusterB, members);
      awaitLog(b, "(2 nodes)", 120);
      awaitLog(a, "(2 nodes)", 120);

      // A write through one node, read through the other.
      assertEquals(201, call("POST", a.base() + "/api/v1/workflows/", key,
          "{\"name\":\"Shared\",\"slug\":\"shared\"}").statusCode());
      assertEquals("Shared", new JsonObject(call("GET", b.base() + "/api/v1/workflows/shared/", key, null).body())
          .getString("name"));

      // Exactly one node leads the scheduled jobs; the follower sits on the other one.
      awaitEither(a, b, "now runs the cluster's scheduled jobs", 60);
      Node leader = read(a.log()).contains("now runs the cluster's scheduled jobs") ? a : b;
      Node other = leader == a ? b : a;
      assertTrue(!read(other.log()).contains("now runs the cluster's scheduled jobs"), "two leaders");

      Follower follower = new Follower(other.bridgePort(), key);
      follower.register("pipelit.events.workflow.shared");
      follower.register("pipelit.events.checkpoints");

      // An event crosses nodes: written through the leader, followed on the other node.
      assertEquals(201, call("POST", leader.base() + "/api/v1/workflows/shared/nodes/", key,
          "{\"node_id\":\"n1\",\"component_type\":\"code\"}").statusCode());
      JsonObject created = follower.next("node_created", 30);
      assertEquals("n1", created.getJsonObject("data").getString("node_id"));
      String leaderOrigin = created.getString("origin");

      // The scheduled prune (every second) runs once per tick, on the leader only.
      follower.events.clear();
      Thread.sleep(6_000);
      List<JsonObject> prunes = follower.drain("checkpoints_pruned");
      assertTrue(prunes.size() >= 3 && prunes.size() <= 7, "one run per tick, got " + prunes.size());
      for (JsonObject prune : prunes) {
        assertEquals(leaderOrigin, prune.getString("origin"), "only the leader runs the job");
      }

      // kill -9 the leader: the other node keeps serving, and takes the job over.
      leader.process().destroyForcibly();
      assertTrue(leader.process().waitFor(30, TimeUnit.SECONDS));
      assertEquals(200, call("GET", other.base() + "/api/v1/workflows/shared/", key, null).statusCode());
      awaitLog(other, "now runs the cluster's scheduled jobs", 60);
      follower.events.clear();
      JsonObject taken = follower.next("checkpoints_pruned", 30);
      assertNotEquals(leaderOrigin, taken.getString("origin"), "the survivor runs the job now");
      assertEquals(201, call("POST", other.base() + "/api/v1/workflows/shared/nodes/", key,
          "{\"node_id\":\"n2\",\"component_type\":\"code\"}").statusCode());
    }
  }

  private Node start(String name, String url, int clusterPort, String members) throws Exception {
    int httpPort = freePort();
    int bridgePort = freePort();
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", url);
    env.put("CHECKPOINTS_DATABASE_URL", url);
    env.put("PIPELITD_HTTP_PORT", Integer.toString(httpPort));
    env.put("PIPELITD_BRIDGE_PORT", Integer.toString(bridgePort));
    env.put("PIPELITD_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("PIPELITD_CLUSTER_MEMBERS", members);
    env.put("CHECKPOINTS_PRUNE_SCHEDULE_SECONDS", "1");
    env.put("CHECKPOINTS_KEEP_LAST", "5");
    Path log = workDir.resolve("node-" + name + ".log");
    Process process = pipelitd(env, "run", "--cluster").redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    nodes.add(process);
    daemon = process;
    String base = "http://127.0.0.1:" + httpPort;
    waitForHealth(base, log);
    return new Node(process, base, bridgePort, log);
  }

  private static void awaitLog(Node node, String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!read(node.log()).contains(text)) {
      assertTrue(System.nanoTime() < deadline, "no '" + text + "' within " + seconds + " s: " + read(node.log()));
      Thread.sleep(200);
    }
  }

  private static void awaitEither(Node a, Node b, String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!read(a.log()).contains(text) && !read(b.log()).contains(text)) {
      assertTrue(System.nanoTime() < deadline, "no node says '" + text + "'");
      Thread.sleep(200);
    }
  }

  /** A bridge follower on a raw socket; events land in a queue filled by a reader thread. */
  private final class Follower {
    final Socket socket;
    final DataOutputStream out;
    final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    final BlockingQueue<JsonObject> replies = new LinkedBlockingQueue<>();
    final String key;

    Follower(int port, String key) throws IOException {
      this.key = key;
      socket = new Socket("127.0.0.1", port);
      sockets.add(socket);
      out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      Thread reader = new Thread(() -> {
        try {
          while (true) {
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            JsonObject frame = new JsonObject(new String(payload, StandardCharsets.UTF_8));
            if ("message".equals(frame.getString("type")) && !frame.getBoolean("send", false)) {
              events.add(frame.getJsonObject("body"));
            } else {
              replies.add(frame);
            }
          }
        } catch (IOException closed) {
          // the test is over or the node is gone
        }
      }, "cluster-it-follower");
      reader.setDaemon(true);
      reader.start();
    }

    void register(String address) throws Exception {
      byte[] frame = new JsonObject().put("type", "register").put("address", address).put("replyAddress", address)
          .put("headers", new JsonObject().put("Authorization", "Bearer " + key)).encode()
          .getBytes(StandardCharsets.UTF_8);
      synchronized (out) {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
      }
      JsonObject ack = replies.poll(30, TimeUnit.SECONDS);
      assertTrue(ack != null && "message".equals(ack.getString("type")), "registration refused: " + ack);
    }

    JsonObject next(String type, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        JsonObject event = events.poll(500, TimeUnit.MILLISECONDS);
        if (event != null && type.equals(event.getString("type"))) {
          return event;
        }
      }
      throw new AssertionError("no " + type + " event within " + seconds + " s");
    }

    List<JsonObject> drain(String type) {
      List<JsonObject> all = new ArrayList<>();
      events.drainTo(all);
      return all.stream().filter(e -> type.equals(e.getString("type"))).toList();
    }
  }
}
