package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Workspaces (reference §1.9, §3.14): a row per workspace and a folder under the workspace root
 * ({@link WorkspacePaths}). Scoped to their owner for everyone, admins included: others' workspaces
 * answer 404.
 *
 * <p>The default workspace is the one named {@value #DEFAULT_NAME} (names are unique across all users,
 * so there is at most one). It cannot be deleted (403), batch-delete skips it, and only an admin may
 * create it, so that a normal user cannot take the name first.
 *
 * <p>{@code env_vars} is stored as its JSON array encrypted as one Fernet token with
 * {@code FIELD_ENCRYPTION_KEY} (Pipelit stores it in plaintext). Answers mask each value like
 * credential secrets; a PATCH that sends back the masked value of a key keeps the stored value.
 *
 * <p>Folder work (create, reset, reset-rootfs) runs on worker threads, never on an event loop. A
 * creation first checks the path, then inserts the row (a taken name answers 409 and touches no
 * folder), then creates the folder; if that fails the row is removed again.
 */
public final class WorkspaceStore {
  static final String NOT_FOUND = "Workspace not found.";
  static final String DEFAULT_NAME = "default";
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> SOURCES = Set.of("raw", "credential");
  private static final int ENV_VARS_MAX = 500;
  private static final int ENV_VALUE_MAX = 100_000;
  private static final String COLUMNS = "id, name, path, allow_network, env_vars, created_at";

  private final Vertx vertx;
  private final Database db;
  private final Dialect dialect;
  private final FieldSecrets secrets;
  private final WorkspacePaths paths;

  public WorkspaceStore(Vertx vertx, Database db, FieldSecrets secrets, WorkspacePaths paths) {
    this.vertx = vertx;
    this.db = db;
    this.dialect = db.dialect();
    this.secrets = secrets;
    this.paths = paths;
  }

