package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP event-bus bridge driven through a raw socket: 4-byte big-endian length, then a JSON frame, as
 * any client in any language would speak it (no Vert.x client).
 */
class BridgeTest extends BackendSuite {
  private static Vertx bridgedVertx;
  private static int bridgePort;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void deployBridgeOnce() {
    if (bridgedVertx == daemon.vertx) {
      return;
    }
    bridgePort = BridgeSocket.deployBridge(daemon);
    bridgedVertx = daemon.vertx;
  }

  @AfterEach
  void closeSockets() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  /** A raw client connection, closed after the test. */
  private BridgeSocket connect() throws IOException {
    BridgeSocket client = new BridgeSocket(bridgePort);
    sockets.add(client.socket);
    return client;
  }

  private static JsonObject auth(String key) {
    return new JsonObject().put("Authorization", "Bearer " + key);
  }

  @Test
  void anAuthorisedRequestAnswersLikeHttp() throws Exception {
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Bridged").put("slug", "bridged"));
    BridgeSocket client = connect();
    JsonObject reply = client.request("pipelit.store.workflows.list", new JsonObject().put("limit", 10),
        daemon.adminKey);
    assertEquals("message", reply.getString("type"), reply.encode());
    assertEquals("r1", reply.getString("address"));
    assertEquals(daemon.get("/api/v1/workflows/?limit=10").json(), reply.getJsonObject("body"));
    // The same connection serves several requests, and a missing body means {}.
    client.write(new JsonObject().put("type", "send").put("address", "pipelit.store.workflows.list")
        .put("replyAddress", "r2").put("headers", auth(daemon.adminKey)));
    assertEquals("r2", client.read().getString("address"));
  }

  @Test
  void storeFailuresComeBackAsErrFramesWithTheErrorCode() throws Exception {
    BridgeSocket client = connect();
    JsonObject missing = client.request("pipelit.store.workflows.get", new JsonObject().put("slug", "ghost"),
        daemon.adminKey);
    assertEquals("err", missing.getString("type"));
    assertEquals("r1", missing.getString("address"));
    assertEquals(ErrorCode.NOT_FOUND.value(), missing.getInteger("failureCode"));
    assertEquals("Workflow not found.", missing.getString("message"));
    JsonObject invalid = client.request("pipelit.store.workflows.create",
        new JsonObject().put("body", new JsonObject().put("name", "no slug")), daemon.adminKey);
    assertEquals(ErrorCode.VALIDATION_FAILED.value(), invalid.getInteger("failureCode"));
  }

  @Test
  void aMissingOrUnknownKeyIsRefused() throws Exception {
    BridgeSocket client = connect();
    JsonObject noKey = client.request("pipelit.store.workflows.list", new JsonObject(), null);
    assertEquals("err", noKey.getString("type"));
    assertEquals("not_authenticated", noKey.getString("message"));
    assertEquals(ErrorCode.UNAUTHENTICATED.value(), noKey.getInteger("failureCode"));
    assertEquals("r1", noKey.getString("address"), "the waiting request is released");
    JsonObject badKey = client.request("pipelit.store.workflows.list", new JsonObject(), "pk_not_a_real_key");
    assertEquals("not_authenticated", badKey.getString("message"));
  }

  @Test
  void forbiddenAddressesAreRefused() throws Exception {
    BridgeSocket client = connect();
    for (String address : List.of("pipelit.store.users.setup_admin", "pipelit.store.users.cli.list",
        "pipelit.store.auth.authenticate", "pipelit.store.keys.rotate_batch", "pipelit.store.maintenance.prune.cli",
        "pipelit.store.settings.cli.current", "vertx.anything")) {
      JsonObject refused = client.request(address, new JsonObject(), daemon.adminKey);
      assertEquals("access_denied", refused.getString("message"), address);
      assertEquals(ErrorCode.FORBIDDEN.value(), refused.getInteger("failureCode"), address);
      if (sockets.get(0).isClosed()) {
        break;
      }
      client = connect(); // refusals are counted per connection: a fresh one for each address
    }
    BridgeSocket publisher = connect();
    publisher.write(new JsonObject().put("type", "publish").put("address", "pipelit.store.workflows.list")
        .put("headers", auth(daemon.adminKey)));
    assertEquals("access_denied", publisher.read().getString("message"));
  }

