package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The account routes of the table (§3.2, §3.3): what reaches the store, with or without a key. */
class AccountRoutesTest extends HttpApiTestBase {

  record Case(String method, String path, String body, String address, JsonObject request, int status) {}

  static List<Case> cases() {
    String u = "/api/v1/users";
    String a = "/api/v1/auth";
    JsonObject body = new JsonObject().put("name", "k");
    return List.of(
        new Case("GET", a + "/me/", null, StoreAddresses.AUTH_ME, new JsonObject(), 200),
        new Case("POST", a + "/mfa/setup/", null, StoreAddresses.AUTH_MFA_SETUP, new JsonObject(), 200),
        new Case("POST", a + "/mfa/verify/", "{\"code\":\"123456\"}", StoreAddresses.AUTH_MFA_VERIFY,
            new JsonObject().put("body", new JsonObject().put("code", "123456")), 200),
        new Case("POST", a + "/mfa/disable/", "{\"code\":\"123456\"}", StoreAddresses.AUTH_MFA_DISABLE,
            new JsonObject().put("body", new JsonObject().put("code", "123456")), 200),
        new Case("GET", a + "/mfa/status/", null, StoreAddresses.AUTH_MFA_STATUS, new JsonObject(), 200),
        new Case("POST", a + "/mfa/reset/", null, StoreAddresses.AUTH_MFA_RESET, new JsonObject(), 200),
        new Case("GET", u + "/me", null, StoreAddresses.USERS_ME_GET, new JsonObject(), 200),
        new Case("PATCH", u + "/me", "{\"first_name\":\"F\"}", StoreAddresses.USERS_ME_UPDATE,
            new JsonObject().put("body", new JsonObject().put("first_name", "F")), 200),
        new Case("POST", u + "/me/keys", body.encode(), StoreAddresses.KEYS_CREATE,
            new JsonObject().put("body", body), 201),
        new Case("GET", u + "/me/keys", null, StoreAddresses.KEYS_LIST, new JsonObject(), 200),
        new Case("DELETE", u + "/me/keys/7", null, StoreAddresses.KEYS_REVOKE, new JsonObject().put("key_id", 7), 204),
        new Case("GET", u + "/", null, StoreAddresses.USERS_LIST,
            new JsonObject().put("limit", 50).put("offset", 0), 200),
        new Case("POST", u + "/", "{\"username\":\"x\"}", StoreAddresses.USERS_CREATE,
            new JsonObject().put("body", new JsonObject().put("username", "x")), 201),
        new Case("GET", u + "/5", null, StoreAddresses.USERS_GET, new JsonObject().put("user_id", 5), 200),
        new Case("PATCH", u + "/5", "{\"role\":\"admin\"}", StoreAddresses.USERS_UPDATE,
            new JsonObject().put("user_id", 5).put("body", new JsonObject().put("role", "admin")), 200),
        new Case("DELETE", u + "/5", null, StoreAddresses.USERS_DELETE, new JsonObject().put("user_id", 5), 204),
        new Case("POST", u + "/5/keys", body.encode(), StoreAddresses.KEYS_CREATE,
            new JsonObject().put("user_id", 5).put("body", body), 201),
        new Case("GET", u + "/5/keys", null, StoreAddresses.KEYS_LIST, new JsonObject().put("user_id", 5), 200),
        new Case("DELETE", u + "/5/keys/7", null, StoreAddresses.KEYS_REVOKE,
            new JsonObject().put("user_id", 5).put("key_id", 7), 204));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachAccountRouteReachesItsAddressWithTheCallersIdentity(Case c) {
    String method = c.method();
    String path = c.path();
    String body = c.body();
    String address = c.address();
    JsonObject request = c.request();
    int status = c.status();
    store.user(7, Identity.NORMAL).reply(address, address.equals(StoreAddresses.KEYS_LIST)
        ? new JsonArray() : new JsonObject().put("ok", true));
    Response response = call(method, path, body);
    assertEquals(status, response.status(), response.body());
    FakeStore.Call call = store.onlyCall(address);
    assertEquals(request, call.json());
    assertEquals("7", call.headers().get(StoreHeaders.USER_ID));
  }

  @Test
  void theCasesCoverEveryAccountRoute() {
    assertEquals(ApiRoutes.ACCOUNTS.size(), cases().size());
  }

  @Test
  void noRouteReachesTheCommandLinesTrustedAddresses() {
    for (List<ApiRoute> table : List.of(ApiRoutes.ALL, ApiRoutes.ACCOUNTS, ApiRoutes.PUBLIC)) {
      for (ApiRoute route : table) {
        assertTrue(!route.address().contains(".cli.") && !route.address().equals(StoreAddresses.SETUP_ADMIN),
            route.toString());
      }
    }
  }

  @Test
  void loginRoutesNeedNoKeyAndCarryNoIdentity() {
    store.reply(StoreAddresses.AUTH_TOKEN, new JsonObject().put("key", "k").put("requires_mfa", false));
    store.reply(StoreAddresses.AUTH_MFA_LOGIN_VERIFY, new JsonObject().put("key", "k2"));
    Response token = send(request("POST", "/api/v1/auth/token/",
        BodyPublishers.ofString("{\"username\":\"a\",\"password\":\"b\"}")));
    assertEquals(200, token.status(), token.body());
    assertEquals("k", token.json().getString("key"));
    FakeStore.Call call = store.onlyCall(StoreAddresses.AUTH_TOKEN);
    assertEquals(new JsonObject().put("body", new JsonObject().put("username", "a").put("password", "b")),
        call.json());
    assertNull(call.headers().get(StoreHeaders.USER_ID));
    assertEquals(200, send(request("POST", "/api/v1/auth/mfa/login-verify", BodyPublishers.ofString("{}")))
        .status());
    assertTrue(store.calls(StoreAddresses.AUTHENTICATE).isEmpty(), "no key lookup for login routes");
    assertEquals(422, send(request("POST", "/api/v1/auth/token/", BodyPublishers.ofString("{oops"))).status());
  }

  @Test
  void mfaResetIsOnlyForLoopbackClients() {
    // The decision on the peer address; tests send traffic to loopback only, so a non-loopback peer is
    // checked here rather than over the network.
    assertTrue(RequestPart.isLoopback("127.0.0.1"));
    assertTrue(RequestPart.isLoopback("127.12.0.9"));
    assertTrue(RequestPart.isLoopback("::1"));
    assertTrue(RequestPart.isLoopback("0:0:0:0:0:0:0:1"));
    assertFalse(RequestPart.isLoopback("10.1.2.3"));
    assertFalse(RequestPart.isLoopback("192.168.1.20"));
    assertFalse(RequestPart.isLoopback("fe80::1"));
    assertFalse(RequestPart.isLoopback("localhost")); // a name is never resolved here
    assertFalse(RequestPart.isLoopback(null));
    assertFalse(RequestPart.isLoopback(""));
  }
}