  // --- routes ----------------------------------------------------------------------------------

  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS
          + " FROM workspaces WHERE user_profile_id = ? ORDER BY id LIMIT ? OFFSET ?")) {
        statement.setLong(1, identity.userId());
        statement.setInt(2, limit);
        statement.setLong(3, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(toJson(rows));
          }
        }
      }
      long total;
      try (PreparedStatement statement = c.prepareStatement(
          "SELECT COUNT(*) FROM workspaces WHERE user_profile_id = ?")) {
        statement.setLong(1, identity.userId());
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    long id = workspaceId(request);
    return db.read(c -> load(c, identity, id));
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String name = RequestFields.identifier(body, "name", 100);
    String requestedPath = RequestFields.optionalString(body, "path", 1000, null);
    boolean allowNetwork = RequestFields.optionalBool(body, "allow_network", false);
    List<EnvVar> envVars = envVars(body);
    if (DEFAULT_NAME.equals(name) && !identity.isAdmin()) {
      throw new StoreException(ErrorCode.FORBIDDEN, "Only an admin can create the default workspace.");
    }
    String sealedEnv = seal(envVars); // before the write: keep the writer's thread free of crypto
    return blocking(() -> paths.locate(requestedPath == null || requestedPath.isEmpty() ? null : requestedPath, name))
        .compose(folder -> db.write(c -> {
          requireFreeName(c, name);
          checkCredentials(c, identity, envVars);
          long id;
          try (PreparedStatement statement = c.prepareStatement("INSERT INTO workspaces (name, path, allow_network,"
              + " env_vars, created_at, user_profile_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
            statement.setString(1, name);
            statement.setString(2, folder.toString());
            dialect.setBoolean(statement, 3, allowNetwork);
            statement.setString(4, sealedEnv);
            dialect.setTimestamp(statement, 5, Instant.now());
            statement.setLong(6, identity.userId());
            id = Sql.insertedId(statement);
          }
          return load(c, identity, id);
        }).compose(created -> blocking(() -> {
          paths.create(folder);
          return created;
        }).recover(failure -> db.write(c -> deleteRow(c, created.getLong("id")))
            .transform(removed -> Future.failedFuture(failure)))));
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    long id = workspaceId(request);
    JsonObject body = RequestFields.body(request);
    Boolean allowNetwork = body.getValue("allow_network") == null ? null
        : RequestFields.optionalBool(body, "allow_network", false);
    List<EnvVar> envVars = body.getValue("env_vars") == null ? null : envVars(body);
    return db.write(c -> {
      String stored;
      try (PreparedStatement statement = c.prepareStatement("SELECT env_vars FROM workspaces w"
          + " WHERE w.id = ? AND w.user_profile_id = ?" + dialect.lockRows("w"))) {
        statement.setLong(1, id);
        statement.setLong(2, identity.userId());
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            throw StoreException.notFound(NOT_FOUND);
          }
          stored = rows.getString("env_vars");
        }
      }
      String sealedEnv = null;
      if (envVars != null) {
        checkCredentials(c, identity, envVars);
        sealedEnv = seal(keepMaskedValues(envVars, open(stored)));
      }
      try (PreparedStatement statement = c.prepareStatement("UPDATE workspaces SET"
          + " allow_network = COALESCE(?, allow_network), env_vars = COALESCE(?, env_vars) WHERE id = ?")) {
        if (allowNetwork == null) {
          statement.setNull(1, java.sql.Types.BOOLEAN);
        } else {
          dialect.setBoolean(statement, 1, allowNetwork);
        }
        statement.setString(2, sealedEnv);
        statement.setLong(3, id);
        statement.executeUpdate();
      }
      return load(c, identity, id);
    });
  }

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    long id = workspaceId(request);
    return db.write(c -> {
      String name;
      try (PreparedStatement statement = c.prepareStatement(
          "SELECT name FROM workspaces WHERE id = ? AND user_profile_id = ?")) {
        statement.setLong(1, id);
        statement.setLong(2, identity.userId());
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            throw StoreException.notFound(NOT_FOUND);
          }
          name = rows.getString(1);
        }
      }
      if (DEFAULT_NAME.equals(name)) {
        throw new StoreException(ErrorCode.FORBIDDEN, "Cannot delete the default workspace.");
      }
      return deleteRow(c, id); // the folder stays, as in Pipelit
    });
  }

  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    List<Long> ids = ids(RequestFields.body(request));
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement(
          "DELETE FROM workspaces WHERE id = ? AND user_profile_id = ? AND name <> ?")) {
        for (long id : ids) {
          statement.setLong(1, id);
          statement.setLong(2, identity.userId());
          statement.setString(3, DEFAULT_NAME);
          statement.executeUpdate(); // others', unknown ids and the default workspace are skipped
        }
      }
      return new JsonObject();
    });
  }

  public Future<JsonObject> reset(Identity identity, JsonObject request) {
    long id = workspaceId(request);
    return db.read(c -> storedPath(c, identity, id))
        .compose(folder -> blocking(() -> {
          paths.reset(folder);
          return new JsonObject().put("ok", true).put("message", "Workspace folder emptied; " + WorkspacePaths.TMP
              + " re-created.");
        }));
  }

  public Future<JsonObject> resetRootfs(Identity identity, JsonObject request) {
    long id = workspaceId(request);
    return db.read(c -> storedPath(c, identity, id))
        .compose(folder -> blocking(() -> {
          paths.resetRootfs(folder);
          return new JsonObject().put("ok", true).put("message", "Workspace " + WorkspacePaths.ROOTFS
              + " removed.");
        }));
  }

  // --- environment variables -------------------------------------------------------------------

  /** One {@code env_vars} entry as stored (value in plaintext here; the whole list is sealed). */
  private record EnvVar(String key, String value, Long credentialId, String credentialField, String source) {
    JsonObject toJson(String shownValue) {
      return new JsonObject().put("key", key).put("value", shownValue).put("credential_id", credentialId)
          .put("credential_field", credentialField).put("source", source);
    }
  }

  /** The validated {@code env_vars} of a body ([] when absent). */
  private static List<EnvVar> envVars(JsonObject body) {
    Object value = body.getValue("env_vars");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw StoreException.validation("env_vars: must be a list of objects");
    }
    if (array.size() > ENV_VARS_MAX) {
      throw StoreException.validation("env_vars: must have at most " + ENV_VARS_MAX + " items");
    }
    List<EnvVar> result = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject entry)) {
        throw StoreException.validation("env_vars[" + i + "]: must be an object");
      }
      String field = "env_vars[" + i + "].";
      String key = RequestFields.requiredString(entry, "key", 255);
      if (!ENV_KEY.matcher(key).matches()) {
        throw StoreException.validation(field + "key: must be a variable name (letters, digits, '_';"
            + " not starting with a digit)");
      }
      if (!keys.add(key)) {
        throw StoreException.validation(field + "key: '" + key + "' appears twice");
      }
      String source = RequestFields.oneOf(entry, "source", SOURCES, "raw");
      String text = RequestFields.optionalString(entry, "value", ENV_VALUE_MAX, null);
      Long credentialId = RequestFields.optionalLong(entry, "credential_id", 1, Long.MAX_VALUE, null);
      String credentialField = RequestFields.optionalString(entry, "credential_field", 100, null);
      if ("credential".equals(source) && credentialId == null) {
        throw StoreException.validation(field + "credential_id: field required when source is 'credential'");
      }
      result.add("raw".equals(source)
          ? new EnvVar(key, text == null ? "" : text, credentialId, credentialField, source)
          : new EnvVar(key, text, credentialId, credentialField, source));
    }
    return result;
  }

  /** What an answer shows of a value: null and "" as they are, else the credential mask. */
  static String masked(String value) {
    return value == null || value.isEmpty() ? value : CredentialStore.mask(value);
  }

  /** Values sent back exactly as answered (masked) keep the stored value of the same key. */
  private static List<EnvVar> keepMaskedValues(List<EnvVar> sent, List<EnvVar> stored) {
    Map<String, EnvVar> byKey = new HashMap<>();
    stored.forEach(v -> byKey.put(v.key(), v));
    List<EnvVar> result = new ArrayList<>();
    for (EnvVar v : sent) {
      EnvVar before = byKey.get(v.key());
      boolean echoedMask = before != null && before.value() != null && !before.value().isEmpty()
          && v.value() != null && v.value().equals(masked(before.value()));
      result.add(echoedMask ? new EnvVar(v.key(), before.value(), v.credentialId(), v.credentialField(), v.source()) : v);
    }
    return result;
  }

  /** A credential source must name a credential the caller may use (their own; an admin's: any). */
  private static void checkCredentials(Connection c, Identity identity, List<EnvVar> envVars) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT 1 FROM credentials WHERE id = ? AND (user_profile_id = ? OR ? = 1)")) {
      for (int i = 0; i < envVars.size(); i++) {
        EnvVar v = envVars.get(i);
        if (!"credential".equals(v.source())) {
          continue;
        }
        statement.setLong(1, v.credentialId());
        statement.setLong(2, identity.userId());
        statement.setInt(3, identity.isAdmin() ? 1 : 0);
        try (ResultSet rows = statement.executeQuery()) {
          if (!rows.next()) {
            throw StoreException.validation("env_vars[" + i + "].credential_id: Credential not found.");
          }
        }
      }
    }
  }

  private String seal(List<EnvVar> envVars) {
    JsonArray array = new JsonArray();
    envVars.forEach(v -> array.add(v.toJson(v.value())));
    return secrets.seal(array.encode());
  }

  /** The stored list: a Fernet token (or, in an adopted Pipelit database, plaintext JSON). */
  private List<EnvVar> open(String stored) {
    String text = secrets.open(stored);
    if (text == null || text.isBlank()) {
      return List.of();
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new StoreException(ErrorCode.INTERNAL, "A stored workspaces.env_vars value is not a JSON list.");
    }
    if (!(decoded instanceof JsonArray array)) {
      throw new StoreException(ErrorCode.INTERNAL, "A stored workspaces.env_vars value is not a JSON list.");
    }
    List<EnvVar> result = new ArrayList<>();
    for (Object item : array) {
      if (item instanceof JsonObject o) {
        Object credentialId = o.getValue("credential_id");
        result.add(new EnvVar(o.getString("key", ""), o.getValue("value") == null ? null : String.valueOf(o.getValue("value")),
            credentialId instanceof Number n ? n.longValue() : null,
            o.getValue("credential_field") == null ? null : String.valueOf(o.getValue("credential_field")),
            o.getString("source", "raw")));
      }
    }
    return result;
  }

  // --- rows ------------------------------------------------------------------------------------

  private JsonObject load(Connection c, Identity identity, long id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM workspaces WHERE id = ? AND user_profile_id = ?")) {
      statement.setLong(1, id);
      statement.setLong(2, identity.userId());
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  /** WorkspaceOut with raw values masked. */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    JsonArray env = new JsonArray();
    for (EnvVar v : open(rows.getString("env_vars"))) {
      env.add(v.toJson(masked(v.value()))); // any value is masked, whatever its source
    }
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("name", rows.getString("name"))
        .put("path", rows.getString("path"))
        .put("allow_network", dialect.getBoolean(rows, "allow_network"))
        .put("env_vars", env)
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"));
  }

  private static Path storedPath(Connection c, Identity identity, long id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT path FROM workspaces WHERE id = ? AND user_profile_id = ?")) {
      statement.setLong(1, id);
      statement.setLong(2, identity.userId());
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return Path.of(rows.getString(1));
      }
    }
  }

  private static void requireFreeName(Connection c, String name) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT 1 FROM workspaces WHERE name = ?")) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        if (rows.next()) {
          throw StoreException.conflict("Workspace with this name already exists.");
        }
      }
    }
  }

  private static JsonObject deleteRow(Connection c, long id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("DELETE FROM workspaces WHERE id = ?")) {
      statement.setLong(1, id);
      statement.executeUpdate();
    }
    return new JsonObject();
  }

  /** File work on a worker thread; an I/O failure becomes a clear 400 naming the folder problem. */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(() -> {
      try {
        return work.call();
      } catch (IOException e) {
        throw new StoreException(ErrorCode.BAD_REQUEST, "Workspace folder operation failed under "
            + paths.root() + ": " + e.getClass().getSimpleName() + " on " + e.getMessage());
      }
    }, false);
  }

  private static List<Long> ids(JsonObject body) {
    Object value = body.getValue("ids");
    if (value == null) {
      throw StoreException.validation("ids: field required");
    }
    if (!(value instanceof JsonArray array)) {
      throw StoreException.validation("ids: must be a list of integers");
    }
    if (array.size() > 10_000) {
      throw StoreException.validation("ids: must have at most 10000 items");
    }
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Long id = RequestFields.optionalLong(new JsonObject().put("ids", array.getValue(i)), "ids", Long.MIN_VALUE,
          Long.MAX_VALUE, null);
      if (id == null) {
        throw StoreException.validation("ids: must be a list of integers");
      }
      ids.add(id);
    }
    return ids;
  }

  private static long workspaceId(JsonObject request) {
    if (!(request.getValue("workspace_id") instanceof Number)) {
      throw StoreException.notFound(NOT_FOUND);
    }
    return RequestFields.optionalLong(request, "workspace_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
  }
}
