package io.pipelit.pipelitd.bridge;

import io.pipelit.pipelitd.bridge.impl.BridgeConnection;
import io.pipelit.pipelitd.bridge.impl.BridgeMetrics;
import io.pipelit.pipelitd.contracts.Authenticator;
import io.pipelit.pipelitd.contracts.config.BridgeConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge for clients outside the JVM (Pipelit's Python engine): the wire format of
 * vertx-tcp-eventbus-bridge (4-byte length, JSON frame), with an API key on every frame, the store's
 * roles and ownership rules, and the {@code pipelit.events.*} change events for followers. Deployed only
 * when {@code PIPELITD_BRIDGE_PORT} is set. Stop: new requests are refused with {@code shutting_down},
 * requests in flight get their answers (bounded by {@code PIPELITD_HTTP_DRAIN_TIMEOUT_MS}), then the
 * connections close.
 *
 * <p>The server is our own rather than the library's {@code TcpEventBusBridge}: that one buffers a frame of
 * whatever length a client announces, drops malformed frames without an answer, and cannot hold a
 * request until the key has been checked; the frames on the wire are the same, so its clients work.
 */
public class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);

  private final Map<Long, BridgeConnection> connections = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private NetServer server;
  private volatile int actualPort = -1;

  @Override
  public Future<?> start() {
    BridgeConfig bridge;
    try {
      bridge = BridgeConfig.from(config());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (!bridge.enabled()) {
      return Future.succeededFuture();
    }
    BridgeMetrics metrics = new BridgeMetrics(connections::size);
    NetServerOptions options = new NetServerOptions().setHost(bridge.host()).setPort(bridge.port())
        .setTcpNoDelay(true);
    if (bridge.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(bridge.tlsCertPath())
          .setKeyPath(bridge.tlsKeyPath()));
    }
    Authenticator authenticator = new Authenticator(vertx.eventBus(), BridgeConnection.STORE_TIMEOUT_MS);
    server = vertx.createNetServer(options).connectHandler(socket -> {
      long id = nextId.incrementAndGet();
      BridgeConnection connection = new BridgeConnection(id, socket, vertx.eventBus(), authenticator, bridge,
          metrics);
      connections.put(id, connection);
      connection.start(() -> connections.remove(id));
    });
    return authenticator.listen().compose(invalidationsHeard -> server.listen()).onSuccess(listening -> {
      actualPort = listening.actualPort();
      LOG.info("event-bus bridge listening on {}:{}{}", bridge.host(), actualPort, bridge.tls() ? " (TLS)" : "");
    });
  }

  /** The bound port (the real one when the configured port is 0), or -1 without a bridge. */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    long drainMs = ConfigValues.integer(config(), ConfigKeys.HTTP_DRAIN_TIMEOUT_MS,
        ConfigKeys.DEFAULT_HTTP_DRAIN_TIMEOUT_MS, 0, 600_000);
    var open = new ArrayList<>(connections.values());
    Future<?> drained = Future.all(open.stream().map(BridgeConnection::drain).toList());
    return Future.any(drained, timer(drainMs))
        .transform(ignored -> {
          open.forEach(BridgeConnection::close);
          return server.close();
        });
  }

  private Future<Void> timer(long ms) {
    return ms <= 0 ? Future.succeededFuture() : vertx.timer(ms).mapEmpty();
  }
}
