package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.Totp;
import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bearer-key cache (PIPELITD_AUTH_CACHE_SECONDS) on both backends. The TTL here is an hour, so a key
 * refused right after a change proves the in-process invalidation, never an expiry.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
class AuthCacheApiTest {
  private static final String API = "/api/v1";
  private static final String ME = API + "/auth/me/";
  static Daemon daemon;

  @Parameter
  Backend backend;

  @BeforeParameterizedClassInvocation
  static void startDaemon(Backend backend) throws Exception {
    daemon = Daemon.start(backend, Files.createTempDirectory("pipelitd-authcache-"),
        new JsonObject().put(ConfigKeys.AUTH_CACHE_SECONDS, 3_600));
  }

  @AfterParameterizedClassInvocation
  static void stopDaemon() {
    if (daemon != null) {
      daemon.close();
      daemon = null;
    }
  }

  private static int status(String key) throws Exception {
    return daemon.send("GET", ME, key, null).status();
  }

  /** A named key made by the admin for a new user: {@code {"id", "key", ...}}. */
  private static JsonObject newKey(long userId) throws Exception {
    Response created = daemon.post(API + "/users/" + userId + "/keys", new JsonObject().put("name", "bench"));
    assertEquals(201, created.status(), created.body());
    return created.json();
  }

  @Test
  void aRevokedKeyStopsAtOnce() throws Exception {
    long userId = Accounts.create(daemon, "cache-revoke", "normal");
    JsonObject key = newKey(userId);
    String secret = key.getString("key");
    assertEquals(200, status(secret));
    assertEquals(200, status(secret)); // now served from the cache
    assertEquals(204, daemon.delete(API + "/users/" + userId + "/keys/" + key.getLong("id")).status());
    Response refused = daemon.send("GET", ME, secret, null);
    assertEquals(401, refused.status());
    assertEquals("API key has been revoked.", refused.detail());
  }

  @Test
  void aRevokedKeyStopsAtOnceOverTheBridgeToo() throws Exception {
    int bridgePort = BridgeSocket.deployBridge(daemon);
    long userId = Accounts.create(daemon, "cache-bridge-revoke", "normal");
    JsonObject key = newKey(userId);
    String secret = key.getString("key");
    BridgeSocket client = new BridgeSocket(bridgePort);
    try {
      for (int i = 0; i < 2; i++) { // the second frame reuses the store's answer for the key
        JsonObject served = client.request("pipelit.store.workflows.list", new JsonObject(), secret);
        assertEquals("message", served.getString("type"), served.encode());
      }
      assertEquals(204, daemon.delete(API + "/users/" + userId + "/keys/" + key.getLong("id")).status());
      JsonObject refused = client.request("pipelit.store.workflows.list", new JsonObject(), secret);
      assertEquals("err", refused.getString("type"), refused.encode());
      assertEquals("not_authenticated", refused.getString("message"));
    } finally {
      client.socket.close();
    }
  }

  @Test
  void aKeyRevokedByItsOwnerStopsAtOnce() throws Exception {
    long userId = Accounts.create(daemon, "cache-self-revoke", "normal");
    JsonObject key = newKey(userId);
    String secret = key.getString("key");
    assertEquals(200, status(secret));
    assertEquals(204, daemon.send("DELETE", API + "/users/me/keys/" + key.getLong("id"), secret, null).status());
    assertEquals(401, status(secret));
  }

  @Test
  void deletingOrDeactivatingAUserStopsTheirKeysAtOnce() throws Exception {
    long deleted = Accounts.create(daemon, "cache-deleted", "normal");
    String deletedKey = newKey(deleted).getString("key");
    assertEquals(200, status(deletedKey));
    assertEquals(204, daemon.delete(API + "/users/" + deleted).status());
    assertEquals(401, status(deletedKey));

    long deactivated = Accounts.create(daemon, "cache-deactivated", "normal");
    String deactivatedKey = newKey(deactivated).getString("key");
    assertEquals(200, status(deactivatedKey));
    assertEquals(200, daemon.patch(API + "/users/" + deactivated, new JsonObject().put("is_active", false)).status());
    assertEquals(401, status(deactivatedKey));
  }

