package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreHeaders;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Authentication, input validation, error mapping, body limit, health and unknown routes. */
class HttpApiVerticleTest extends HttpApiTestBase {

  // --- start-up ---------------------------------------------------------------------------------

  @Test
  void listensOnTheActualPortAndSaysWhereOnce() {
    assertTrue(verticle.actualPort() > 0);
    long lines = List.copyOf(logs.list).stream().map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.equals("HTTP API listening on http://127.0.0.1:" + verticle.actualPort()))
        .count();
    assertEquals(1, lines);
  }

  @Test
  void aBadConfigurationFailsTheDeployment() {
    JsonObject config = new JsonObject().put(ConfigKeys.HTTP_PORT, "eighty");
    Throwable failure = vertx.deployVerticle(new HttpApiVerticle(), new DeploymentOptions().setConfig(config))
        .transform(deployed -> Future.succeededFuture(deployed.cause()))
        .await();
    assertTrue(failure instanceof ConfigException, String.valueOf(failure));
  }

  // --- authentication ---------------------------------------------------------------------------

  @Test
  void aMissingAuthorizationHeaderIs401WithoutAskingTheStore() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject());

    Response response = send(request("GET", "/api/v1/workflows/", BodyPublishers.noBody()));

    assertEquals(401, response.status());
    assertEquals(detail("Not authenticated"), response.json());
    assertEquals("application/json", response.contentType());
    assertEquals("Bearer", response.headers().firstValue("www-authenticate").orElse(null));
    assertTrue(store.calls(StoreAddresses.AUTHENTICATE).isEmpty());
    assertTrue(store.calls(StoreAddresses.WORKFLOWS_LIST).isEmpty());
  }

  @Test
  void anAnswerIsReusedForAsLongAsTheStoreSaysUntilAnInvalidationArrives() {
    long[] reuseMs = {60_000};
    store.on(StoreAddresses.AUTHENTICATE, msg -> msg.reply(new JsonObject().put("user_id", 42).put("username", "ann")
            .put("role", Identity.ADMIN).put("key_id", 99).put("reuse_ms", reuseMs[0])))
        .reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject().put("items", new JsonArray()));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api/v1/workflows/").status());
    }
    assertEquals(1, store.calls(StoreAddresses.AUTHENTICATE).size(), "asked once, then reused");
    List<FakeStore.Call> served = store.calls(StoreAddresses.WORKFLOWS_LIST);
    assertEquals(3, served.size());
    assertEquals("42", served.get(2).headers().get(StoreHeaders.USER_ID), "the reused identity");

    vertx.eventBus().publish(StoreAddresses.AUTH_INVALIDATED, new JsonObject()); // e.g. a revoke committed
    assertEquals(200, get("/api/v1/workflows/").status());
    assertEquals(2, store.calls(StoreAddresses.AUTHENTICATE).size());

    // reuse_ms 0 (the store's cache is off, or last_used_at is due): every request asks.
    vertx.eventBus().publish(StoreAddresses.AUTH_INVALIDATED, new JsonObject());
    reuseMs[0] = 0;
    assertEquals(200, get("/api/v1/workflows/").status());
    assertEquals(200, get("/api/v1/workflows/").status());
    assertEquals(4, store.calls(StoreAddresses.AUTHENTICATE).size());
    vertx.eventBus().publish(StoreAddresses.AUTH_INVALIDATED, new JsonObject()); // leave nothing to later tests
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Token " + FakeStore.GOOD_KEY, "Bearer", "Bearer   ",
      FakeStore.GOOD_KEY})
  void aNonBearerHeaderIs401(String header) {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject());

    Response response = send(request("GET", "/api/v1/workflows/", BodyPublishers.noBody())
        .header("Authorization", header));

    assertEquals(401, response.status());
    assertEquals(detail("Not authenticated"), response.json());
    assertTrue(store.calls(StoreAddresses.AUTHENTICATE).isEmpty());
  }

  @Test
  void aKeyTheStoreRejectsIs401WithTheStoresDetail() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject());

    Response response = send(request("GET", "/api/v1/workflows/", BodyPublishers.noBody())
        .header("Authorization", "Bearer pk-wrong"));

    assertEquals(401, response.status());
    assertEquals(detail(FakeStore.INVALID_KEY_DETAIL), response.json());
    assertEquals("pk-wrong", store.onlyCall(StoreAddresses.AUTHENTICATE).json().getString("key"));
    assertTrue(store.calls(StoreAddresses.WORKFLOWS_LIST).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
  void theSchemeIsCaseInsensitive(String scheme) {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject());

    Response response = send(request("GET", "/api/v1/workflows/", BodyPublishers.noBody())
        .header("Authorization", scheme + " " + FakeStore.GOOD_KEY));

    assertEquals(200, response.status());
  }

  @Test
  void anUnreachableAuthStoreIs503() {
    Response response = get("/api/v1/workflows/");

    assertEquals(503, response.status());
    assertEquals(detail("Store unavailable."), response.json());
  }

  @Test
  void aMalformedAuthReplyIs500Json() {
    store.reply(StoreAddresses.AUTHENTICATE, new JsonObject().put("username", "no-id"));

    Response response = get("/api/v1/workflows/");

    assertEquals(500, response.status());
    assertEquals(detail("Internal Server Error"), response.json());
    assertEquals("application/json", response.contentType());
  }

  @Test
  void authenticationComesBeforeInputValidation() {
    Response response = send(request("POST", "/api/v1/workflows/", BodyPublishers.ofString("{not json")));

    assertEquals(401, response.status());
  }

  // --- query parameters -------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"limit=-1", "limit=0", "limit=1001", "limit=abc", "limit=1.5", "limit=",
      "limit=99999999999", "offset=-1", "offset=abc", "offset=2.0"})
  void badPagingIs422AndNeverReachesTheStore(String query) {
    store.user(7, Identity.NORMAL)
        .reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject())
        .reply(StoreAddresses.EXECUTIONS_LIST, new JsonObject());

    for (String path : new String[] {"/api/v1/workflows/?", "/api/v1/executions?status=running&"}) {
      Response response = get(path + query);

      assertEquals(422, response.status(), path + query);
      String name = query.substring(0, query.indexOf('='));
      assertTrue(response.json().getString("detail").startsWith(name + " must be an integer"), response.body());
      assertEquals("application/json", response.contentType());
    }
    assertTrue(store.calls(StoreAddresses.WORKFLOWS_LIST).isEmpty());
    assertTrue(store.calls(StoreAddresses.EXECUTIONS_LIST).isEmpty());
  }

  @ParameterizedTest
  @CsvSource({"limit=1,1,0", "limit=1000,1000,0", "offset=0,50,0", "offset=2147483647,50,2147483647"})
  void boundaryPagingIsAccepted(String query, int limit, int offset) {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_LIST, new JsonObject());

    assertEquals(200, get("/api/v1/workflows/?" + query).status());

    assertEquals(new JsonObject().put("limit", limit).put("offset", offset),
        store.onlyCall(StoreAddresses.WORKFLOWS_LIST).json());
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1.5", "1e3", "0x10"})
  void aNonIntegerEdgeIdIsAnUnknownEdge(String edgeId) {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.EDGES_UPDATE, new JsonObject())
        .reply(StoreAddresses.EDGES_DELETE, new JsonObject());

    Response patch = call("PATCH", "/api/v1/workflows/wf/edges/" + edgeId + "/", "{}");
    Response delete = call("DELETE", "/api/v1/workflows/wf/edges/" + edgeId, null);

    assertEquals(404, patch.status());
    assertEquals(detail("Edge not found."), patch.json());
    assertEquals(404, delete.status());
    assertTrue(store.calls(StoreAddresses.EDGES_UPDATE).isEmpty());
    assertTrue(store.calls(StoreAddresses.EDGES_DELETE).isEmpty());
  }

  // --- request bodies ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"{not json", "{\"a\": 1", "{\"a\": 1} trailing", "'single'", "   "})
  void aBodyThatIsNotJsonIs422(String body) {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_CREATE, new JsonObject());

    Response response = call("POST", "/api/v1/workflows/", body);

    assertEquals(422, response.status(), body);
    assertEquals(detail("Request body is not valid JSON."), response.json());
    assertTrue(store.calls(StoreAddresses.WORKFLOWS_CREATE).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1, 2]", "\"text\"", "3", "null", "true"})
  void aBodyThatIsJsonButNotAnObjectIs422(String body) {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.NODES_CREATE, new JsonObject());

    Response response = call("POST", "/api/v1/workflows/wf/nodes/", body);

    assertEquals(422, response.status(), body);
    assertEquals(detail("Request body must be a JSON object."), response.json());
    assertTrue(store.calls(StoreAddresses.NODES_CREATE).isEmpty());
  }

  @Test
  void aMissingBodyTravelsAsAnEmptyObject() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_UPDATE, new JsonObject());

    assertEquals(200, call("PATCH", "/api/v1/workflows/wf/", null).status());

    assertEquals(new JsonObject().put("slug", "wf").put("body", new JsonObject()),
        store.onlyCall(StoreAddresses.WORKFLOWS_UPDATE).json());
  }

  @Test
  void anOversizedBodyAnnouncedByContentLengthIs413Json() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_CREATE, new JsonObject());

    Response response = send(request("POST", "/api/v1/workflows/", BodyPublishers.ofByteArray(bigJson()))
        .header("Authorization", "Bearer " + FakeStore.GOOD_KEY));

    assertTooLarge(response);
    assertTrue(store.calls(StoreAddresses.WORKFLOWS_CREATE).isEmpty());
    // The server is fine afterwards, on a new connection as on the pooled ones.
    assertEquals(200, send(request("GET", "/health", BodyPublishers.noBody())).status());
  }

  @Test
  void anOversizedChunkedBodyIs413Json() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_CREATE, new JsonObject());
    byte[] big = bigJson();

    // ofInputStream has no known length: the client sends it chunked, so the limit trips while reading.
    Response response = send(request("POST", "/api/v1/workflows/",
        BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
        .header("Authorization", "Bearer " + FakeStore.GOOD_KEY));

    assertTooLarge(response);
    assertTrue(store.calls(StoreAddresses.WORKFLOWS_CREATE).isEmpty());
    assertEquals(200, send(request("GET", "/health", BodyPublishers.noBody())).status());
  }

  @Test
  void anOversizedBodyIsAnsweredBeforeItIsSentAndTheConnectionClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", verticle.actualPort())) {
      // The server waits up to OVERSIZED_DRAIN_MS for the rest of the body, then closes.
      socket.setSoTimeout((int) HttpApiVerticle.OVERSIZED_DRAIN_MS + 5_000);
      OutputStream out = socket.getOutputStream();
      // Announce a megabyte, send only a few kilobytes: the answer must not wait for the rest.
      out.write(("POST /api/v1/workflows/ HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
          + FakeStore.GOOD_KEY + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[5_000]);
      out.flush();

      // readAllBytes returns only at end of stream: the server closed the connection after answering.
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.contains("\"detail\":\"Request body too large (limit " + MAX_BODY_BYTES + " bytes).\""),
          answer);
    }
  }

  // --- checkpoint routes: the larger body limit is offered to admins only ---------------------------

  /** Announces a checkpoint body of 80 MB (under the default ~86 MiB limit), sends 5 KB, reads the answer. */
  private static String announceLargeCheckpoint(String authorization) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", verticle.actualPort())) {
      socket.setSoTimeout((int) HttpApiVerticle.OVERSIZED_DRAIN_MS + 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /api/v1/checkpoints/t/c1 HTTP/1.1\r\nHost: localhost\r\n"
          + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
          + "Content-Type: application/json\r\nContent-Length: 80000000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[5_000]);
      out.flush();
      long start = System.nanoTime();
      // readAllBytes returns only at end of stream: the server closed the connection after answering,
      // without waiting for (or keeping) the 80 MB it was promised.
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < HttpApiVerticle.OVERSIZED_DRAIN_MS + 3_000, "took " + millis + " ms");
      return answer;
    }
  }

  @Test
  void anUnauthenticatedCheckpointUploadIs401BeforeItsBodyIsRead() throws IOException {
    store.user(1, Identity.ADMIN).reply(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT, new JsonObject());

    String answer = announceLargeCheckpoint(null);

    assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
    assertTrue(answer.contains("\"detail\":\"Not authenticated\""), answer);
    assertTrue(store.calls(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT).isEmpty());

    // A wrong key too: the store is asked about the key, never about the checkpoint.
    answer = announceLargeCheckpoint("Bearer pk-wrong");
    assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
    assertTrue(store.calls(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT).isEmpty());
  }

  @Test
  void aNormalUsersCheckpointUploadIs403BeforeItsBodyIsRead() throws IOException {
    store.user(7, Identity.NORMAL).reply(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT, new JsonObject());

    String answer = announceLargeCheckpoint("Bearer " + FakeStore.GOOD_KEY);

    assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
    assertTrue(answer.contains("\"detail\":\"Admin access required.\""), answer);
    assertEquals(1, store.calls(StoreAddresses.AUTHENTICATE).size());
    assertTrue(store.calls(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT).isEmpty());
  }

  /**
   * An admin's 20 MiB checkpoint: over the general body limit, and its base64 string (about 28 million
   * characters) over Jackson's default 20,000,000-character limit, which answered 422 "not valid JSON".
   * The key is checked once, before the body is read.
   */
  @Test
  void anAdminsTwentyMebibyteCheckpointIsAcceptedAndDecoded() {
    store.user(1, Identity.ADMIN).reply(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT, new JsonObject());
    byte[] blob = new byte[20 * 1024 * 1024];
    Arrays.fill(blob, (byte) 7);
    String base64 = java.util.Base64.getEncoder().encodeToString(blob);
    assertTrue(base64.length() > 20_000_000);
    String body = "{\"type\":\"msgpack\",\"metadata\":{},\"checkpoint\":\"" + base64 + "\"}";

    Response response = call("PUT", "/api/v1/checkpoints/t/c1", body);

    assertEquals(201, response.status(), response.body());
    JsonObject forwarded = store.onlyCall(io.pipelit.pipelitd.contracts.CheckpointAddresses.PUT).json();
    assertEquals(base64.length(), forwarded.getJsonObject("body").getString("checkpoint").length());
    assertEquals(1, store.calls(StoreAddresses.AUTHENTICATE).size());
  }

  @Test
  void aBodyExactlyAtTheLimitIsAccepted() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_CREATE, new JsonObject());
    String prefix = "{\"description\":\"";
    String body = prefix + "x".repeat((int) MAX_BODY_BYTES - prefix.length() - 2) + "\"}";
    assertEquals(MAX_BODY_BYTES, body.length());

    assertEquals(201, call("POST", "/api/v1/workflows/", body).status());
  }

  private static byte[] bigJson() {
    byte[] big = new byte[(int) MAX_BODY_BYTES * 4];
    Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    return big;
  }

  private static void assertTooLarge(Response response) {
    assertEquals(413, response.status());
    assertEquals(detail("Request body too large (limit " + MAX_BODY_BYTES + " bytes)."), response.json());
    assertEquals("application/json", response.contentType());
  }

  // --- store failures ---------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "NOT_FOUND, 404, Workflow not found.",
      "CONFLICT, 409, Node with id 'a' already exists.",
      "VALIDATION_FAILED, 422, name: field required",
      "FORBIDDEN, 403, Admin access required.",
      "BAD_REQUEST, 400, Bad input.",
      "UNAUTHENTICATED, 401, API key has expired.",
      "PAYLOAD_TOO_LARGE, 413, Too big.",
      "UNAVAILABLE, 503, Shutting down."})
  void storeFailuresMapToTheirStatusAndDetail(ErrorCode code, int status, String message) {
    store.user(7, Identity.NORMAL).fail(StoreAddresses.WORKFLOWS_GET, code, message);

    Response response = get("/api/v1/workflows/wf/");

    assertEquals(status, response.status());
    assertEquals(detail(message), response.json());
    assertEquals("application/json", response.contentType());
    assertTrue(response.headers().firstValue("retry-after").isEmpty());
  }

  @Test
  void overloadedIs503WithRetryAfter() {
    store.user(7, Identity.NORMAL).fail(StoreAddresses.NODES_CREATE, ErrorCode.OVERLOADED, "Write queue full.");

    Response response = call("POST", "/api/v1/workflows/wf/nodes/", "{}");

    assertEquals(503, response.status());
    assertEquals("1", response.headers().firstValue("retry-after").orElse(null));
    assertEquals(detail("Write queue full."), response.json());
  }

  @Test
  void internalStoreFailuresAre500WithoutTheirMessage() {
    store.user(7, Identity.NORMAL).fail(StoreAddresses.WORKFLOWS_GET, ErrorCode.INTERNAL, "SQLITE_CORRUPT at x");

    Response response = get("/api/v1/workflows/wf/");

    assertEquals(500, response.status());
    assertEquals(detail("Internal Server Error"), response.json());
  }

  @Test
  void anUnknownFailureCodeIs500() {
    store.user(7, Identity.NORMAL).fail(StoreAddresses.WORKFLOWS_GET, 1234, "what is this");

    Response response = get("/api/v1/workflows/wf/");

    assertEquals(500, response.status());
    assertEquals(detail("Internal Server Error"), response.json());
  }

  @Test
  void aStructuredStoreDetailIsPassedOnAsJson() {
    JsonObject structured = new JsonObject()
        .put("validation_errors", new JsonArray().add("Port type mismatch: STRING -> MESSAGES"));
    store.user(7, Identity.NORMAL).fail(StoreAddresses.EDGES_CREATE, ErrorCode.VALIDATION_FAILED,
        structured.encode());

    Response response = call("POST", "/api/v1/workflows/wf/edges/", "{\"source_node_id\":\"a\"}");

    assertEquals(422, response.status());
    assertEquals(new JsonObject().put("detail", structured), response.json());
  }

  @Test
  void noStoreAtTheAddressIs503() {
    store.user(7, Identity.NORMAL);

    Response response = get("/api/v1/executions/e-1/");

    assertEquals(503, response.status());
    assertEquals(detail("Store unavailable."), response.json());
  }

  @Test
  void aStoreThatNeverAnswersIs503AfterTheTimeout() {
    store.user(7, Identity.NORMAL).silent(StoreAddresses.EXECUTIONS_CANCEL);

    long start = System.nanoTime();
    Response response = call("POST", "/api/v1/executions/e-1/cancel/", null);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertEquals(503, response.status());
    assertEquals(detail("Store unavailable."), response.json());
    assertTrue(elapsedMs >= STORE_TIMEOUT_MS - 100 && elapsedMs < STORE_TIMEOUT_MS + 5_000, "took " + elapsedMs);
  }

  @Test
  void neitherKeysNorBodiesAreLogged() {
    String secretBody = "{\"password\":\"hunter2-body-secret\"}";
    store.user(7, Identity.NORMAL)
        .fail(StoreAddresses.WORKFLOWS_CREATE, ErrorCode.INTERNAL, "boom")
        .silent(StoreAddresses.EXECUTIONS_CREATE);
    int before = logs.list.size();

    call("POST", "/api/v1/workflows/", secretBody);
    call("POST", "/api/v1/executions/", secretBody);
    send(request("POST", "/api/v1/workflows/", BodyPublishers.ofString(secretBody))
        .header("Authorization", "Bearer pk-wrong-but-secret"));

    List<ILoggingEvent> all = List.copyOf(logs.list);
    List<ILoggingEvent> logged = all.subList(before, all.size());
    assertFalse(logged.isEmpty(), "the INTERNAL and timeout failures are logged");
    for (ILoggingEvent event : logged) {
      String text = event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
      assertFalse(text.contains(FakeStore.GOOD_KEY), text);
      assertFalse(text.contains("pk-wrong-but-secret"), text);
      assertFalse(text.contains("hunter2"), text);
    }
  }

  // --- health -----------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/health", "/health/"})
  void healthIsOkWithoutAuthWhenTheDatabaseIs(String path) {
    store.reply(StoreAddresses.HEALTH, new JsonObject().put("database", true).put("write_queue", 3));

    Response response = send(request("GET", path, BodyPublishers.noBody()));

    assertEquals(200, response.status());
    assertEquals("application/json", response.contentType());
    assertEquals(new JsonObject().put("status", "ok").put("version", VERSION).put("database", true)
        .put("write_queue", 3), response.json());
    assertEquals(new JsonObject(), store.onlyCall(StoreAddresses.HEALTH).json());
  }

  @Test
  void healthIsDegradedWhenTheDatabaseIsDown() {
    store.reply(StoreAddresses.HEALTH, new JsonObject().put("database", false).put("write_queue", 0));

    Response response = send(request("GET", "/health", BodyPublishers.noBody()));

    assertEquals(200, response.status());
    assertEquals(new JsonObject().put("status", "degraded").put("version", VERSION).put("database", false)
        .put("write_queue", 0), response.json());
  }

  @Test
  void healthIsDegradedWithoutAStore() {
    Response response = send(request("GET", "/health", BodyPublishers.noBody()));

    assertEquals(200, response.status());
    assertEquals(new JsonObject().put("status", "degraded").put("version", VERSION).put("database", false)
        .put("write_queue", -1), response.json());
  }

  @Test
  void healthIsDegradedWhenTheStoreIsTooSlow() {
    store.silent(StoreAddresses.HEALTH);

    Response response = send(request("GET", "/health", BodyPublishers.noBody()));

    assertEquals(200, response.status());
    assertEquals("degraded", response.json().getString("status"));
    assertFalse(response.json().getBoolean("database"));
  }

  // --- unknown routes ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/api/v1/nope", "/api/v1/nope/", "/api/v1/workflows/wf/unknown/", "/nope", "/"})
  void anUnknownPathIs404JsonEvenWithoutAuth(String path) {
    Response response = send(request("GET", path, BodyPublishers.noBody()));

    assertEquals(404, response.status());
    assertEquals(detail("Not Found"), response.json());
    assertEquals("application/json", response.contentType());
  }

  @ParameterizedTest
  @CsvSource({"PUT, /api/v1/workflows/", "DELETE, /api/v1/workflows", "POST, /api/v1/workflows/wf/",
      "POST, /health", "GET, /api/v1/executions/e-1/cancel/", "PUT, /api/v1/workflows/wf/edges/1"})
  void aWrongMethodOnAKnownPathIs405Json(String method, String path) {
    Response response = send(request(method, path, BodyPublishers.noBody()));

    assertEquals(405, response.status());
    assertEquals(detail("Method Not Allowed"), response.json());
    assertEquals("application/json", response.contentType());
  }

  @Test
  void noContentAnswersHaveNoBodyAndNoContentType() {
    store.user(7, Identity.NORMAL).reply(StoreAddresses.WORKFLOWS_DELETE, new JsonObject().put("ignored", 1));

    Response response = call("DELETE", "/api/v1/workflows/wf/", null);

    assertEquals(204, response.status());
    assertEquals("", response.body());
    assertNull(response.contentType());
  }
}
