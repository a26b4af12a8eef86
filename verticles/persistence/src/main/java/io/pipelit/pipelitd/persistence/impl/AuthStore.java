package io.pipelit.pipelitd.persistence.impl;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.Passwords;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bearer-key authentication and the first admin user (the CLI's {@code setup}). */
public final class AuthStore {
  private static final Logger LOG = LoggerFactory.getLogger(AuthStore.class);
  /** bcrypt cost factor: about 0.2 s per hash on these machines. */
  private static final int BCRYPT_COST = 12;

  private final Vertx vertx;
  private final Database db;
  private final Dialect dialect;
  private final Map<Long, Instant> lastUsedWritten = new ConcurrentHashMap<>();
  private final AuthCache cache;

  /** @param cache successful look-ups (the stores that change credentials invalidate it) */
  public AuthStore(Vertx vertx, Database db, AuthCache cache) {
    this.vertx = vertx;
    this.db = db;
    this.dialect = db.dialect();
    this.cache = cache;
  }

  /** {@code {"key"}} → {@code {"user_id", "username", "role", "key_id"}}, or UNAUTHENTICATED. */
  public Future<JsonObject> authenticate(JsonObject request) {
    Object key = request.getValue("key");
    if (!(key instanceof String text) || text.isEmpty() || text.length() > 512) {
      throw new StoreException(ErrorCode.UNAUTHENTICATED, "Invalid or missing API key.");
    }
    String digest = ApiKeys.hash(text);
    AuthCache.Found cached = cache.get(digest, Instant.now());
    if (cached != null) {
      return Future.succeededFuture(identityOf(digest, cached));
    }
    long generation = cache.generation(); // before the read: see AuthCache#put
    return db.read(c -> {
      try (PreparedStatement statement = c.prepareStatement("SELECT k.id, k.user_id, k.is_active, k.expires_at,"
          + " k.last_used_at, u.username, u.role, u.is_active AS user_active FROM api_keys k JOIN user_profiles u ON u.id = k.user_id"
          + " WHERE k.key = ?")) {
        statement.setString(1, digest);
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            throw new StoreException(ErrorCode.UNAUTHENTICATED, "Invalid or missing API key.");
          }
          if (!dialect.getBoolean(rows, "is_active")) {
            throw new StoreException(ErrorCode.UNAUTHENTICATED, "API key has been revoked.");
          }
          if (!dialect.getBoolean(rows, "user_active")) {
            // A deactivated user (DELETE /users/{id}): every key of theirs is refused, whatever its state.
            throw new StoreException(ErrorCode.UNAUTHENTICATED, "User is deactivated.");
          }
          Instant expiresAt = dialect.getTimestamp(rows, "expires_at");
          if (expiresAt != null && expiresAt.isBefore(Instant.now())) {
            throw new StoreException(ErrorCode.UNAUTHENTICATED, "API key has expired.");
          }
          return new AuthCache.Found(rows.getLong("id"), rows.getLong("user_id"), rows.getString("username"),
              rows.getString("role"), dialect.getTimestamp(rows, "last_used_at"), expiresAt);
        }
      }
    }).map(found -> {
      cache.put(digest, found, generation);
      return identityOf(digest, found);
    });
  }

  private JsonObject identityOf(String digest, AuthCache.Found found) {
    touchLastUsed(digest, found);
    return new JsonObject().put("user_id", found.userId()).put("username", found.username())
        .put("role", found.role()).put("key_id", found.keyId())
        .put("reuse_ms", cache.reuseMillis(digest, Instant.now()));
  }

  /**
   * Best effort: a failed update never fails the request it rides on. The cache entry learns the new time
   * at once, so that the answer can be reused for the next minute (AuthCache#reuseMillis).
   */
  private void touchLastUsed(String digest, AuthCache.Found row) {
    Instant now = Instant.now();
    Instant threshold = now.minus(AuthCache.LAST_USED_DEBOUNCE);
    if (row.lastUsedAt() != null && row.lastUsedAt().isAfter(threshold)) {
      return;
    }
    Instant previous = lastUsedWritten.get(row.keyId());
    if (previous != null && previous.isAfter(threshold)) {
      // Already queued within the minute (a concurrent request, or before an invalidation re-read the row):
      // the entry learns it too, or every request would ask the store until the minute is over.
      cache.touched(digest, previous);
      return;
    }
    lastUsedWritten.put(row.keyId(), now);
    cache.touched(digest, now);
    db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
        dialect.setTimestamp(statement, 1, now);
        statement.setLong(2, row.keyId());
        return statement.executeUpdate();
      }
    }).onFailure(e -> LOG.debug("last_used_at update skipped for key {}: {}", row.keyId(), e.getMessage()));
  }

  /**
   * {@code {"username", "password", "first_name"?, "last_name"?}} → {@code {"user", "key"}}. Creates the
   * first admin and a key named "default"; CONFLICT when an admin exists already.
   */
  public Future<JsonObject> setupAdmin(JsonObject request) {
    String username = RequestFields.requiredString(request, "username", 150);
    if (!username.equals(username.strip()) || username.chars().anyMatch(Character::isISOControl)) {
      throw StoreException.validation("username: must not start or end with spaces or contain control characters");
    }
    String password = RequestFields.requiredString(request, "password", 1_000);
    String problem = Passwords.problem(password);
    if (problem != null) {
      throw StoreException.validation("password: " + problem);
    }
    String firstName = RequestFields.optionalString(request, "first_name", 150, "");
    String lastName = RequestFields.optionalString(request, "last_name", 150, "");
    String key = ApiKeys.generate();
    return vertx.executeBlocking(() -> BCrypt.with(BCrypt.Version.VERSION_2B)
            .hashToString(BCRYPT_COST, password.toCharArray()), false)
        .compose(hash -> db.write(c -> {
          if (exists(c, "SELECT 1 FROM user_profiles WHERE role = 'admin'", null)) {
            throw StoreException.conflict("An admin user already exists.");
          }
          if (exists(c, "SELECT 1 FROM user_profiles WHERE username = ?", username)) {
            throw StoreException.conflict("Username already exists.");
          }
          Instant now = Instant.now();
          long userId;
          try (PreparedStatement statement = c.prepareStatement("INSERT INTO user_profiles (username, password_hash,"
              + " first_name, last_name, github_username, gitlab_username, created_at, role, mfa_enabled)"
              + " VALUES (?, ?, ?, ?, '', '', ?, 'admin', ?) RETURNING id")) {
            statement.setString(1, username);
            statement.setString(2, hash);
            statement.setString(3, firstName);
            statement.setString(4, lastName);
            dialect.setTimestamp(statement, 5, now);
            dialect.setBoolean(statement, 6, false);
            userId = Sql.insertedId(statement);
          }
          insertKey(c, userId, key, "default", now);
          return new JsonObject()
              .put("user", new JsonObject().put("id", userId).put("username", username).put("role", Identity.ADMIN)
                  .put("first_name", firstName).put("last_name", lastName).put("created_at", Rows.iso(now))
                  .put("mfa_enabled", false).put("key_count", 1).put("is_active", true))
              .put("key", key);
        }));
  }

  private void insertKey(Connection c, long userId, String key, String name, Instant now) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("INSERT INTO api_keys (user_id, key, name, prefix,"
        + " created_at, is_active) VALUES (?, ?, ?, ?, ?, ?)")) {
      statement.setLong(1, userId);
      statement.setString(2, ApiKeys.hash(key));
      statement.setString(3, name);
      statement.setString(4, ApiKeys.prefix(key));
      dialect.setTimestamp(statement, 5, now);
      dialect.setBoolean(statement, 6, true);
      statement.executeUpdate();
    }
  }

  private static boolean exists(Connection c, String sql, String parameter) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      if (parameter != null) {
        statement.setString(1, parameter);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }
}