  @Test
  void aDemotedAdminLosesAdminRightsAtOnce() throws Exception {
    long userId = Accounts.create(daemon, "cache-demoted", "admin");
    String key = newKey(userId).getString("key");
    assertEquals(200, daemon.send("GET", API + "/users/", key, null).status());
    assertEquals(200, daemon.patch(API + "/users/" + userId, new JsonObject().put("role", "normal")).status());
    Response refused = daemon.send("GET", API + "/users/", key, null);
    assertEquals(403, refused.status(), refused.body());
  }

  @Test
  void aLoginStopsThePreviousSessionKeyAtOnce() throws Exception {
    Accounts.create(daemon, "cache-rotor", "normal");
    String first = Accounts.key(daemon, "cache-rotor");
    assertEquals(200, status(first));
    String second = Accounts.key(daemon, "cache-rotor");
    assertEquals(401, status(first));
    assertEquals(200, status(second));
  }

  @Test
  void anMfaLoginStopsThePreviousSessionKeyAtOnce() throws Exception {
    Accounts.create(daemon, "cache-mfa", "normal");
    String first = Accounts.key(daemon, "cache-mfa");
    Response setup = daemon.send("POST", API + "/auth/mfa/setup/", first, null);
    assertEquals(200, setup.status(), setup.body());
    byte[] secret = Totp.base32Decode(setup.json().getString("secret"));
    // At least 10 s left in this 30 s step, so that this step's and the previous step's codes stay valid.
    if (30_000 - System.currentTimeMillis() % 30_000 < 10_000) {
      Thread.sleep(30_000 - System.currentTimeMillis() % 30_000 + 200);
    }
    long step = Totp.step(System.currentTimeMillis() / 1000);
    Response verified = daemon.send("POST", API + "/auth/mfa/verify/", first,
        new JsonObject().put("code", Totp.code(secret, step - 1, 6)).encode());
    assertEquals(200, verified.status(), verified.body());
    assertEquals(200, status(first)); // cached
    Response login = Accounts.login(daemon, "cache-mfa", Accounts.PASSWORD);
    assertEquals(200, login.status(), login.body());
    Response second = daemon.send("POST", API + "/auth/mfa/login-verify/", null, new JsonObject()
        .put("username", "cache-mfa").put("code", Totp.code(secret, step, 6))
        .put("mfa_token", login.json().getString("mfa_token")).encode());
    assertEquals(200, second.status(), second.body());
    assertEquals(401, status(first));
    assertEquals(200, status(second.json().getString("key")));
  }

  @Test
  void refusalsAreNotCachedSoANewKeyWorksAtOnce() throws Exception {
    long userId = Accounts.create(daemon, "cache-later", "normal");
    String key = ApiKeys.generate();
    assertEquals(401, status(key));
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO api_keys (user_id, key, name, prefix, is_active) VALUES (?, ?, 'later', ?, TRUE)")) {
      s.setLong(1, userId);
      s.setString(2, ApiKeys.hash(key));
      s.setString(3, ApiKeys.prefix(key));
      s.executeUpdate();
    }
    assertEquals(200, status(key));
  }

  @Test
  void aChangeBehindTheDaemonsBackWaitsForTheTtlAsDocumented() throws Exception {
    // The cache really serves repeated requests: a direct SQL revoke (no store call) is not seen within the TTL,
    // while a key never looked up before is read from the database and refused.
    String used = daemon.createNormalUser("cache-outside-used");
    String unused = daemon.createNormalUser("cache-outside-unused");
    assertEquals(200, status(used));
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE api_keys SET is_active = FALSE WHERE user_id IN"
          + " (SELECT id FROM user_profiles WHERE username IN ('cache-outside-used', 'cache-outside-unused'))");
    }
    assertEquals(200, status(used));
    assertEquals(401, status(unused));
  }
}
