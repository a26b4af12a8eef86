package io.pipelit.pipelitd.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;

/**
 * Deploys one {@link HttpApiVerticle} on a free port per test class, with a fresh {@link FakeStore}
 * per test, and offers a small blocking HTTP client.
 */
abstract class HttpApiTestBase {
  static final long MAX_BODY_BYTES = 2048;
  static final String VERSION = "test-1.2.3";
  static final long STORE_TIMEOUT_MS = 1_500;
  static final long HEALTH_TIMEOUT_MS = 400;

  static Vertx vertx;
  static HttpApiVerticle verticle;
  static HttpClient client;
  /** Everything pipelitd's own code logs while the class runs. */
  static ListAppender<ILoggingEvent> logs;

  FakeStore store;

  /** A response, read fully. */
  record Response(int status, HttpHeaders headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String contentType() {
      return headers.firstValue("content-type").orElse(null);
    }
  }

  @BeforeAll
  static void deploy() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger("io.pipelit")).addAppender(logs);

    vertx = Vertx.vertx();
    verticle = new HttpApiVerticle(STORE_TIMEOUT_MS, HEALTH_TIMEOUT_MS);
    JsonObject config = new JsonObject()
        .put(ConfigKeys.HTTP_HOST, "127.0.0.1")
        .put(ConfigKeys.HTTP_PORT, 0)
        .put(ConfigKeys.HTTP_MAX_BODY_BYTES, MAX_BODY_BYTES)
        .put(HttpApiVerticle.VERSION_CONFIG_KEY, VERSION);
    vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)).await();
    client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterAll
  static void undeploy() {
    vertx.close().await();
    ((Logger) LoggerFactory.getLogger("io.pipelit")).detachAppender(logs);
  }

  @BeforeEach
  void newStore() {
    store = new FakeStore(vertx);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + verticle.actualPort() + pathAndQuery);
  }

  /** Sends with {@link FakeStore#GOOD_KEY} as bearer key. */
  static Response call(String method, String pathAndQuery, String body) {
    return send(request(method, pathAndQuery, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + FakeStore.GOOD_KEY));
  }

  static Response get(String pathAndQuery) {
    return call("GET", pathAndQuery, null);
  }

  static HttpRequest.Builder request(String method, String pathAndQuery, BodyPublisher body) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).method(method, body);
  }

  static Response send(HttpRequest.Builder request) {
    try {
      var response = client.send(request.build(), BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static JsonObject detail(String detail) {
    return new JsonObject().put("detail", detail);
  }
}
