package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipelit.pipelitd.bridge.BridgeVerticle;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The bridge with TLS (PEM certificate and key): a TLS client is served, a plain one gets nothing. */
class BridgeTlsTest extends BackendSuite {

  @Test
  void aTlsBridgeServesTlsClientsOnly() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    try {
      BridgeVerticle bridge = new BridgeVerticle();
      JsonObject config = new JsonObject().put(ConfigKeys.BRIDGE_PORT, 0)
          .put(ConfigKeys.BRIDGE_TLS_CERT, certificate.certificatePath())
          .put(ConfigKeys.BRIDGE_TLS_KEY, certificate.privateKeyPath());
      String id = Daemon.await(daemon.vertx.deployVerticle(bridge, new DeploymentOptions().setConfig(config)));
      try (SSLSocket socket = (SSLSocket) trusting(certificate.certificatePath()).getSocketFactory()
          .createSocket("127.0.0.1", bridge.actualPort())) {
        socket.setSoTimeout(20_000);
        JsonObject reply = exchange(socket, new JsonObject().put("type", "send")
            .put("address", "pipelit.store.workflows.list").put("replyAddress", "r1")
            .put("headers", new JsonObject().put("Authorization", "Bearer " + daemon.adminKey)));
        assertEquals("message", reply.getString("type"), reply.encode());
        assertEquals("r1", reply.getString("address"));
      }
      try (Socket plain = new Socket("127.0.0.1", bridge.actualPort())) {
        plain.setSoTimeout(10_000);
        // A plain frame is not a TLS handshake: the server closes without answering a frame.
        assertThrows(IOException.class, () -> exchange(plain, new JsonObject().put("type", "ping")));
      }
      Daemon.await(daemon.vertx.undeploy(id));
    } finally {
      certificate.delete();
    }
  }

  private static JsonObject exchange(Socket socket, JsonObject frame) throws IOException {
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    byte[] payload = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] answer = new byte[in.readInt()];
    in.readFully(answer);
    return new JsonObject(new String(answer, StandardCharsets.UTF_8));
  }

  /** An SSL context that trusts exactly the self-signed certificate. */
  private static SSLContext trusting(String certificatePath) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = new FileInputStream(certificatePath)) {
      trust.setCertificateEntry("bridge", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
