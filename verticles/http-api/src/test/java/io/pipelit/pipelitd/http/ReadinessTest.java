package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** GET /ready: 200 only when the store answers with a reachable database and a running writer. */
class ReadinessTest extends HttpApiTestBase {

  @Test
  void readyWhenDatabaseAndWriterAreUp() {
    store.reply(StoreAddresses.HEALTH, new JsonObject().put("database", true).put("write_queue", 0)
        .put("writer", true).put("schema_version", "2"));
    Response response = call("GET", "/ready", null);
    assertEquals(200, response.status(), response.body());
    assertEquals("ready", response.json().getString("status"));
    assertEquals("2", response.json().getJsonObject("checks").getString("schema_version"));
  }

  @Test
  void notReadyWhenTheWriterStopped() {
    store.reply(StoreAddresses.HEALTH, new JsonObject().put("database", true).put("writer", false));
    Response response = call("GET", "/ready", null);
    assertEquals(503, response.status(), response.body());
    assertEquals("not_ready", response.json().getString("status"));
    assertEquals(false, response.json().getJsonObject("checks").getBoolean("writer"));
  }

  @Test
  void notReadyWhenTheStoreDoesNotAnswer() {
    Response response = send(request("GET", "/ready", java.net.http.HttpRequest.BodyPublishers.noBody()));
    assertEquals(503, response.status(), response.body());
    assertEquals(false, response.json().getJsonObject("checks").getBoolean("store"));
  }
}
