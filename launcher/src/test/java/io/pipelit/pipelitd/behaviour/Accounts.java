package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;

/** Users and logins over the real API, for the account tests. */
final class Accounts {
  private Accounts() {}

  static final String PASSWORD = "a fine password";

  /** Creates a user through the admin API; returns its id. */
  static long create(Daemon daemon, String username, String role) throws Exception {
    Response created = daemon.post("/api/v1/users/", new JsonObject().put("username", username)
        .put("password", PASSWORD).put("role", role));
    assertEquals(201, created.status(), created.body());
    return created.json().getLong("id");
  }

  static Response login(Daemon daemon, String username, String password) throws Exception {
    return daemon.send("POST", "/api/v1/auth/token/", null,
        new JsonObject().put("username", username).put("password", password).encode());
  }

  /** Logs in with {@link #PASSWORD}; returns the session key. */
  static String key(Daemon daemon, String username) throws Exception {
    Response login = login(daemon, username, PASSWORD);
    assertEquals(200, login.status(), login.body());
    return login.json().getString("key");
  }

  /** Creates a user and returns a session key of theirs. */
  static String userWithKey(Daemon daemon, String username, String role) throws Exception {
    create(daemon, username, role);
    return key(daemon, username);
  }

  static int status(Daemon daemon, String method, String path, String key, Object body) throws Exception {
    return daemon.send(method, path, key, body == null ? null : body.toString()).status();
  }
}
