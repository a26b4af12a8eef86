package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Login, users, API keys and roles (reference §3.2, §3.3) over real HTTP, on both backends. */
class AccountsApiTest extends BackendSuite {
  private static final String API = "/api/v1";

  @Test
  void eachLoginRotatesTheSingleSessionKey() throws Exception {
    long id = Accounts.create(daemon, "rotor", "normal");
    Response first = Accounts.login(daemon, "rotor", Accounts.PASSWORD);
    assertEquals(200, first.status(), first.body());
    assertEquals(false, first.json().getBoolean("requires_mfa"));
    String key1 = first.json().getString("key");
    assertEquals(43, key1.length());
    String key2 = Accounts.key(daemon, "rotor");
    assertNotEquals(key1, key2);

    Response stale = daemon.send("GET", API + "/auth/me/", key1, null);
    assertEquals(401, stale.status());
    Response me = daemon.send("GET", API + "/auth/me/", key2, null);
    assertEquals(200, me.status(), me.body());
    assertEquals(new JsonObject().put("username", "rotor").put("mfa_enabled", false), me.json());

    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT key, prefix, is_active FROM api_keys WHERE user_id = ? AND name = 'session'")) {
      s.setLong(1, id);
      try (ResultSet rows = s.executeQuery()) {
        assertTrue(rows.next());
        assertEquals(ApiKeys.hash(key2), rows.getString("key"), "only the digest is stored");
        assertEquals(key2.substring(0, 8), rows.getString("prefix"));
        assertFalse(rows.next(), "one session key per user");
      }
    }
  }

  @Test
  void badCredentialsAreOneAnswer() throws Exception {
    Accounts.create(daemon, "careful", "normal");
    Response wrong = Accounts.login(daemon, "careful", "not the password");
    assertEquals(401, wrong.status());
    assertEquals("Invalid credentials.", wrong.detail());
    Response unknown = Accounts.login(daemon, "nobody-at-all", "not the password");
    assertEquals(401, unknown.status());
    assertEquals("Invalid credentials.", unknown.detail());
    daemon.createNormalUser("no-hash"); // password_hash '' never matches
    assertEquals(401, Accounts.login(daemon, "no-hash", "").status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM api_keys WHERE name = 'session' AND user_id ="
        + " (SELECT id FROM user_profiles WHERE username = 'careful')"));
  }

  @Test
  void adminManagesUsers() throws Exception {
    Response created = daemon.post(API + "/users/", new JsonObject().put("username", "carol")
        .put("password", Accounts.PASSWORD).put("first_name", "Carol").put("last_name", "King"));
    assertEquals(201, created.status(), created.body());
    JsonObject carol = created.json();
    assertEquals(Set.of("id", "username", "role", "first_name", "last_name", "created_at", "mfa_enabled",
        "key_count", "is_active"), carol.fieldNames());
    assertEquals("normal", carol.getString("role"));
    assertEquals("Carol", carol.getString("first_name"));
    assertEquals(0, carol.getInteger("key_count"));
    long id = carol.getLong("id");
    String hash = readString("SELECT password_hash FROM user_profiles WHERE id = " + id);
    assertTrue(hash.startsWith("$2b$12$"), "bcrypt $2b$: " + hash.substring(0, 7));

    Response dup = daemon.post(API + "/users/", new JsonObject().put("username", "carol").put("password", "whatever1"));
    assertEquals(409, dup.status());
    assertEquals("Username already exists.", dup.detail());

    JsonObject list = daemon.get(API + "/users/?limit=1000").json();
    assertEquals(list.getLong("total"), (long) list.getJsonArray("users").size());
    assertTrue(list.getJsonArray("users").stream().anyMatch(u -> ((JsonObject) u).getLong("id") == id));
    assertEquals(1, daemon.get(API + "/users/?limit=1").json().getJsonArray("users").size());
    assertEquals("carol", daemon.get(API + "/users/" + id).json().getString("username"));

    Response patched = daemon.patch(API + "/users/" + id, new JsonObject().put("role", "admin")
        .put("last_name", "Queen").put("password", "another password"));
    assertEquals(200, patched.status(), patched.body());
    assertEquals("admin", patched.json().getString("role"));
    assertEquals("Queen", patched.json().getString("last_name"));
    assertEquals(401, Accounts.login(daemon, "carol", Accounts.PASSWORD).status());
    String key = Accounts.login(daemon, "carol", "another password").json().getString("key");
    assertEquals(200, daemon.send("GET", API + "/users/", key, null).status(), "carol is an admin now");
    assertEquals(1, daemon.get(API + "/users/" + id).json().getInteger("key_count"));
  }

  @Test
  void usersMeShowsAndUpdatesOnlyTheCallerAndIgnoresRole() throws Exception {
    String key = Accounts.userWithKey(daemon, "dave", "normal");
    Response me = daemon.send("GET", API + "/users/me", key, null);
    assertEquals(200, me.status(), me.body());
    assertEquals("dave", me.json().getString("username"));
    assertEquals(1, me.json().getInteger("key_count"));
    Response patched = daemon.send("PATCH", API + "/users/me", key, new JsonObject().put("role", "admin")
        .put("first_name", "David").put("password", "dave's new pass").encode());
    assertEquals(200, patched.status(), patched.body());
    assertEquals("normal", patched.json().getString("role"));
    assertEquals("David", patched.json().getString("first_name"));
    assertEquals(403, daemon.send("GET", API + "/users/", key, null).status());
    assertEquals(200, Accounts.login(daemon, "dave", "dave's new pass").status());
  }

  @Test
  void namedKeysAreShownOnceListedAndRevoked() throws Exception {
    String session = Accounts.userWithKey(daemon, "erin", "normal");
    Response created = daemon.send("POST", API + "/users/me/keys", session,
        new JsonObject().put("name", "ci").encode());
    assertEquals(201, created.status(), created.body());
    JsonObject key = created.json();
    assertEquals(Set.of("id", "name", "prefix", "created_at", "last_used_at", "expires_at", "is_active", "key"),
        key.fieldNames());
    String full = key.getString("key");
    assertEquals(full.substring(0, 8), key.getString("prefix"));
    assertTrue(key.getBoolean("is_active"));
    assertNull(key.getValue("expires_at"));
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM api_keys WHERE key = '" + full + "'"), "never stored in clear");
    assertEquals(200, daemon.send("GET", API + "/auth/me/", full, null).status());

    JsonArray keys = daemon.send("GET", API + "/users/me/keys", session, null).array();
    assertEquals(2, keys.size());
    assertEquals("ci", keys.getJsonObject(0).getString("name"), "newest first");
    assertFalse(keys.getJsonObject(0).containsKey("key"));

    Response revoked = daemon.send("DELETE", API + "/users/me/keys/" + key.getLong("id"), session, null);
    assertEquals(204, revoked.status(), revoked.body());
    Response refused = daemon.send("GET", API + "/auth/me/", full, null);
    assertEquals(401, refused.status());
    assertEquals("API key has been revoked.", refused.detail());
    assertFalse(daemon.send("GET", API + "/users/me/keys", session, null).array().getJsonObject(0)
        .getBoolean("is_active"));

    // Someone else's key id: 404, and nothing changes.
    String other = Accounts.userWithKey(daemon, "frank", "normal");
    long frankKey = daemon.send("GET", API + "/users/me/keys", other, null).array().getJsonObject(0).getLong("id");
    Response notMine = daemon.send("DELETE", API + "/users/me/keys/" + frankKey, session, null);
    assertEquals(404, notMine.status());
    assertEquals("API key not found.", notMine.detail());
    assertEquals(200, daemon.send("GET", API + "/auth/me/", other, null).status());
  }

  @Test
  void keysExpire() throws Exception {
    String session = Accounts.userWithKey(daemon, "gina", "normal");
    Response past = daemon.send("POST", API + "/users/me/keys", session,
        new JsonObject().put("name", "old").put("expires_at", "2020-01-01T00:00:00").encode());
    assertEquals(400, past.status());
    assertEquals("expires_at must be in the future.", past.detail());
    Instant soon = Instant.now().plusSeconds(2);
    Response created = daemon.send("POST", API + "/users/me/keys", session,
        new JsonObject().put("name", "brief").put("expires_at", soon.toString()).encode());
    assertEquals(201, created.status(), created.body());
    String key = created.json().getString("key");
    assertTrue(created.json().getString("expires_at").endsWith("+00:00"));
    assertEquals(200, daemon.send("GET", API + "/auth/me/", key, null).status());
    Thread.sleep(Math.max(0, soon.toEpochMilli() - System.currentTimeMillis()) + 300);
    Response expired = daemon.send("GET", API + "/auth/me/", key, null);
    assertEquals(401, expired.status());
    assertEquals("API key has expired.", expired.detail());
  }

  @Test
  void adminManagesOtherUsersKeys() throws Exception {
    long id = Accounts.create(daemon, "hank", "normal");
    Response created = daemon.post(API + "/users/" + id + "/keys", new JsonObject().put("name", "robot"));
    assertEquals(201, created.status(), created.body());
    String key = created.json().getString("key");
    assertEquals("hank", daemon.send("GET", API + "/auth/me/", key, null).json().getString("username"));
    JsonArray keys = daemon.get(API + "/users/" + id + "/keys").array();
    assertEquals(1, keys.size());
    assertEquals(204, daemon.delete(API + "/users/" + id + "/keys/" + created.json().getLong("id")).status());
    assertEquals(401, daemon.send("GET", API + "/auth/me/", key, null).status());
    assertEquals(404, daemon.get(API + "/users/999999/keys").status());
    assertEquals(404, daemon.post(API + "/users/999999/keys", new JsonObject().put("name", "x")).status());
  }

  @Test
  void aDeletedUserCanNeitherLogInNorUseAnyKey() throws Exception {
    long id = Accounts.create(daemon, "ivan", "normal");
    String session = Accounts.key(daemon, "ivan");
    String named = daemon.send("POST", API + "/users/me/keys", session, new JsonObject().put("name", "n").encode())
        .json().getString("key");

    assertEquals(204, daemon.delete(API + "/users/" + id).status());

    for (String key : List.of(session, named)) {
      Response refused = daemon.send("GET", API + "/auth/me/", key, null);
      assertEquals(401, refused.status());
    }
    Response login = Accounts.login(daemon, "ivan", Accounts.PASSWORD);
    assertEquals(401, login.status());
    assertEquals("Invalid credentials.", login.detail());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM api_keys WHERE is_active AND user_id = " + id),
        "no key re-activated");
    JsonObject ivan = daemon.get(API + "/users/" + id).json();
    assertFalse(ivan.getBoolean("is_active"));
    assertEquals(0, ivan.getInteger("key_count"));
    Response newKey = daemon.post(API + "/users/" + id + "/keys", new JsonObject().put("name", "x"));
    assertEquals(409, newKey.status());

    // Even a key an admin re-activates by hand stays refused while the user is deactivated.
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "UPDATE api_keys SET is_active = TRUE WHERE user_id = ?")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
    Response stillRefused = daemon.send("GET", API + "/auth/me/", named, null);
    assertEquals(401, stillRefused.status());
    assertEquals("User is deactivated.", stillRefused.detail());

    // An admin can re-activate the user (pipelitd's addition); keys stay as they are, a login gives a new one.
    assertEquals(200, daemon.patch(API + "/users/" + id, new JsonObject().put("is_active", true)).status());
    assertEquals(200, Accounts.login(daemon, "ivan", Accounts.PASSWORD).status());
  }

  @Test
  void theLastActiveAdminCannotBeDemotedDeletedOrDeactivated() throws Exception {
    // Other tests of this class may have made admins: deactivate every admin but "admin" first.
    JsonArray users = daemon.get(API + "/users/?limit=1000").json().getJsonArray("users");
    long adminId = -1;
    for (Object u : users) {
      JsonObject user = (JsonObject) u;
      if (user.getString("username").equals("admin")) {
        adminId = user.getLong("id");
      } else if (user.getString("role").equals("admin") && user.getBoolean("is_active")) {
        assertEquals(204, daemon.delete(API + "/users/" + user.getLong("id")).status());
      }
    }
    Response demote = daemon.patch(API + "/users/" + adminId, new JsonObject().put("role", "normal"));
    assertEquals(409, demote.status());
    assertEquals("Cannot demote the last admin user.", demote.detail());
    Response delete = daemon.delete(API + "/users/" + adminId);
    assertEquals(409, delete.status());
    assertEquals("Cannot delete the last admin user.", delete.detail());
    assertEquals(409, daemon.patch(API + "/users/" + adminId, new JsonObject().put("is_active", false)).status());
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM user_profiles WHERE role = 'admin' AND is_active"));

    long second = Accounts.create(daemon, "second-admin", "admin");
    assertEquals(200, daemon.patch(API + "/users/" + second, new JsonObject().put("role", "normal")).status());
    assertEquals(409, daemon.delete(API + "/users/" + adminId).status());
    assertEquals(200, daemon.patch(API + "/users/" + second, new JsonObject().put("role", "admin")).status());
    // With two admins, the admin may delete itself... and then the other is the last one.
    String secondKey = Accounts.key(daemon, "second-admin");
    assertEquals(204, daemon.delete(API + "/users/" + second).status());
    assertEquals(401, daemon.send("GET", API + "/users/", secondKey, null).status());
    assertEquals(409, daemon.delete(API + "/users/" + adminId).status());
  }

  @Test
  void concurrentLoginsLeaveOneSessionKey() throws Exception {
    long id = Accounts.create(daemon, "racer", "normal");
    String body = new JsonObject().put("username", "racer").put("password", Accounts.PASSWORD).encode();
    List<java.util.concurrent.CompletableFuture<Response>> logins = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      logins.add(daemon.sendAsync("POST", API + "/auth/token/", null, body));
    }
    for (java.util.concurrent.CompletableFuture<Response> login : logins) {
      login.get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM api_keys WHERE name = 'session' AND user_id = " + id));
    int working = 0;
    for (java.util.concurrent.CompletableFuture<Response> login : logins) {
      Response response = login.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(200, response.status(), response.body());
      if (daemon.send("GET", API + "/auth/me/", response.json().getString("key"), null).status() == 200) {
        working++;
      }
    }
    assertEquals(1, working, "only the last rotation's key works");
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM api_keys WHERE name = 'session' AND user_id = " + id));
  }

  @Test
  void concurrentDemotionsNeverRemoveTheLastAdmin() throws Exception {
    JsonObject admin = daemon.get(API + "/users/me").json();
    long adminId = admin.getLong("id");
    long otherId = Accounts.create(daemon, "rival-admin", "admin");
    String otherKey = Accounts.key(daemon, "rival-admin");
    // Any other active admin (made by other tests) would make both demotions legal: deactivate them.
    for (Object u : daemon.get(API + "/users/?limit=1000").json().getJsonArray("users")) {
      JsonObject user = (JsonObject) u;
      long uid = user.getLong("id");
      if (uid != adminId && uid != otherId && user.getString("role").equals("admin") && user.getBoolean("is_active")) {
        assertEquals(204, daemon.delete(API + "/users/" + uid).status());
      }
    }
    String demote = new JsonObject().put("role", "normal").encode();
    var first = daemon.sendAsync("PATCH", API + "/users/" + adminId, otherKey, demote);
    var second = daemon.sendAsync("PATCH", API + "/users/" + otherId, daemon.adminKey, demote);
    List<Integer> statuses = List.of(first.get(60, java.util.concurrent.TimeUnit.SECONDS).status(),
        second.get(60, java.util.concurrent.TimeUnit.SECONDS).status());
    assertTrue(statuses.contains(200), statuses.toString());
    // The loser either finds the other demotion done (409) or is no admin any more itself (403).
    assertTrue(statuses.contains(409) || statuses.contains(403), statuses.toString());
    assertEquals(1, daemon.count("SELECT COUNT(*) FROM user_profiles WHERE role = 'admin' AND is_active"));
    // Put "admin" back for the other tests.
    if (!daemon.get(API + "/users/me").json().getString("role").equals("admin")) {
      assertEquals(200, daemon.send("PATCH", API + "/users/" + adminId, otherKey,
          new JsonObject().put("role", "admin").encode()).status());
    }
    assertEquals("admin", daemon.get(API + "/users/me").json().getString("role"));
  }

  @Test
  void roleMatrixOverEveryAccountRoute() throws Exception {
    long targetId = Accounts.create(daemon, "matrix-target", "normal");
    String normal = Accounts.userWithKey(daemon, "matrix-normal", "normal");
    long goneId = Accounts.create(daemon, "matrix-gone", "normal");
    String gone = Accounts.key(daemon, "matrix-gone");
    assertEquals(204, daemon.delete(API + "/users/" + goneId).status());
    long targetKey = daemon.post(API + "/users/" + targetId + "/keys", new JsonObject().put("name", "t"))
        .json().getLong("id");
    String u = API + "/users/" + targetId;

    // Admin-only: admin 2xx, normal 403, no key 401, deactivated user's key 401.
    record Case(String method, String path, String body, int adminStatus) {}
    List<Case> adminOnly = List.of(
        new Case("GET", API + "/users/", null, 200),
        new Case("POST", API + "/users/", new JsonObject().put("username", "matrix-made")
            .put("password", Accounts.PASSWORD).encode(), 201),
        new Case("GET", u, null, 200),
        new Case("PATCH", u, "{\"first_name\":\"T\"}", 200),
        new Case("GET", u + "/keys", null, 200),
        new Case("POST", u + "/keys", "{\"name\":\"m\"}", 201),
        new Case("DELETE", u + "/keys/" + targetKey, null, 204),
        new Case("DELETE", u, null, 204));
    for (Case c : adminOnly) {
      Response asNormal = daemon.send(c.method(), c.path(), normal, c.body());
      assertEquals(403, asNormal.status(), c + " as normal: " + asNormal.body());
      assertEquals("Admin access required.", asNormal.detail());
      assertEquals(401, daemon.send(c.method(), c.path(), null, c.body()).status(), c + " without key");
      assertEquals(401, daemon.send(c.method(), c.path(), gone, c.body()).status(), c + " deactivated");
    }
    for (Case c : adminOnly) {
      Response asAdmin = daemon.send(c.method(), c.path(), daemon.adminKey, c.body());
      assertEquals(c.adminStatus(), asAdmin.status(), c + " as admin: " + asAdmin.body());
    }

    // Routes for any user: normal 2xx, no key 401, deactivated 401.
    List<Case> anyUser = List.of(
        new Case("GET", API + "/auth/me/", null, 200),
        new Case("GET", API + "/auth/mfa/status/", null, 200),
        new Case("GET", API + "/users/me", null, 200),
        new Case("PATCH", API + "/users/me", "{\"last_name\":\"N\"}", 200),
        new Case("GET", API + "/users/me/keys", null, 200),
        new Case("POST", API + "/users/me/keys", "{\"name\":\"mine\"}", 201),
        new Case("POST", API + "/auth/mfa/setup/", null, 200),
        new Case("POST", API + "/auth/mfa/reset/", null, 200));
    for (Case c : anyUser) {
      assertEquals(401, daemon.send(c.method(), c.path(), null, c.body()).status(), c + " without key");
      assertEquals(401, daemon.send(c.method(), c.path(), gone, c.body()).status(), c + " deactivated");
      Response asNormal = daemon.send(c.method(), c.path(), normal, c.body());
      assertEquals(c.adminStatus(), asNormal.status(), c + " as normal: " + asNormal.body());
    }
    // The MFA routes that take a code, and DELETE of an own key, without a key or deactivated: 401.
    for (String path : List.of("/auth/mfa/verify/", "/auth/mfa/disable/")) {
      assertEquals(401, daemon.send("POST", API + path, null, "{\"code\":\"123456\"}").status());
      assertEquals(401, daemon.send("POST", API + path, gone, "{\"code\":\"123456\"}").status());
    }
    assertEquals(401, daemon.send("DELETE", API + "/users/me/keys/1", null, null).status());
    assertEquals(401, daemon.send("DELETE", API + "/users/me/keys/1", gone, null).status());
  }

  @Test
  void foundationRoutesStayOwnerScoped() throws Exception {
    assertEquals(201, daemon.post(API + "/workflows/", new JsonObject().put("name", "A").put("slug", "admins-own"))
        .status());
    String normal = Accounts.userWithKey(daemon, "scoped-user", "normal");
    assertEquals(404, daemon.send("GET", API + "/workflows/admins-own/", normal, null).status());
    assertEquals(404, daemon.send("DELETE", API + "/workflows/admins-own/", normal, null).status());
    assertEquals(200, daemon.get(API + "/workflows/admins-own/").status());
  }

  private static String readString(String sql) throws Exception {
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(sql);
         ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getString(1);
    }
  }
}
