package io.pipelit.pipelitd.behaviour;

import io.pipelit.pipelitd.bridge.BridgeVerticle;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw client connection to the TCP event-bus bridge: 4-byte big-endian length, then a JSON frame, as any
 * client in any language would speak it (no Vert.x client). The caller closes {@link #socket}.
 */
final class BridgeSocket {
  final Socket socket;
  final DataOutputStream out;
  final DataInputStream in;

  BridgeSocket(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    out = new DataOutputStream(socket.getOutputStream());
    in = new DataInputStream(socket.getInputStream());
  }

  /** Deploys a bridge on an ephemeral loopback port into the daemon's Vert.x; returns the port. */
  static int deployBridge(Daemon daemon) {
    BridgeVerticle bridge = new BridgeVerticle();
    JsonObject config = new JsonObject().put(ConfigKeys.BRIDGE_PORT, 0).put(ConfigKeys.BRIDGE_HOST, "127.0.0.1")
        .put(ConfigKeys.BRIDGE_MAX_FRAME_BYTES, 65_536).put(ConfigKeys.BRIDGE_MAX_REFUSALS, 5);
    Daemon.await(daemon.vertx.deployVerticle(bridge, new DeploymentOptions().setConfig(config)));
    return bridge.actualPort();
  }

  void writeRaw(byte[] payload) throws IOException {
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
  }

  void write(JsonObject frame) throws IOException {
    writeRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  JsonObject read() throws IOException {
    int length = in.readInt();
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new JsonObject(new String(payload, StandardCharsets.UTF_8));
  }

  /** A request with a reply address; returns the answer frame. */
  JsonObject request(String address, JsonObject body, String key) throws IOException {
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r1")
        .put("body", body);
    if (key != null) {
      frame.put("headers", new JsonObject().put("Authorization", "Bearer " + key));
    }
    write(frame);
    return read();
  }

  /** True when the server closed the connection (EOF or reset) within the read timeout. */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        read();
      }
    } catch (EOFException | SocketException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }
}
