package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.crypto.Totp;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TOTP MFA (reference §3.2) over real HTTP on both backends: setup, verify, the two-step login (the
 * password step is required), replay, rate limit, disable and reset.
 */
class MfaApiTest extends BackendSuite {
  private static final String MFA = "/api/v1/auth/mfa";

  /**
   * The current TOTP step, after waiting (when needed) until at least {@code margin} seconds of it are
   * left, so that codes of this step and the previous one stay valid for the rest of a test.
   */
  private static long stableStep(int marginSeconds) throws InterruptedException {
    long now = System.currentTimeMillis();
    long intoStep = now % 30_000;
    if (30_000 - intoStep < marginSeconds * 1000L) {
      Thread.sleep(30_000 - intoStep + 200);
    }
    return Totp.step(System.currentTimeMillis() / 1000);
  }

  private static String code(String secret, long step) {
    return Totp.code(Totp.base32Decode(secret), step, 6);
  }

  /** A 6-digit code valid in none of the steps around {@code step}. */
  private static String wrongCode(String secret, long step) {
    Set<String> valid = Set.of(code(secret, step - 1), code(secret, step), code(secret, step + 1));
    for (int n = 0; ; n++) {
      String candidate = String.format("%06d", n);
      if (!valid.contains(candidate)) {
        return candidate;
      }
    }
  }

  private static JsonObject codeBody(String code) {
    return new JsonObject().put("code", code);
  }

  private static Response post(String path, String key, JsonObject body) throws Exception {
    return daemon.send("POST", path, key, body == null ? null : body.encode());
  }

  private static String setup(String key, String username) throws Exception {
    Response setup = post(MFA + "/setup/", key, null);
    assertEquals(200, setup.status(), setup.body());
    String secret = setup.json().getString("secret");
    assertEquals(32, secret.length());
    assertEquals("otpauth://totp/Pipelit:" + username + "?secret=" + secret + "&issuer=Pipelit",
        setup.json().getString("provisioning_uri"));
    return secret;
  }

  @Test
  void twoStepLoginNeedsThePasswordStepAndRefusesReplay() throws Exception {
    String key = Accounts.userWithKey(daemon, "mfa-anna", "normal");
    String secret = setup(key, "mfa-anna");

    // Encrypted at rest with FIELD_ENCRYPTION_KEY: the column holds a Fernet token, not the secret.
    String stored = readString("SELECT totp_secret FROM user_profiles WHERE username = 'mfa-anna'");
    assertTrue(stored.startsWith("gAAAAA"), "a Fernet token");
    assertEquals(secret, FieldKeyring.parse(daemon.fieldKey).decrypt(stored).value());
    assertEquals(false, daemon.send("GET", MFA + "/status/", key, null).json().getBoolean("mfa_enabled"));

    long step = stableStep(15);
    Response wrong = post(MFA + "/verify/", key, codeBody(wrongCode(secret, step)));
    assertEquals(400, wrong.status());
    assertEquals("Invalid TOTP code.", wrong.detail());
    Response verified = post(MFA + "/verify/", key, codeBody(code(secret, step - 1)));
    assertEquals(200, verified.status(), verified.body());
    assertEquals(new JsonObject().put("mfa_enabled", true), verified.json());
    assertEquals(400, post(MFA + "/setup/", key, null).status());
    assertEquals("MFA is already enabled.", post(MFA + "/setup/", key, null).detail());
    assertEquals(true, daemon.send("GET", "/api/v1/auth/me/", key, null).json().getBoolean("mfa_enabled"));

    // Password step: no key yet, nothing rotated, a single-use ticket.
    Response login = Accounts.login(daemon, "mfa-anna", Accounts.PASSWORD);
    assertEquals(200, login.status(), login.body());
    assertEquals("", login.json().getString("key"));
    assertEquals(true, login.json().getBoolean("requires_mfa"));
    String ticket = login.json().getString("mfa_token");
    assertEquals(200, daemon.send("GET", "/api/v1/auth/me/", key, null).status(), "the old key still works");

    String loginVerify = MFA + "/login-verify/";
    // Pipelit's TOTP-only login is refused: no ticket, or a made-up one.
    assertEquals(422, post(loginVerify, null, new JsonObject().put("username", "mfa-anna")
        .put("code", code(secret, step))).status());
    Response forged = post(loginVerify, null, new JsonObject().put("username", "mfa-anna")
        .put("code", code(secret, step)).put("mfa_token", "made-up"));
    assertEquals(401, forged.status());
    assertEquals("Invalid credentials.", forged.detail());
    // Another user's name with this ticket.
    assertEquals(401, post(loginVerify, null, new JsonObject().put("username", "admin")
        .put("code", code(secret, step)).put("mfa_token", ticket)).status());

    // The code verify used (step - 1) is spent.
    Response replay = post(loginVerify, null, new JsonObject().put("username", "mfa-anna")
        .put("code", code(secret, step - 1)).put("mfa_token", ticket));
    assertEquals(401, replay.status());
    assertEquals("Invalid TOTP code.", replay.detail());

    Response ok = post(loginVerify, null, new JsonObject().put("username", "mfa-anna")
        .put("code", code(secret, step)).put("mfa_token", ticket));
    assertEquals(200, ok.status(), ok.body());
    assertEquals(false, ok.json().getBoolean("requires_mfa"));
    String newKey = ok.json().getString("key");
    assertNotEquals(key, newKey);
    assertEquals(200, daemon.send("GET", "/api/v1/auth/me/", newKey, null).status());
    assertEquals(401, daemon.send("GET", "/api/v1/auth/me/", key, null).status(), "the session key rotated");

    // The ticket is single-use.
    Response again = post(loginVerify, null, new JsonObject().put("username", "mfa-anna")
        .put("code", code(secret, step + 1)).put("mfa_token", ticket));
    assertEquals(401, again.status());
    assertEquals("Invalid credentials.", again.detail());
  }

