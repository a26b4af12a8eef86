package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings (reference §3.15), kept in the singleton row {@code system_config.id = 1} (§1.11) instead
 * of Pipelit's {@code conf.json}. Admin-only (Pipelit lets any user repoint the database).
 *
 * <p>A column left NULL means "not set": the answer shows the default (for {@code database_url} the
 * daemon's own {@code DATABASE_URL}, for {@code log_level} the current root level). Passwords in
 * {@code database_url} and {@code redis_url} are encrypted at rest and answered as {@code ***}; a
 * PATCH that sends back the masked URL keeps the stored one, and an empty URL returns to the default.
 *
 * <p>PATCH lists the settings whose effective value changed: {@code log_level} (applied to the Logback
 * root logger at once) and {@code zombie_execution_threshold_seconds} (published after commit on
 * {@link EventAddresses#SETTINGS} for the execution-recovery job) under {@code hot_reloaded}; every other
 * one under {@code restart_required}. pipelitd itself takes its database from its own configuration
 * ({@code DATABASE_URL}), not from this row: the stored URLs are for the rest of the platform.
 */
public final class SettingsStore {
  static final String ADMIN_REQUIRED = "Admin access required.";
  /** Pipelit's default for stuck executions, in seconds. */
  /** Pipelit's default Redis. */
  static final String DEFAULT_REDIS_URL = "redis://localhost:6379/0";
  private static final Set<String> HOT_RELOADED = Set.of("log_level", "zombie_execution_threshold_seconds");
  /** Every config key, in answer order. */
  private static final List<String> KEYS = List.of("pipelit_dir", "sandbox_mode", "database_url", "redis_url",
      "log_level", "log_file", "platform_base_url", "cors_allow_all_origins", "zombie_execution_threshold_seconds");
  private static final Set<String> REDIS_SCHEMES = Set.of("redis", "rediss", "unix");
  private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)([?&]password=)[^&#]*");
  private static final String ROW = "SELECT sandbox_mode, database_url, redis_url, log_level, log_file,"
      + " platform_base_url, cors_allow_all_origins, zombie_execution_threshold_seconds, detected_environment"
      + " FROM system_config s WHERE s.id = 1";

  /**
   * What the defaults come from.
   *
   * @param pipelitDir    the data folder ({@code PIPELIT_DIR}), absolute
   * @param workspaceRoot the workspace root, absolute
   * @param databaseUrl   the daemon's {@code DATABASE_URL} (shown masked)
   * @param database      the database described without secrets
   */
  /**
   * What a setting is when nothing is stored for it.
   *
   * @param zombieThresholdSeconds the configured ZOMBIE_EXECUTION_THRESHOLD_SECONDS (default 900)
   */
  public record Defaults(Path pipelitDir, Path workspaceRoot, String databaseUrl, String database,
      long zombieThresholdSeconds) {}

  private final Vertx vertx;
  private final Database db;
  private final Dialect dialect;
  private final FieldSecrets secrets;
  private final Defaults defaults;

  public SettingsStore(Vertx vertx, Database db, FieldSecrets secrets, Defaults defaults) {
    this.vertx = vertx;
    this.db = db;
    this.dialect = db.dialect();
    this.secrets = secrets;
    this.defaults = defaults;
  }

  // --- routes ----------------------------------------------------------------------------------

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    requireAdmin(identity);
    return db.read(this::stored).compose(stored -> {
      JsonObject config = masked(effective(stored));
      Object environment = stored.getValue("detected_environment");
      if (environment instanceof JsonObject known) {
        return Future.succeededFuture(new JsonObject().put("config", config).put("environment", known));
      }
      return detect().map(env -> new JsonObject().put("config", config).put("environment", env));
    });
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    requireAdmin(identity);
    JsonObject changes = changes(RequestFields.body(request));
    return db.write(c -> {
      ensureRow(c);
      JsonObject stored = stored(c, true);
      JsonObject before = effective(stored);
      JsonObject next = stored.copy();
      for (String key : changes.fieldNames()) {
        Object value = changes.getValue(key);
        boolean url = key.equals("database_url") || key.equals("redis_url");
        if (url && value != null && value.equals(maskUrl(before.getString(key)))) {
          continue; // the masked URL sent back: unchanged
        }
        if (value == null) {
          next.remove(key);
        } else {
          next.put(key, value);
        }
      }
      JsonObject after = effective(next);
      JsonArray hot = new JsonArray();
      JsonArray restart = new JsonArray();
      for (String key : KEYS) {
        if (!Objects.equals(before.getValue(key), after.getValue(key))) {
          (HOT_RELOADED.contains(key) ? hot : restart).add(key);
        }
      }
      save(c, next);
      return new JsonObject().put("config", after).put("hot_reloaded", hot).put("restart_required", restart);
    }).map(result -> {
      JsonObject config = result.getJsonObject("config");
      JsonArray hot = result.getJsonArray("hot_reloaded");
      if (hot.contains("log_level")) {
        LogLevels.apply(config.getString("log_level"));
      }
      JsonObject shown = masked(config);
      if (!hot.isEmpty() || !result.getJsonArray("restart_required").isEmpty()) {
        vertx.eventBus().publish(EventAddresses.SETTINGS, shown); // after commit
      }
      return result.put("config", shown);
    });
  }

  public Future<JsonObject> recheckEnvironment(Identity identity, JsonObject request) {
    requireAdmin(identity);
    return detect().compose(environment -> db.write(c -> {
      ensureRow(c);
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE system_config SET detected_environment = ?, updated_at = ? WHERE id = 1")) {
        dialect.setJson(statement, 1, environment.encode());
        dialect.setTimestamp(statement, 2, Instant.now());
        statement.executeUpdate();
      }
      return new JsonObject().put("environment", environment);
    }));
  }

  /** The config object (secrets masked), for in-process jobs; no identity (a trusted local address). */
  public Future<JsonObject> current(JsonObject request) {
    return db.read(this::stored).map(stored -> masked(effective(stored)));
  }

  /** Applies a stored log level at start-up; no stored level leaves the configured one. */
  public Future<Void> applyStoredLogLevel() {
    return db.read(this::stored).map(stored -> {
      String level = stored.getString("log_level");
      if (level != null && LogLevels.normalize(level) != null) {
        LogLevels.apply(LogLevels.normalize(level));
      }
      return null;
    });
  }

  // --- values ----------------------------------------------------------------------------------

  /** The body's settings, validated, with plaintext values; a key mapped to null returns to its default. */
  private static JsonObject changes(JsonObject body) {
    JsonObject changes = new JsonObject();
    if (body.getValue("sandbox_mode") != null) {
      String mode = RequestFields.optionalString(body, "sandbox_mode", 50, null);
      changes.put("sandbox_mode", mode.isEmpty() ? null : mode);
    }
    if (body.getValue("database_url") != null) {
      String url = RequestFields.optionalString(body, "database_url", 2000, null);
      if (!url.isEmpty()) {
        try {
          DatabaseUrl.parse(url, Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
          throw StoreException.validation("database_url: " + e.getMessage()); // the message holds no password
        }
      }
      changes.put("database_url", url.isEmpty() ? null : url);
    }
    if (body.getValue("redis_url") != null) {
      String url = RequestFields.optionalString(body, "redis_url", 2000, null);
      if (!url.isEmpty()) {
        URI uri = uri(url, "redis_url");
        if (uri.getScheme() == null || !REDIS_SCHEMES.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))
            || (!"unix".equalsIgnoreCase(uri.getScheme()) && uri.getHost() == null)) {
          throw StoreException.validation("redis_url: must be a redis://host[:port][/db], rediss:// or unix:// URL");
        }
      }
      changes.put("redis_url", url.isEmpty() ? null : url);
    }
    if (body.getValue("log_level") != null) {
      String level = LogLevels.normalize(RequestFields.optionalString(body, "log_level", 20, null));
      if (level == null) {
        throw StoreException.validation("log_level: must be one of " + LogLevels.NAMES);
      }
      changes.put("log_level", level);
    }
    if (body.getValue("log_file") != null) {
      String file = RequestFields.optionalString(body, "log_file", 1000, null);
      changes.put("log_file", file.isEmpty() ? null : file);
    }
    if (body.getValue("platform_base_url") != null) {
      String url = RequestFields.optionalString(body, "platform_base_url", 500, null);
      if (!url.isEmpty()) {
        URI uri = uri(url, "platform_base_url");
        if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))
            || uri.getHost() == null) {
          throw StoreException.validation("platform_base_url: must be an http:// or https:// URL");
        }
      }
      changes.put("platform_base_url", url.isEmpty() ? null : url);
    }
    if (body.getValue("cors_allow_all_origins") != null) {
      changes.put("cors_allow_all_origins", RequestFields.optionalBool(body, "cors_allow_all_origins", true));
    }
    if (body.getValue("zombie_execution_threshold_seconds") != null) {
      changes.put("zombie_execution_threshold_seconds", RequestFields.optionalLong(body,
          "zombie_execution_threshold_seconds", 0, Integer.MAX_VALUE, null));
    }
    return changes;
  }

  private static URI uri(String text, String field) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw StoreException.validation(field + ": not a valid URL");
    }
  }

  /** Stored values (plaintext) and the defaults for the rest. */
  private JsonObject effective(JsonObject stored) {
    return new JsonObject()
        .put("pipelit_dir", defaults.pipelitDir().toString())
        .put("sandbox_mode", stored.getString("sandbox_mode", ""))
        .put("database_url", stored.getString("database_url", defaults.databaseUrl()))
        .put("redis_url", stored.getString("redis_url", DEFAULT_REDIS_URL))
        .put("log_level", stored.getString("log_level", LogLevels.current()))
        .put("log_file", stored.getString("log_file", ""))
        .put("platform_base_url", stored.getString("platform_base_url", ""))
        .put("cors_allow_all_origins", stored.getBoolean("cors_allow_all_origins", true))
        .put("zombie_execution_threshold_seconds",
            stored.getLong("zombie_execution_threshold_seconds", defaults.zombieThresholdSeconds()));
  }

  private static JsonObject masked(JsonObject config) {
    return config.copy()
        .put("database_url", maskUrl(config.getString("database_url")))
        .put("redis_url", maskUrl(config.getString("redis_url")));
  }

  /** The URL with the password of its user info (and a {@code password=} query option) as {@code ***}. */
  static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String result = QUERY_PASSWORD.matcher(url).replaceAll("$1***");
    int scheme = result.indexOf("://");
    if (scheme < 0) {
      return result;
    }
    int start = scheme + 3;
    int end = start;
    while (end < result.length() && "/?#".indexOf(result.charAt(end)) < 0) {
      end++;
    }
    int at = result.lastIndexOf('@', end - 1);
    if (at < start) {
      return result;
    }
    int colon = result.indexOf(':', start);
    if (colon < 0 || colon > at) {
      return result;
    }
    return result.substring(0, colon + 1) + "***" + result.substring(at);
  }

  private Future<JsonObject> detect() {
    return vertx.executeBlocking(() -> EnvironmentCheck.detect(defaults.pipelitDir(), defaults.workspaceRoot(),
        dialect.name(), defaults.database()), false);
  }

  private static void requireAdmin(Identity identity) {
    if (!identity.isAdmin()) {
      throw new StoreException(ErrorCode.FORBIDDEN, ADMIN_REQUIRED);
    }
  }

  // --- the row ---------------------------------------------------------------------------------

  /** The set columns of the row (URLs opened), plus {@code detected_environment}; {} when there is no row. */
  private JsonObject stored(Connection c) throws SQLException {
    return stored(c, false);
  }

  /** @param lock true inside a write: the row stays locked until the write ends */
  private JsonObject stored(Connection c, boolean lock) throws SQLException {
    JsonObject stored = new JsonObject();
    try (PreparedStatement statement = c.prepareStatement(ROW + (lock ? dialect.lockRows("s") : ""));
         ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return stored;
      }
      putIfSet(stored, "sandbox_mode", rows.getString("sandbox_mode"));
      putIfSet(stored, "database_url", secrets.open(rows.getString("database_url")));
      putIfSet(stored, "redis_url", secrets.open(rows.getString("redis_url")));
      putIfSet(stored, "log_level", rows.getString("log_level"));
      putIfSet(stored, "log_file", rows.getString("log_file"));
      putIfSet(stored, "platform_base_url", rows.getString("platform_base_url"));
      boolean cors = dialect.getBoolean(rows, "cors_allow_all_origins");
      if (!rows.wasNull()) {
        stored.put("cors_allow_all_origins", cors);
      }
      long threshold = rows.getLong("zombie_execution_threshold_seconds");
      if (!rows.wasNull()) {
        stored.put("zombie_execution_threshold_seconds", threshold);
      }
      Object environment = Rows.json(dialect, rows, "detected_environment");
      if (environment instanceof JsonObject) {
        stored.put("detected_environment", environment);
      }
    }
    return stored;
  }

  private static void putIfSet(JsonObject target, String key, String value) {
    if (value != null) {
      target.put(key, value);
    }
  }

  private void ensureRow(Connection c) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "INSERT INTO system_config (id, updated_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")) {
      dialect.setTimestamp(statement, 1, Instant.now());
      statement.executeUpdate();
    }
  }

  private void save(Connection c, JsonObject next) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("UPDATE system_config SET sandbox_mode = ?,"
        + " database_url = ?, redis_url = ?, log_level = ?, log_file = ?, platform_base_url = ?,"
        + " cors_allow_all_origins = ?, zombie_execution_threshold_seconds = ?, updated_at = ? WHERE id = 1")) {
      statement.setString(1, next.getString("sandbox_mode"));
      statement.setString(2, sealed(next.getString("database_url")));
      statement.setString(3, sealed(next.getString("redis_url")));
      statement.setString(4, next.getString("log_level"));
      statement.setString(5, next.getString("log_file"));
      statement.setString(6, next.getString("platform_base_url"));
      Boolean cors = next.getBoolean("cors_allow_all_origins");
      if (cors == null) {
        statement.setNull(7, Types.BOOLEAN);
      } else {
        dialect.setBoolean(statement, 7, cors);
      }
      Sql.setNullableLong(statement, 8, next.getLong("zombie_execution_threshold_seconds"));
      dialect.setTimestamp(statement, 9, Instant.now());
      statement.executeUpdate();
    }
  }

  private String sealed(String value) {
    return value == null ? null : secrets.seal(value);
  }
}
