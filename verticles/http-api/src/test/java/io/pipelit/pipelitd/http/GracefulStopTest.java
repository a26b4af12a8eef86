package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stopping the verticle (what SIGTERM does) lets a request in flight get its answer, does not hang new
 * ones, and completes once the in-flight request is answered.
 */
class GracefulStopTest {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aRequestInFlightIsAnsweredWhileTheServerDrains() throws Exception {
    CompletableFuture<Message<Object>> held = new CompletableFuture<>();
    try (FakeStore store = new FakeStore(vertx).user(1, Identity.ADMIN)) {
      store.on(StoreAddresses.WORKFLOWS_LIST, held::complete); // answered only when the test says so
      HttpApiVerticle verticle = new HttpApiVerticle(10_000, 1_000);
      JsonObject config = new JsonObject().put(ConfigKeys.HTTP_HOST, "127.0.0.1").put(ConfigKeys.HTTP_PORT, 0)
          .put(ConfigKeys.HTTP_DRAIN_TIMEOUT_MS, 10_000);
      String deployment = vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)).await();
      URI uri = URI.create("http://127.0.0.1:" + verticle.actualPort() + "/api/v1/workflows/");

      CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(uri)
          .header("Authorization", "Bearer " + FakeStore.GOOD_KEY).build(), HttpResponse.BodyHandlers.ofString());
      Message<Object> request = held.get(10, TimeUnit.SECONDS);

      Future<Void> stopped = vertx.undeploy(deployment);
      Thread.sleep(200);
      assertFalse(stopped.isComplete(), "the stop waits for the request in flight");

      // A new request while draining is turned away at once (503, or refused), never left hanging.
      long start = System.nanoTime();
      try {
        HttpResponse<String> late = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + FakeStore.GOOD_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, late.statusCode(), late.body());
        assertTrue(late.body().contains("shutting down"), late.body());
      } catch (IOException refused) {
        // the listening socket is already closed: refused at once, fine
      }
      assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5);

      // A load balancer asking /ready while the daemon drains is told to go elsewhere.
      try {
        HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + verticle.actualPort() + "/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), ready.body());
      } catch (IOException refused) {
        // the listening socket is already closed: not ready either
      }

      request.reply(new JsonObject().put("items", new io.vertx.core.json.JsonArray()).put("total", 0));
      HttpResponse<String> answered = inFlight.get(10, TimeUnit.SECONDS);
      assertEquals(200, answered.statusCode(), answered.body());
      stopped.await(10, TimeUnit.SECONDS);
    }
  }
}