  @Test
  void disableNeedsAFreshCode() throws Exception {
    String key = Accounts.userWithKey(daemon, "mfa-bert", "normal");
    Response notSetUp = post(MFA + "/verify/", key, codeBody("123456"));
    assertEquals(400, notSetUp.status());
    assertEquals("Call /mfa/setup/ first.", notSetUp.detail());
    Response notEnabled = post(MFA + "/disable/", key, codeBody("123456"));
    assertEquals(400, notEnabled.status());
    assertEquals("MFA is not enabled.", notEnabled.detail());

    String secret = setup(key, "mfa-bert");
    long step = stableStep(12);
    assertEquals(200, post(MFA + "/verify/", key, codeBody(code(secret, step - 1))).status());
    assertEquals(400, post(MFA + "/disable/", key, codeBody(wrongCode(secret, step))).status());
    Response replay = post(MFA + "/disable/", key, codeBody(code(secret, step - 1)));
    assertEquals(400, replay.status());
    assertEquals("Invalid TOTP code.", replay.detail());
    Response disabled = post(MFA + "/disable/", key, codeBody(code(secret, step)));
    assertEquals(200, disabled.status(), disabled.body());
    assertEquals(new JsonObject().put("mfa_enabled", false), disabled.json());
    assertNull(readString("SELECT totp_secret FROM user_profiles WHERE username = 'mfa-bert'"));
    assertEquals(false, daemon.send("GET", MFA + "/status/", key, null).json().getBoolean("mfa_enabled"));
    // A plain login again.
    assertFalse(Accounts.login(daemon, "mfa-bert", Accounts.PASSWORD).json().getString("key").isEmpty());
  }

  @Test
  void attemptsAreRateLimitedPerUser() throws Exception {
    String key = Accounts.userWithKey(daemon, "mfa-cleo", "normal");
    String secret = setup(key, "mfa-cleo");
    long step = stableStep(10);
    for (int i = 0; i < 5; i++) {
      assertEquals(400, post(MFA + "/verify/", key, codeBody(wrongCode(secret, step))).status());
    }
    Response limited = post(MFA + "/verify/", key, codeBody(code(secret, step)));
    assertEquals(400, limited.status(), "the sixth attempt within a minute fails even with the right code");
    assertEquals("Invalid TOTP code.", limited.detail());
    assertEquals(false, daemon.send("GET", MFA + "/status/", key, null).json().getBoolean("mfa_enabled"));
    // Another user is not affected.
    String other = Accounts.userWithKey(daemon, "mfa-dirk", "normal");
    String otherSecret = setup(other, "mfa-dirk");
    long otherStep = stableStep(5);
    assertEquals(200, post(MFA + "/verify/", other, codeBody(code(otherSecret, otherStep))).status());
  }

  @Test
  void resetFromLoopbackClearsMfa() throws Exception {
    String key = Accounts.userWithKey(daemon, "mfa-edda", "normal");
    String secret = setup(key, "mfa-edda");
    long step = stableStep(5);
    assertEquals(200, post(MFA + "/verify/", key, codeBody(code(secret, step))).status());
    Response reset = post(MFA + "/reset/", key, null); // the test client is on 127.0.0.1
    assertEquals(200, reset.status(), reset.body());
    assertEquals(new JsonObject().put("mfa_enabled", false), reset.json());
    assertNull(readString("SELECT totp_secret FROM user_profiles WHERE username = 'mfa-edda'"));
    assertFalse(Accounts.login(daemon, "mfa-edda", Accounts.PASSWORD).json().getBoolean("requires_mfa"));
  }

  @Test
  void aDeactivatedUserGetsNoTicketAndNoKey() throws Exception {
    long id = Accounts.create(daemon, "mfa-finn", "normal");
    String key = Accounts.key(daemon, "mfa-finn");
    String secret = setup(key, "mfa-finn");
    long step = stableStep(10);
    assertEquals(200, post(MFA + "/verify/", key, codeBody(code(secret, step - 1))).status());
    String ticket = Accounts.login(daemon, "mfa-finn", Accounts.PASSWORD).json().getString("mfa_token");
    assertEquals(204, daemon.delete("/api/v1/users/" + id).status());
    assertEquals(401, Accounts.login(daemon, "mfa-finn", Accounts.PASSWORD).status());
    Response verify = post(MFA + "/login-verify/", null, new JsonObject().put("username", "mfa-finn")
        .put("code", code(secret, step)).put("mfa_token", ticket));
    assertEquals(401, verify.status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM api_keys WHERE is_active AND user_id = " + id));
  }

  private static String readString(String sql) throws Exception {
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(sql);
         ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getString(1);
    }
  }
}