  @Test
  void aNormalUserGetsTheSameRulesAsOverHttpWhateverHeadersItClaims() throws Exception {
    String normalKey = daemon.createNormalUser("bridge-normal-" + backend);
    daemon.post("/api/v1/workflows/", new JsonObject().put("name", "Admins").put("slug", "admins-only"));
    BridgeSocket client = connect();
    // Identity headers sent by the client are not forwarded: the key alone decides.
    client.write(new JsonObject().put("type", "send").put("address", "pipelit.store.users.list")
        .put("replyAddress", "r1").put("body", new JsonObject())
        .put("headers", auth(normalKey).put("pipelit-user-id", "1").put("pipelit-user-role", "admin")));
    JsonObject forbidden = client.read();
    assertEquals(ErrorCode.FORBIDDEN.value(), forbidden.getInteger("failureCode"), forbidden.encode());
    JsonObject notTheirs = client.request("pipelit.store.workflows.get", new JsonObject().put("slug", "admins-only"),
        normalKey);
    assertEquals(ErrorCode.NOT_FOUND.value(), notTheirs.getInteger("failureCode"));
    client.write(new JsonObject().put("type", "register").put("address", "pipelit.events.workflow.admins-only")
        .put("replyAddress", "r3").put("headers", auth(normalKey)));
    JsonObject noFollow = client.read();
    assertEquals("access_denied", noFollow.getString("message"));
    assertEquals("r3", noFollow.getString("address"));
    client.write(new JsonObject().put("type", "register").put("address", "pipelit.events.all")
        .put("replyAddress", "r4").put("headers", auth(normalKey)));
    assertEquals("access_denied", client.read().getString("message"));
  }

  @Test
  void malformedFramesGetAnErrFrame() throws Exception {
    BridgeSocket client = connect();
    client.writeRaw("{not json".getBytes(StandardCharsets.UTF_8));
    assertEquals("invalid_frame", client.read().getString("message"));
    client.writeRaw("[1, 2]".getBytes(StandardCharsets.UTF_8));
    assertEquals("invalid_frame", client.read().getString("message"));
    client.write(new JsonObject().put("type", "send").put("replyAddress", "r1"));
    assertEquals("missing_address", client.read().getString("message"));
    client.write(new JsonObject().put("type", "teleport").put("address", "pipelit.store.workflows.list"));
    assertEquals("unknown_type", client.read().getString("message"));
    client.write(new JsonObject().put("type", "ping"));
    assertEquals("pong", client.read().getString("type"), "pings are answered and never counted");
  }

  @Test
  void repeatedRefusalsCloseTheConnection() throws Exception {
    BridgeSocket client = connect();
    for (int i = 1; i <= 5; i++) {
      client.writeRaw("nope".getBytes(StandardCharsets.UTF_8));
      assertEquals("invalid_frame", client.read().getString("message"));
    }
    assertEquals("too_many_refusals", client.read().getString("message"));
    assertTrue(client.closedByServer());
  }

