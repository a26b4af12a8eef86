package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.Passwords;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Users, their API keys and the password login (reference §3.2 and §3.3), plus the command line's
 * trusted operations. Admin-only operations answer FORBIDDEN "Admin access required." to others.
 *
 * <p>Deactivation: {@code user_profiles.is_active} (migration V3). A deactivated user cannot log in,
 * and {@link AuthStore#authenticate} refuses every key of theirs. The last active admin can be neither
 * demoted nor deactivated.
 */
public final class UserStore {
  static final String ADMIN_REQUIRED = "Admin access required.";
  static final String USER_NOT_FOUND = "User not found.";
  static final String KEY_NOT_FOUND = "API key not found.";
  private static final int NAME_MAX = 150;
  private static final int KEY_NAME_MAX = 100;
  private static final Set<String> ROLES = Set.of(Identity.ADMIN, Identity.NORMAL);

  private static final String USER_COLUMNS = "u.id, u.username, u.role, u.first_name, u.last_name,"
      + " u.created_at, u.mfa_enabled, u.is_active,"
      + " (SELECT COUNT(*) FROM api_keys k WHERE k.user_id = u.id AND k.is_active) AS key_count";
  private static final String KEY_COLUMNS = "id, name, prefix, created_at, last_used_at, expires_at, is_active";

  private final Database db;
  private final Dialect dialect;
  private final PasswordHashes passwords;
  private final MfaStore mfa;
  /** Invalidated after every committed change to keys, roles, passwords or activity (see AuthCache). */
  private final AuthCache authCache;

  public UserStore(Vertx vertx, Database db, MfaStore mfa, AuthCache authCache) {
    this.db = db;
    this.dialect = db.dialect();
    this.passwords = new PasswordHashes(vertx);
    this.mfa = mfa;
    this.authCache = authCache;
  }

  // ---------------------------------------------------------------- login

  /** {@code POST /auth/token/}: see {@link io.pipelit.pipelitd.contracts.StoreAddresses#AUTH_TOKEN}. */
  public Future<JsonObject> token(JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String username = present(body, "username");
    String password = present(body, "password"); // may be empty: it then simply does not match
    return db.read(c -> {
      try (PreparedStatement statement = c.prepareStatement(
          "SELECT id, password_hash, is_active, mfa_enabled FROM user_profiles WHERE username = ?")) {
        statement.setString(1, username);
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            return null;
          }
          return new LoginRow(rows.getLong("id"), rows.getString("password_hash"),
              dialect.getBoolean(rows, "is_active"), dialect.getBoolean(rows, "mfa_enabled"));
        }
      }
    }).compose(row -> passwords.verify(password, row == null ? null : row.hash())
        .compose(verified -> {
          if (!verified || !row.active()) {
            return Future.failedFuture(new StoreException(ErrorCode.UNAUTHENTICATED,
                SessionKeys.INVALID_CREDENTIALS));
          }
          if (row.mfaEnabled()) {
            return Future.succeededFuture(new JsonObject().put("key", "").put("requires_mfa", true)
                .put("mfa_token", mfa.issueTicket(row.id())));
          }
          return db.write(c -> SessionKeys.rotate(c, dialect, row.id()))
              .andThen(rotated -> authCache.invalidateAll()) // the previous session key stops at once
              .map(key -> new JsonObject().put("key", key).put("requires_mfa", false));
        }));
  }

  private static String present(JsonObject body, String name) {
    String value = RequestFields.optionalString(body, name, 1_000, null);
    if (value == null) {
      throw StoreException.validation(name + ": field required");
    }
    return value;
  }

  private record LoginRow(long id, String hash, boolean active, boolean mfaEnabled) {}

  /** {@code GET /auth/me/}. */
  public Future<JsonObject> me(Identity identity, JsonObject request) {
    return db.read(c -> {
      JsonObject user = loadUser(c, identity.userId());
      return new JsonObject().put("username", user.getString("username"))
          .put("mfa_enabled", user.getBoolean("mfa_enabled"));
    });
  }

  // ---------------------------------------------------------------- users

  public Future<JsonObject> meGet(Identity identity, JsonObject request) {
    return db.read(c -> loadUser(c, identity.userId()));
  }

  /** {@code PATCH /users/me}: password, first and last name; role and anything else ignored. */
  public Future<JsonObject> meUpdate(Identity identity, JsonObject request) {
    return update(identity.userId(), UserChanges.parse(RequestFields.body(request), false));
  }

  public Future<JsonObject> list(Identity identity, JsonObject request) {
    requireAdmin(identity);
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    return db.read(c -> listUsers(c, limit, offset));
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    requireAdmin(identity);
    return createUser(RequestFields.body(request));
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    requireAdmin(identity);
    long userId = userId(request);
    return db.read(c -> loadUser(c, userId));
  }

  /** {@code PATCH /users/{id}}: role, password, names, and {@code is_active} (pipelitd's addition). */
  public Future<JsonObject> update(Identity identity, JsonObject request) {
    requireAdmin(identity);
    long userId = userId(request);
    return update(userId, UserChanges.parse(RequestFields.body(request), true));
  }

  /** {@code DELETE /users/{id}}: deactivates the user and all their keys. */
  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    requireAdmin(identity);
    long userId = userId(request);
    return db.write(c -> {
      deactivate(c, userId, "Cannot delete the last admin user.");
      return new JsonObject();
    }).andThen(done -> authCache.invalidateAll());
  }

  // ---------------------------------------------------------------- keys

  /** The caller's keys, or with {@code user_id} (admins only) that user's. */
  public Future<JsonObject> keysCreate(Identity identity, JsonObject request) {
    long userId = keyOwner(identity, request);
    JsonObject body = RequestFields.body(request);
    String name = keyName(RequestFields.requiredString(body, "name", KEY_NAME_MAX));
    Instant expiresAt = expiry(RequestFields.optionalTimestamp(body, "expires_at"));
    return db.write(c -> createKey(c, userId, name, expiresAt));
  }

  public Future<JsonArray> keysList(Identity identity, JsonObject request) {
    long userId = keyOwner(identity, request);
    return db.read(c -> {
      loadUser(c, userId);
      JsonArray keys = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + KEY_COLUMNS
          + " FROM api_keys WHERE user_id = ? ORDER BY created_at DESC, id DESC")) {
        statement.setLong(1, userId);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            keys.add(keyOut(rows));
          }
        }
      }
      return keys;
    });
  }

  public Future<JsonObject> keysRevoke(Identity identity, JsonObject request) {
    long userId = keyOwner(identity, request);
    long keyId = RequestFields.optionalLong(request, "key_id", Long.MIN_VALUE, Long.MAX_VALUE, -1L);
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE api_keys SET is_active = ? WHERE id = ? AND user_id = ?")) {
        dialect.setBoolean(statement, 1, false);
        statement.setLong(2, keyId);
        statement.setLong(3, userId);
        if (statement.executeUpdate() == 0) {
          throw StoreException.notFound(KEY_NOT_FOUND);
        }
      }
      return new JsonObject();
    }).andThen(done -> authCache.invalidateAll());
  }

  // ---------------------------------------------------------------- the command line (trusted)

  public Future<JsonObject> cliCreate(JsonObject request) {
    return createUser(request);
  }

  public Future<JsonObject> cliList(JsonObject request) {
    return db.read(c -> listUsers(c, Integer.MAX_VALUE, 0));
  }

  public Future<JsonObject> cliSetPassword(JsonObject request) {
    String username = RequestFields.requiredString(request, "username", 1_000);
    UserChanges changes = UserChanges.parse(new JsonObject().put("password", request.getValue("password")), false);
    if (changes.password() == null) {
      throw StoreException.validation("password: field required");
    }
    return db.read(c -> idOf(c, username)).compose(id -> update(id, changes));
  }

  public Future<JsonObject> cliDeactivate(JsonObject request) {
    String username = RequestFields.requiredString(request, "username", 1_000);
    return db.write(c -> {
      long id = idOf(c, username);
      deactivate(c, id, "Cannot deactivate the last admin user.");
      return loadUser(c, id);
    }).andThen(done -> authCache.invalidateAll());
  }

  public Future<JsonObject> cliKeyCreate(JsonObject request) {
    String username = RequestFields.requiredString(request, "username", 1_000);
    String name = keyName(RequestFields.optionalString(request, "name", KEY_NAME_MAX, "default"));
    if (name.isBlank()) {
      throw StoreException.validation("name: must not be empty");
    }
    Instant expiresAt = expiry(RequestFields.optionalTimestamp(request, "expires_at"));
    return db.write(c -> createKey(c, idOf(c, username), name, expiresAt));
  }

  // ---------------------------------------------------------------- shared

  private Future<JsonObject> createUser(JsonObject body) {
    String username = username(RequestFields.requiredString(body, "username", NAME_MAX));
    String password = RequestFields.requiredString(body, "password", 1_000);
    String problem = Passwords.problem(password);
    if (problem != null) {
      throw StoreException.validation("password: " + problem);
    }
    String role = RequestFields.oneOf(body, "role", ROLES, Identity.NORMAL);
    String firstName = RequestFields.optionalString(body, "first_name", NAME_MAX, "");
    String lastName = RequestFields.optionalString(body, "last_name", NAME_MAX, "");
    return passwords.hash(password).compose(hash -> db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement("SELECT 1 FROM user_profiles WHERE username = ?")) {
        statement.setString(1, username);
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            throw StoreException.conflict("Username already exists.");
          }
        }
      }
      long id;
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO user_profiles (username, password_hash,"
          + " first_name, last_name, github_username, gitlab_username, created_at, role, mfa_enabled, is_active)"
          + " VALUES (?, ?, ?, ?, '', '', ?, ?, ?, ?) RETURNING id")) {
        statement.setString(1, username);
        statement.setString(2, hash);
        statement.setString(3, firstName);
        statement.setString(4, lastName);
        dialect.setTimestamp(statement, 5, Instant.now());
        statement.setString(6, role);
        dialect.setBoolean(statement, 7, false);
        dialect.setBoolean(statement, 8, true);
        id = Sql.insertedId(statement);
      }
      return loadUser(c, id);
    }));
  }

  /** What a PATCH may change; null fields stay as they are. */
  private record UserChanges(String role, Boolean active, String password, String firstName, String lastName) {
    static UserChanges parse(JsonObject body, boolean admin) {
      String password = RequestFields.optionalString(body, "password", 1_000, null);
      if (password != null) {
        String problem = Passwords.problem(password);
        if (problem != null) {
          throw StoreException.validation("password: " + problem);
        }
      }
      String role = admin ? RequestFields.oneOf(body, "role", ROLES, null) : null;
      Boolean active = null;
      if (admin && body.getValue("is_active") != null) {
        active = RequestFields.optionalBool(body, "is_active", true);
      }
      return new UserChanges(role, active, password,
          RequestFields.optionalString(body, "first_name", NAME_MAX, null),
          RequestFields.optionalString(body, "last_name", NAME_MAX, null));
    }
  }

  private Future<JsonObject> update(long userId, UserChanges changes) {
    Future<String> hash = changes.password() == null ? Future.succeededFuture(null)
        : passwords.hash(changes.password());
    return hash.compose(passwordHash -> db.write(c -> {
      UserRow row = lockUser(c, userId);
      boolean demoted = Identity.ADMIN.equals(row.role()) && Identity.NORMAL.equals(changes.role());
      boolean deactivated = row.active() && Boolean.FALSE.equals(changes.active());
      if (row.active() && Identity.ADMIN.equals(row.role()) && (demoted || deactivated)
          && otherActiveAdmins(c, userId) == 0) {
        throw StoreException.conflict(demoted ? "Cannot demote the last admin user."
            : "Cannot deactivate the last admin user.");
      }
      List<String> sets = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      if (changes.role() != null) {
        sets.add("role = ?");
        values.add(changes.role());
      }
      if (changes.active() != null) {
        sets.add("is_active = ?");
        values.add(changes.active());
      }
      if (passwordHash != null) {
        sets.add("password_hash = ?");
        values.add(passwordHash);
      }
      if (changes.firstName() != null) {
        sets.add("first_name = ?");
        values.add(changes.firstName());
      }
      if (changes.lastName() != null) {
        sets.add("last_name = ?");
        values.add(changes.lastName());
      }
      if (!sets.isEmpty()) {
        try (PreparedStatement statement = c.prepareStatement(
            "UPDATE user_profiles SET " + String.join(", ", sets) + " WHERE id = ?")) {
          int index = 1;
          for (Object value : values) {
            if (value instanceof Boolean b) {
              dialect.setBoolean(statement, index++, b);
            } else {
              statement.setString(index++, (String) value);
            }
          }
          statement.setLong(index, userId);
          statement.executeUpdate();
        }
      }
      if (deactivated) {
        deactivateKeys(c, userId);
      }
      return loadUser(c, userId);
    })).andThen(done -> authCache.invalidateAll()); // role, activity or password may have changed
  }

  private record UserRow(String role, boolean active) {}

  private UserRow lockUser(Connection c, long userId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT role, is_active FROM user_profiles WHERE id = ?"
        + dialect.lockRows("user_profiles"))) {
      statement.setLong(1, userId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(USER_NOT_FOUND);
        }
        return new UserRow(rows.getString("role"), dialect.getBoolean(rows, "is_active"));
      }
    }
  }

  /** Active admins other than {@code userId}, their rows locked (PostgreSQL) so two demotions serialise. */
  private long otherActiveAdmins(Connection c, long userId) throws SQLException {
    long count = 0;
    try (PreparedStatement statement = c.prepareStatement("SELECT id FROM user_profiles WHERE role = 'admin'"
        // In id order: two demotions locking the admins in different orders would deadlock.
        + " AND is_active ORDER BY id" + dialect.lockRows("user_profiles"))) {
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          if (rows.getLong(1) != userId) {
            count++;
          }
        }
      }
    }
    return count;
  }

  private void deactivate(Connection c, long userId, String lastAdminDetail) throws SQLException {
    UserRow row = lockUser(c, userId);
    if (row.active() && Identity.ADMIN.equals(row.role()) && otherActiveAdmins(c, userId) == 0) {
      throw StoreException.conflict(lastAdminDetail);
    }
    try (PreparedStatement statement = c.prepareStatement("UPDATE user_profiles SET is_active = ? WHERE id = ?")) {
      dialect.setBoolean(statement, 1, false);
      statement.setLong(2, userId);
      statement.executeUpdate();
    }
    deactivateKeys(c, userId);
  }

  private void deactivateKeys(Connection c, long userId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("UPDATE api_keys SET is_active = ? WHERE user_id = ?")) {
      dialect.setBoolean(statement, 1, false);
      statement.setLong(2, userId);
      statement.executeUpdate();
    }
  }

  private JsonObject createKey(Connection c, long userId, String name, Instant expiresAt) throws SQLException {
    UserRow owner = lockUser(c, userId);
    if (!owner.active()) {
      throw StoreException.conflict("User is deactivated.");
    }
    String key = ApiKeys.generate();
    long id;
    try (PreparedStatement statement = c.prepareStatement("INSERT INTO api_keys (user_id, key, name, prefix,"
        + " created_at, expires_at, is_active) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
      statement.setLong(1, userId);
      statement.setString(2, ApiKeys.hash(key));
      statement.setString(3, name);
      statement.setString(4, ApiKeys.prefix(key));
      dialect.setTimestamp(statement, 5, Instant.now());
      dialect.setTimestamp(statement, 6, expiresAt);
      dialect.setBoolean(statement, 7, true);
      id = Sql.insertedId(statement);
    }
    try (PreparedStatement statement = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ?")) {
      statement.setLong(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return keyOut(rows).put("key", key);
      }
    }
  }

  private JsonObject keyOut(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("name", rows.getString("name"))
        .put("prefix", rows.getString("prefix"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("last_used_at", Rows.timestamp(dialect, rows, "last_used_at"))
        .put("expires_at", Rows.timestamp(dialect, rows, "expires_at"))
        .put("is_active", dialect.getBoolean(rows, "is_active"));
  }

  private JsonObject listUsers(Connection c, int limit, long offset) throws SQLException {
    JsonArray users = new JsonArray();
    try (PreparedStatement statement = c.prepareStatement("SELECT " + USER_COLUMNS
        + " FROM user_profiles u ORDER BY u.id LIMIT ? OFFSET ?")) {
      statement.setInt(1, limit);
      statement.setLong(2, offset);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          users.add(userOut(rows));
        }
      }
    }
    long total;
    try (PreparedStatement statement = c.prepareStatement("SELECT COUNT(*) FROM user_profiles");
         ResultSet rows = statement.executeQuery()) {
      rows.next();
      total = rows.getLong(1);
    }
    return new JsonObject().put("users", users).put("total", total);
  }

  JsonObject loadUser(Connection c, long userId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT " + USER_COLUMNS
        + " FROM user_profiles u WHERE u.id = ?")) {
      statement.setLong(1, userId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(USER_NOT_FOUND);
        }
        return userOut(rows);
      }
    }
  }

  /** Pipelit's UserOut, plus {@code is_active}. */
  private JsonObject userOut(ResultSet rows) throws SQLException {
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("username", rows.getString("username"))
        .put("role", rows.getString("role"))
        .put("first_name", rows.getString("first_name"))
        .put("last_name", rows.getString("last_name"))
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("mfa_enabled", dialect.getBoolean(rows, "mfa_enabled"))
        .put("key_count", rows.getLong("key_count"))
        .put("is_active", dialect.getBoolean(rows, "is_active"));
  }

  private static long idOf(Connection c, String username) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT id FROM user_profiles WHERE username = ?")) {
      statement.setString(1, username);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound("No user named '" + username + "'.");
        }
        return rows.getLong(1);
      }
    }
  }

  static void requireAdmin(Identity identity) {
    if (!identity.isAdmin()) {
      throw new StoreException(ErrorCode.FORBIDDEN, ADMIN_REQUIRED);
    }
  }

  private static long userId(JsonObject request) {
    Long id = RequestFields.optionalLong(request, "user_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
    if (id == null) {
      throw StoreException.notFound(USER_NOT_FOUND);
    }
    return id;
  }

  private static long keyOwner(Identity identity, JsonObject request) {
    if (request.getValue("user_id") == null) {
      return identity.userId();
    }
    requireAdmin(identity);
    return userId(request);
  }

  private static String username(String username) {
    if (!username.equals(username.strip()) || username.chars().anyMatch(Character::isISOControl)) {
      throw StoreException.validation("username: must not start or end with spaces or contain control characters");
    }
    return username;
  }

  private static String keyName(String name) {
    if (SessionKeys.NAME.equals(name)) {
      throw StoreException.validation("name: 'session' is reserved for login keys");
    }
    return name;
  }

  private static Instant expiry(Instant expiresAt) {
    if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
      throw new StoreException(ErrorCode.BAD_REQUEST, "expires_at must be in the future.");
    }
    return expiresAt;
  }
}
