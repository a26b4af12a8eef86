package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on the account routes (login, MFA, users, keys) gets a clear 4xx JSON answer and changes
 * nothing: each request is checked against a fingerprint of user_profiles and api_keys (every column
 * but the debounced last_used_at) taken before it.
 */
class AccountsBadInputTest extends BackendSuite {
  static String normalKey;
  static long normalId;
  static long adminId;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void seed() throws Exception {
    normalId = Accounts.create(daemon, "bad-input-normal", "normal");
    normalKey = Accounts.key(daemon, "bad-input-normal");
    adminId = daemon.get("/api/v1/users/me").json().getLong("id");
  }

  static String fingerprint() throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      for (String sql : new String[] {"SELECT * FROM user_profiles ORDER BY id",
          "SELECT id, user_id, key, name, prefix, created_at, expires_at, is_active FROM api_keys ORDER BY id"}) {
        try (ResultSet rows = s.executeQuery(sql)) {
          ResultSetMetaData meta = rows.getMetaData();
          while (rows.next()) {
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              digest.update(String.valueOf(rows.getObject(i)).getBytes());
              digest.update((byte) 0);
            }
          }
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static Stream<Arguments> badRequests() {
    String u = "/api/v1/users";
    String mfa = "/api/v1/auth/mfa";
    String n = "NORMAL:"; // marks a request sent with the normal user's key
    return Stream.of(
        // key ("" admin, NORMAL: normal, NONE: none) + method, path, body, expected status
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "{not json", 422),
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "[1]", 422),
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "{}", 422),
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "{\"username\":\"admin\"}", 422),
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "{\"username\":5,\"password\":\"x\"}", 422),
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "{\"username\":\"admin\",\"password\":\"wrong one\"}", 401),
        Arguments.of("NONE:POST", "/api/v1/auth/token/", "{\"username\":\"ghost\",\"password\":\"wrong one\"}", 401),
        Arguments.of("NONE:POST", mfa + "/login-verify/", "{}", 422),
        Arguments.of("NONE:POST", mfa + "/login-verify/", "{\"username\":\"admin\",\"code\":\"123456\"}", 422),
        Arguments.of("NONE:POST", mfa + "/login-verify/",
            "{\"username\":\"admin\",\"code\":\"12\",\"mfa_token\":\"x\"}", 422),
        Arguments.of("NONE:POST", mfa + "/login-verify/",
            "{\"username\":\"admin\",\"code\":\"123456\",\"mfa_token\":\"bogus\"}", 401),
        Arguments.of("POST", mfa + "/verify/", "{}", 422),
        Arguments.of("POST", mfa + "/verify/", "{\"code\":123456}", 422),
        Arguments.of("POST", mfa + "/verify/", "{\"code\":\"abcdef\"}", 422),
        Arguments.of("POST", mfa + "/verify/", "{\"code\":\"1234567\"}", 422),
        Arguments.of("POST", mfa + "/verify/", "{\"code\":\"123456\"}", 400),
        Arguments.of("POST", mfa + "/disable/", "{\"code\":\"123456\"}", 400),
        Arguments.of("POST", mfa + "/disable/", "not json", 422),
        Arguments.of("POST", u + "/", "{}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"x1\"}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"x1\",\"password\":\"short\"}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"x1\",\"password\":\"" + "p".repeat(73) + "\"}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"x1\",\"password\":\"long enough\",\"role\":\"root\"}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\" x1\",\"password\":\"long enough\"}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"" + "x".repeat(151) + "\",\"password\":\"long enough\"}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"x1\",\"password\":\"long enough\",\"first_name\":5}", 422),
        Arguments.of("POST", u + "/", "{\"username\":\"admin\",\"password\":\"long enough\"}", 409),
        Arguments.of(n + "POST", u + "/", "{\"username\":\"x1\",\"password\":\"long enough\"}", 403),
        Arguments.of("GET", u + "/?limit=0", null, 422),
        Arguments.of("GET", u + "/?offset=-1", null, 422),
        Arguments.of("GET", u + "/notanumber", null, 404),
        Arguments.of("GET", u + "/999999", null, 404),
        Arguments.of("PATCH", u + "/999999", "{\"first_name\":\"x\"}", 404),
        Arguments.of("PATCH", u + "/ADMIN", "{\"role\":\"normal\"}", 409),
        Arguments.of("PATCH", u + "/ADMIN", "{\"is_active\":false}", 409),
        Arguments.of("PATCH", u + "/ADMIN", "{\"role\":\"boss\"}", 422),
        Arguments.of("PATCH", u + "/ADMIN", "{\"password\":\"short\"}", 422),
        Arguments.of("PATCH", u + "/ADMIN", "{\"is_active\":\"no\"}", 422),
        Arguments.of("PATCH", u + "/ADMIN", "[]", 422),
        Arguments.of(n + "PATCH", u + "/NORMAL", "{\"role\":\"admin\"}", 403),
        Arguments.of(n + "DELETE", u + "/ADMIN", null, 403),
        Arguments.of("DELETE", u + "/ADMIN", null, 409),
        Arguments.of("DELETE", u + "/999999", null, 404),
        Arguments.of("DELETE", u + "/me", null, 404),
        Arguments.of(n + "PATCH", u + "/me", "{\"password\":\"short\"}", 422),
        Arguments.of(n + "PATCH", u + "/me", "{\"first_name\":[\"x\"]}", 422),
        Arguments.of(n + "PATCH", u + "/me", "{\"last_name\":\"" + "y".repeat(151) + "\"}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":\"\"}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":5}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":\"" + "k".repeat(101) + "\"}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":\"session\"}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":\"k\",\"expires_at\":\"2020-01-01T00:00:00Z\"}", 400),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":\"k\",\"expires_at\":\"tomorrow\"}", 422),
        Arguments.of(n + "POST", u + "/me/keys", "{\"name\":\"k\",\"expires_at\":12}", 422),
        Arguments.of(n + "DELETE", u + "/me/keys/999999", null, 404),
        Arguments.of(n + "DELETE", u + "/me/keys/abc", null, 404),
        Arguments.of(n + "POST", u + "/ADMIN/keys", "{\"name\":\"k\"}", 403),
        Arguments.of(n + "GET", u + "/ADMIN/keys", null, 403),
        Arguments.of("POST", u + "/999999/keys", "{\"name\":\"k\"}", 404),
        Arguments.of("GET", u + "/999999/keys", null, 404),
        Arguments.of("DELETE", u + "/ADMIN/keys/999999", null, 404),
        Arguments.of("DELETE", u + "/NORMAL/keys/ADMINKEY", null, 404));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("badRequests")
  void badRequestGetsA4xxJsonAnswerAndChangesNothing(String keyAndMethod, String path, String body, int expected)
      throws Exception {
    String key = daemon.adminKey;
    String method = keyAndMethod;
    if (keyAndMethod.startsWith("NORMAL:")) {
      key = normalKey;
      method = keyAndMethod.substring(7);
    } else if (keyAndMethod.startsWith("NONE:")) {
      key = null;
      method = keyAndMethod.substring(5);
    }
    String adminKeyId = String.valueOf(daemon.count("SELECT MIN(id) FROM api_keys WHERE user_id = " + adminId));
    String resolved = path.replace("ADMINKEY", adminKeyId).replace("ADMIN", String.valueOf(adminId))
        .replace("NORMAL", String.valueOf(normalId));
    String before = fingerprint();
    Response response = daemon.send(method, resolved, key, body);
    assertEquals(expected, response.status(), response.body());
    assertTrue(response.contentType().startsWith("application/json"), response.contentType());
    assertNotNull(new JsonObject(response.body()).getValue("detail"), response.body());
    assertEquals(before, fingerprint(), "the database changed");
  }
}
