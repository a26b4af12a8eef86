package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark (not a test): execution-log appends per second from ONE bridge connection with 16 requests in
 * flight, against the same appends over HTTP with 16 connections (one request in flight each), on the
 * same daemon (SQLite, synchronous=FULL by default), measured alternately in the same run; the median of
 * the rounds and the ratio. Both clients are Vert.x clients in a separate Vert.x instance of the same JVM.
 *
 * <pre>scripts/bench/bridge [APPENDS_PER_ROUND (default 20000)] [ROUNDS (default 3)] [SYNCHRONOUS (FULL)]</pre>
 */
public final class BridgeBench {
  static final int IN_FLIGHT = 16;

  public static void main(String[] args) throws Exception {
    int appends = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String synchronous = args.length > 2 ? args[2] : "FULL";
    Path dir = Files.createTempDirectory("pipelitd-bridge-bench-");
    Vertx server = Vertx.vertx();
    JsonObject flags = new JsonObject().put(ConfigKeys.HTTP_PORT, 0).put(ConfigKeys.BRIDGE_PORT, 0)
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, synchronous)
        .put(ConfigKeys.FIELD_ENCRYPTION_KEY, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey());
    PipelitdConfig config = ConfigLoader.loadAndValidate(server, dir, Optional.empty(), flags, Map.of())
        .await(60, TimeUnit.SECONDS);
    Daemon daemon = Daemon.start(server, config, "bench").await(120, TimeUnit.SECONDS);
    Vertx client = Vertx.vertx();
    try {
      String key = server.eventBus().<JsonObject>request(StoreAddresses.SETUP_ADMIN,
              new JsonObject().put("username", "bench").put("password", "a bench password"))
          .await(60, TimeUnit.SECONDS).body().getString("key");
      HttpClient http = client.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(daemon.httpPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
      call(http, key, HttpMethod.POST, "/api/v1/workflows/", new JsonObject().put("name", "Bench").put("slug", "bench"));
      String execution = call(http, key, HttpMethod.POST, "/api/v1/executions/",
          new JsonObject().put("workflow_slug", "bench")).getString("execution_id");
      JsonObject log = new JsonObject().put("node_id", "agent").put("status", "completed")
          .put("output", new JsonObject().put("text", "x".repeat(200)));

      System.out.printf("pipelitd bridge benchmark: %d appends per round, %d rounds, synchronous=%s, %d cores%n",
          appends, rounds, synchronous, Runtime.getRuntime().availableProcessors());
      overHttp(http, key, execution, log, appends / 10); // warm-up of both paths
      overBridge(client, daemon.bridgePort(), key, execution, log, appends / 10);
      List<Double> bridgeRates = new ArrayList<>();
      List<Double> httpRates = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        double viaBridge = overBridge(client, daemon.bridgePort(), key, execution, log, appends);
        double viaHttp = overHttp(http, key, execution, log, appends);
        bridgeRates.add(viaBridge);
        httpRates.add(viaHttp);
        System.out.printf("round %d: bridge %,.0f appends/s, HTTP %,.0f appends/s%n", round, viaBridge, viaHttp);
      }
      double bridge = median(bridgeRates);
      double overHttp = median(httpRates);
      System.out.printf("%n| path | appends/s (median) |%n|---|---|%n| bridge, 1 connection, %d in flight | %,.0f |%n"
          + "| HTTP, %d connections | %,.0f |%n| ratio bridge / HTTP | %.2f |%n",
          IN_FLIGHT, bridge, IN_FLIGHT, overHttp, bridge / overHttp);
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
      daemon.stop().await(60, TimeUnit.SECONDS);
      server.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static JsonObject call(HttpClient http, String key, HttpMethod method, String path, JsonObject body)
      throws Exception {
    return http.request(new RequestOptions().setMethod(method).setURI(path)
            .putHeader("Authorization", "Bearer " + key).putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(body.toBuffer()))
        .compose(response -> response.body().map(buffer -> {
          if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + buffer);
          }
          return buffer.toJsonObject();
        }))
        .await(60, TimeUnit.SECONDS);
  }

  /** 16 connections, each sending its next append when the previous one is answered. */
  private static double overHttp(HttpClient http, String key, String execution, JsonObject log, int total)
      throws Exception {
    AtomicInteger remaining = new AtomicInteger(total);
    Buffer body = log.toBuffer();
    String path = "/api/v1/executions/" + execution + "/logs/";
    long start = System.nanoTime();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < IN_FLIGHT; lane++) {
      Promise<Void> done = Promise.promise();
      httpLane(http, key, path, body, remaining, done);
      lanes.add(done.future());
    }
    Future.all(lanes).await(10, TimeUnit.MINUTES);
    return total / ((System.nanoTime() - start) / 1e9);
  }

  private static void httpLane(HttpClient http, String key, String path, Buffer body, AtomicInteger remaining,
      Promise<Void> done) {
    if (remaining.getAndDecrement() <= 0) {
      done.tryComplete();
      return;
    }
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader("Authorization", "Bearer " + key).putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(ignored -> {
          if (response.statusCode() != 201) {
            throw new IllegalStateException("append over HTTP: " + response.statusCode());
          }
          return null;
        }))
        .onSuccess(ok -> httpLane(http, key, path, body, remaining, done))
        .onFailure(done::tryFail);
  }

  /** One connection, a new append sent whenever one of the 16 in flight is answered. */
  private static double overBridge(Vertx vertx, int port, String key, String execution, JsonObject log, int total)
      throws Exception {
    NetSocket socket = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true))
        .connect(port, "127.0.0.1").await(30, TimeUnit.SECONDS);
    Buffer frame = encode(new JsonObject().put("type", "send").put("address", StoreAddresses.EXECUTIONS_APPEND_LOG)
        .put("replyAddress", "r").put("headers", new JsonObject().put("Authorization", "Bearer " + key))
        .put("body", new JsonObject().put("execution_id", execution).put("body", log)));
    Promise<Void> done = Promise.promise();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    Buffer[] pending = {Buffer.buffer()};
    socket.handler(chunk -> {
      pending[0].appendBuffer(chunk);
      int offset = 0;
      while (pending[0].length() - offset >= 4 && pending[0].length() - offset - 4 >= pending[0].getInt(offset)) {
        int length = pending[0].getInt(offset);
        JsonObject answer = pending[0].getBuffer(offset + 4, offset + 4 + length).toJsonObject();
        offset += 4 + length;
        if (!"message".equals(answer.getString("type"))) {
          done.tryFail("append over the bridge: " + answer.encode());
          return;
        }
        if (answered.incrementAndGet() == total) {
          done.tryComplete();
        } else if (sent.get() < total) {
          sent.incrementAndGet();
          socket.write(frame);
        }
      }
      pending[0] = pending[0].getBuffer(offset, pending[0].length());
    });
    long start = System.nanoTime();
    for (int i = 0; i < Math.min(IN_FLIGHT, total); i++) {
      sent.incrementAndGet();
      socket.write(frame);
    }
    done.future().await(10, TimeUnit.MINUTES);
    double rate = total / ((System.nanoTime() - start) / 1e9);
    socket.close();
    return rate;
  }

  private static Buffer encode(JsonObject frame) {
    Buffer json = frame.toBuffer();
    return Buffer.buffer().appendInt(json.length()).appendBuffer(json);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
