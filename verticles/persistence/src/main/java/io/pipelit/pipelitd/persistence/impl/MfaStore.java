package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.crypto.Totp;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * TOTP multi-factor authentication (reference §3.2): RFC 6238, 6 digits, 30 s, ±1 step. The secret is
 * stored encrypted ({@link FieldSecrets}, {@code user_profiles.totp_secret}); {@code totp_last_used_at}
 * holds the step counter + 1 of the last accepted code, and a code of that step or an earlier one is
 * refused (replay). Attempts are limited by {@link MfaLimiter}.
 *
 * <p>Unlike Pipelit, {@code login-verify} requires the password step: {@code /auth/token/} answers a user
 * with MFA on with a single-use {@code mfa_token} (valid {@link #TICKET_TTL}), and login-verify needs it
 * together with the username and the code. Tickets live in this process's memory.
 */
public final class MfaStore {
  static final Duration TICKET_TTL = Duration.ofMinutes(5);
  static final String INVALID_CODE = "Invalid TOTP code.";
  private static final Pattern CODE = Pattern.compile("^\\d{6}$");
  private static final String ISSUER = "Pipelit";

  private final Database db;
  private final Dialect dialect;
  private final Supplier<FieldSecrets> secrets;
  private final MfaLimiter limiter;
  /** Invalidated after a login rotates a session key (see AuthCache). */
  private final AuthCache authCache;
  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();

  private record Ticket(long userId, long expiresAtMs) {}

  private record MfaRow(long id, String username, boolean active, boolean enabled, String sealedSecret,
      Long lastUsedStep) {}

  /**
   * @param secrets the field encryption of the running store; may supply null when no
   *     {@code FIELD_ENCRYPTION_KEY} is configured, in which case MFA setup is refused
   */
  public MfaStore(Database db, Supplier<FieldSecrets> secrets, MfaLimiter limiter, AuthCache authCache) {
    this.db = db;
    this.dialect = db.dialect();
    this.secrets = secrets;
    this.limiter = limiter;
    this.authCache = authCache;
  }

  /** A new single-use ticket proving that {@code userId} passed the password step just now. */
  String issueTicket(long userId) {
    long now = System.currentTimeMillis();
    tickets.values().removeIf(t -> t.expiresAtMs() < now);
    String token = ApiKeys.generate();
    tickets.put(ApiKeys.hash(token), new Ticket(userId, now + TICKET_TTL.toMillis()));
    return token;
  }

  public Future<JsonObject> status(Identity identity, JsonObject request) {
    return db.read(c -> new JsonObject().put("mfa_enabled", load(c, identity.userId()).enabled()));
  }

  public Future<JsonObject> setup(Identity identity, JsonObject request) {
    FieldSecrets fieldSecrets = secrets.get();
    if (fieldSecrets == null) {
      throw new StoreException(ErrorCode.UNAVAILABLE,
          "MFA needs FIELD_ENCRYPTION_KEY to store TOTP secrets encrypted; none is configured.");
    }
    String secret = Totp.generateSecret();
    String sealed = fieldSecrets.seal(secret);
    return db.write(c -> {
      MfaRow row = load(c, identity.userId());
      if (row.enabled()) {
        throw badRequest("MFA is already enabled.");
      }
      // Conditional: on PostgreSQL a verify may commit between the read above and this update; the
      // secret of an enabled MFA must never be replaced behind the user's authenticator.
      try (PreparedStatement statement = c.prepareStatement("UPDATE user_profiles SET totp_secret = ?,"
          + " totp_last_used_at = NULL WHERE id = ? AND mfa_enabled = ?")) {
        statement.setString(1, sealed);
        statement.setLong(2, identity.userId());
        dialect.setBoolean(statement, 3, false);
        if (statement.executeUpdate() == 0) {
          throw badRequest("MFA is already enabled.");
        }
      }
      return new JsonObject().put("secret", secret).put("provisioning_uri", provisioningUri(row.username(), secret));
    });
  }

  /** {@code otpauth://totp/Pipelit:<user>?secret=…&issuer=Pipelit}, as pyotp builds it. */
  static String provisioningUri(String username, String secret) {
    String label = URLEncoder.encode(username, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    return "otpauth://totp/" + ISSUER + ":" + label + "?secret=" + secret + "&issuer=" + ISSUER;
  }

  public Future<JsonObject> verify(Identity identity, JsonObject request) {
    String code = code(RequestFields.body(request));
    return db.read(c -> load(c, identity.userId())).compose(row -> {
      if (row.enabled()) {
        throw badRequest("MFA is already enabled.");
      }
      if (row.sealedSecret() == null || row.sealedSecret().isEmpty()) {
        throw badRequest("Call /mfa/setup/ first.");
      }
      long step = check(row, code, ErrorCode.BAD_REQUEST);
      return db.write(c -> {
        try (PreparedStatement statement = c.prepareStatement("UPDATE user_profiles SET mfa_enabled = ?,"
            + " totp_last_used_at = ? WHERE id = ? AND mfa_enabled = ? AND totp_secret = ?"
            + " AND (totp_last_used_at IS NULL OR totp_last_used_at < ?)")) {
          dialect.setBoolean(statement, 1, true);
          statement.setLong(2, step + 1);
          statement.setLong(3, row.id());
          dialect.setBoolean(statement, 4, false);
          statement.setString(5, row.sealedSecret());
          statement.setLong(6, step + 1);
          return statement.executeUpdate();
        }
      }).map(updated -> outcome(row.id(), updated, ErrorCode.BAD_REQUEST, true));
    });
  }

  public Future<JsonObject> disable(Identity identity, JsonObject request) {
    String code = code(RequestFields.body(request));
    return db.read(c -> load(c, identity.userId())).compose(row -> {
      if (!row.enabled()) {
        throw badRequest("MFA is not enabled.");
      }
      long step = check(row, code, ErrorCode.BAD_REQUEST);
      return db.write(c -> {
        try (PreparedStatement statement = c.prepareStatement("UPDATE user_profiles SET mfa_enabled = ?,"
            + " totp_secret = NULL, totp_last_used_at = NULL WHERE id = ? AND mfa_enabled = ?"
            + " AND (totp_last_used_at IS NULL OR totp_last_used_at < ?)")) {
          dialect.setBoolean(statement, 1, false);
          statement.setLong(2, row.id());
          dialect.setBoolean(statement, 3, true);
          statement.setLong(4, step + 1);
          return statement.executeUpdate();
        }
      }).map(updated -> outcome(row.id(), updated, ErrorCode.BAD_REQUEST, false));
    });
  }

  /** Clears the caller's MFA; the HTTP API allows it only from a loopback address. */
  public Future<JsonObject> reset(Identity identity, JsonObject request) {
    return db.write(c -> {
      load(c, identity.userId());
      try (PreparedStatement statement = c.prepareStatement("UPDATE user_profiles SET mfa_enabled = ?,"
          + " totp_secret = NULL, totp_last_used_at = NULL WHERE id = ?")) {
        dialect.setBoolean(statement, 1, false);
        statement.setLong(2, identity.userId());
        statement.executeUpdate();
      }
      return new JsonObject().put("mfa_enabled", false);
    }).onSuccess(done -> limiter.clear(identity.userId()));
  }

  /** {@code POST /auth/mfa/login-verify/} {@code {"username", "code", "mfa_token"}} → a session key. */
  public Future<JsonObject> loginVerify(JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String username = RequestFields.requiredString(body, "username", 1_000);
    String code = code(body);
    String ticketText = RequestFields.requiredString(body, "mfa_token", 200);
    String ticketDigest = ApiKeys.hash(ticketText);
    Ticket ticket = tickets.get(ticketDigest);
    if (ticket == null || ticket.expiresAtMs() < System.currentTimeMillis()) {
      throw unauthenticated(SessionKeys.INVALID_CREDENTIALS);
    }
    return db.read(c -> {
      try (PreparedStatement statement = c.prepareStatement("SELECT id FROM user_profiles WHERE username = ?")) {
        statement.setString(1, username);
        try (ResultSet rows = statement.executeQuery()) {
          return rows.next() ? load(c, rows.getLong(1)) : null;
        }
      }
    }).compose(row -> {
      if (row == null || row.id() != ticket.userId() || !row.active() || !row.enabled()
          || row.sealedSecret() == null || row.sealedSecret().isEmpty()) {
        throw unauthenticated(SessionKeys.INVALID_CREDENTIALS);
      }
      long step = check(row, code, ErrorCode.UNAUTHENTICATED);
      if (!tickets.remove(ticketDigest, ticket)) {
        throw unauthenticated(SessionKeys.INVALID_CREDENTIALS); // used by a concurrent request
      }
      return db.write(c -> {
        try (PreparedStatement statement = c.prepareStatement("UPDATE user_profiles SET totp_last_used_at = ?"
            + " WHERE id = ? AND mfa_enabled = ? AND (totp_last_used_at IS NULL OR totp_last_used_at < ?)")) {
          statement.setLong(1, step + 1);
          statement.setLong(2, row.id());
          dialect.setBoolean(statement, 3, true);
          statement.setLong(4, step + 1);
          if (statement.executeUpdate() == 0) {
            throw unauthenticated(INVALID_CODE);
          }
        }
        return SessionKeys.rotate(c, dialect, row.id());
      }).andThen(rotated -> authCache.invalidateAll()).onFailure(e -> limiter.failure(row.id())).map(key -> {
        limiter.success(row.id());
        return new JsonObject().put("key", key).put("requires_mfa", false);
      });
    });
  }

  /**
   * The step of a valid, unused code; a refused attempt (rate, lockout, wrong code, replay) throws
   * {@code failure} "Invalid TOTP code." without saying why.
   */
  private long check(MfaRow row, String code, ErrorCode failure) {
    if (!limiter.tryAcquire(row.id())) {
      throw new StoreException(failure, INVALID_CODE);
    }
    // A key is required to start, so secrets are always there; never use the stored token as a secret.
    String secret = secrets.get().open(row.sealedSecret());
    long step;
    try {
      step = Totp.matchingStep(secret, code, System.currentTimeMillis() / 1000, 1);
    } catch (IllegalArgumentException e) {
      step = -1; // not a base32 secret: nothing matches
    }
    if (step < 0 || (row.lastUsedStep() != null && step + 1 <= row.lastUsedStep())) {
      limiter.failure(row.id());
      throw new StoreException(failure, INVALID_CODE);
    }
    return step;
  }

  private JsonObject outcome(long userId, int updated, ErrorCode failure, boolean enabled) {
    if (updated == 0) {
      limiter.failure(userId);
      throw new StoreException(failure, INVALID_CODE); // a concurrent request used the step first
    }
    limiter.success(userId);
    return new JsonObject().put("mfa_enabled", enabled);
  }

  private MfaRow load(Connection c, long userId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT id, username, is_active, mfa_enabled,"
        + " totp_secret, totp_last_used_at FROM user_profiles WHERE id = ?")) {
      statement.setLong(1, userId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(UserStore.USER_NOT_FOUND);
        }
        return new MfaRow(rows.getLong("id"), rows.getString("username"), dialect.getBoolean(rows, "is_active"),
            dialect.getBoolean(rows, "mfa_enabled"), rows.getString("totp_secret"),
            Rows.nullableLong(rows, "totp_last_used_at"));
      }
    }
  }

  private static String code(JsonObject body) {
    Object value = body.getValue("code");
    if (value == null) {
      throw StoreException.validation("code: field required");
    }
    if (!(value instanceof String text) || !CODE.matcher(text).matches()) {
      throw StoreException.validation("code: must be a string of 6 digits");
    }
    return text;
  }

  private static StoreException badRequest(String detail) {
    return new StoreException(ErrorCode.BAD_REQUEST, detail);
  }

  private static StoreException unauthenticated(String detail) {
    return new StoreException(ErrorCode.UNAUTHENTICATED, detail);
  }
}