  @Test
  void aHugeFrameIsRefusedBeforeItIsRead() throws Exception {
    BridgeSocket client = connect();
    client.out.writeInt(1 << 30); // announces 1 GiB, sends a few bytes of it
    client.out.write(new byte[1024]);
    client.out.flush();
    JsonObject refused = client.read();
    assertEquals("frame_too_large", refused.getString("message"));
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE.value(), refused.getInteger("failureCode"));
    assertTrue(client.closedByServer());
    // The bridge keeps serving other connections.
    assertEquals("message", connect().request("pipelit.store.workflows.list", new JsonObject(), daemon.adminKey)
        .getString("type"));
  }

  @Test
  void followersReceiveAWorkflowsEventsInCommitOrderWithSequenceNumbers() throws Exception {
    String slug = "followed-" + backend.name().toLowerCase();
    assertEquals(201, daemon.post("/api/v1/workflows/", new JsonObject().put("name", "F").put("slug", slug)).status());
    BridgeSocket follower = connect();
    follower.write(new JsonObject().put("type", "register").put("address", "pipelit.events.workflow." + slug)
        .put("replyAddress", "reg").put("headers", auth(daemon.adminKey)));
    JsonObject ack = follower.read();
    assertEquals("reg", ack.getString("address"), ack.encode());
    assertEquals("pipelit.events.workflow." + slug, ack.getJsonObject("body").getString("registered"));

    BridgeSocket writer = connect();
    int nodes = 20;
    for (int i = 0; i < nodes; i++) {
      // Fire-and-forget sends (no replyAddress), as an engine that does not wait would write.
      writer.write(new JsonObject().put("type", "send").put("address", "pipelit.store.nodes.create")
          .put("headers", auth(daemon.adminKey)).put("body", new JsonObject().put("slug", slug)
              .put("body", new JsonObject().put("node_id", "n" + i).put("component_type", "code"))));
    }
    Long previousSeq = null;
    List<String> created = new ArrayList<>();
    while (created.size() < nodes) {
      JsonObject frame = follower.read();
      assertEquals("message", frame.getString("type"), frame.encode());
      assertEquals("pipelit.events.workflow." + slug, frame.getString("address"));
      JsonObject event = frame.getJsonObject("body");
      long seq = event.getLong("seq");
      if (previousSeq != null) {
        assertEquals(previousSeq + 1, seq, "no gap on one connection that keeps up");
      }
      previousSeq = seq;
      assertNotNull(event.getString("origin"));
      if ("node_created".equals(event.getString("type"))) {
        created.add(event.getJsonObject("data").getString("node_id"));
      }
    }
    // The writer's sends were processed in order, so the events are too.
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      expected.add("n" + i);
    }
    JsonArray listed = new JsonArray(daemon.get("/api/v1/workflows/" + slug + "/nodes/").body());
    assertEquals(nodes, listed.size());
    assertEquals(expected.size(), created.size());
    assertTrue(created.containsAll(expected));

    follower.write(new JsonObject().put("type", "unregister").put("address", "pipelit.events.workflow." + slug)
        .put("replyAddress", "unreg").put("headers", auth(daemon.adminKey)));
    assertEquals("unreg", follower.read().getString("address"));
    follower.write(new JsonObject().put("type", "unregister").put("address", "pipelit.events.workflow." + slug)
        .put("replyAddress", "unreg2").put("headers", auth(daemon.adminKey)));
    assertEquals("unknown_address", follower.read().getString("message"));
  }

  @Test
  void checkpointChangesAreEventsForAdmins() throws Exception {
    BridgeSocket follower = connect();
    follower.write(new JsonObject().put("type", "register").put("address", "pipelit.events.checkpoints")
        .put("replyAddress", "reg").put("headers", auth(daemon.adminKey)));
    assertEquals("reg", follower.read().getString("address"));
    BridgeSocket writer = connect();
    JsonObject put = writer.request("pipelit.checkpoints.put", new JsonObject().put("thread_id", "t-bridge")
        .put("checkpoint_id", "c1").put("body", new JsonObject().put("type", "json")
            .put("checkpoint", java.util.Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8)))),
        daemon.adminKey);
    assertEquals("message", put.getString("type"), put.encode());
    JsonObject event = follower.read().getJsonObject("body");
    assertEquals("checkpoint_put", event.getString("type"));
    assertEquals("t-bridge", event.getString("thread_id"));
    assertEquals("c1", event.getJsonObject("data").getString("checkpoint_id"));
    assertNull(event.getJsonObject("data").getValue("checkpoint"), "blobs are not in events");
  }
}
