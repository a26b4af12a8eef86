package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Credentials (reference §1.2, §3.11): a base row in {@code credentials} plus one child row per type,
 * scoped to their owner (an admin sees all; others' answer 404).
 *
 * <p>Secrets are sealed with {@link FieldSecrets} before they are written and opened after they are
 * read: {@code llm.api_key}, {@code llm.custom_headers} (JSON text), {@code git.ssh_private_key},
 * {@code git.access_token}, {@code git.webhook_secret}, {@code tool.config} (JSON text). Answers mask
 * them as Pipelit does ({@link #mask}); unlike Pipelit, each value of {@code custom_headers} is masked
 * too (headers carry bearer tokens), while {@code tool.config} is returned in full as Pipelit does
 * (clients need it). A PATCH that sends back exactly the masked value the API answered keeps the
 * stored secret (Pipelit overwrote the secret with the mask).
 *
 * <p>Gateway credentials are stored locally only ({@code gateway_credential_id} = name,
 * {@code adapter_type}); pipelitd does not call the external msg-gateway, so a {@code token} is
 * refused rather than silently dropped, and no token is ever stored.
 */
public final class CredentialStore {
  static final String NOT_FOUND = "Credential not found.";
  private static final Set<String> TYPES = Set.of("git", "llm", "gateway", "tool");
  private static final Set<String> GIT_PROVIDERS = Set.of("github", "gitlab", "bitbucket");
  private static final Set<String> GIT_TYPES = Set.of("ssh_key", "token", "app");
  private static final int SECRET_MAX = 100_000;
  private static final String COLUMNS = "c.id, c.name, c.credential_type, c.created_at, c.updated_at,"
      + " l.provider_type, l.api_key, l.base_url, l.organization_id, l.custom_headers,"
      + " g.provider, g.credential_type AS git_type, g.username, g.ssh_private_key, g.access_token,"
      + " gw.gateway_credential_id, gw.adapter_type, t.tool_type, t.config, t.is_preferred,"
      + " l.id AS l_id, g.id AS g_id, gw.id AS gw_id, t.id AS t_id";
  private static final String FROM = " FROM credentials c"
      + " LEFT JOIN llm_credentials l ON l.base_credentials_id = c.id"
      + " LEFT JOIN git_credentials g ON g.base_credentials_id = c.id"
      + " LEFT JOIN gateway_credentials gw ON gw.base_credentials_id = c.id"
      + " LEFT JOIN tool_credentials t ON t.base_credentials_id = c.id";
  private static final String SCOPE = "(c.user_profile_id = ? OR ? = 1)";

  private final Database db;
  private final Dialect dialect;
  private final FieldSecrets secrets;

  public CredentialStore(Database db, FieldSecrets secrets) {
    this.db = db;
    this.dialect = db.dialect();
    this.secrets = secrets;
  }

  /** Pipelit's {@code _mask}: "****" when shorter than 8 characters, else first 4 + "****" + last 4. */
  public static String mask(String value) {
    // Pipelit shows the first and last 4 characters from 8 characters on, which reveals all of an
    // 8-character secret and most of a short one; we show them only when at least half stays hidden.
    if (value == null || value.length() < MASK_MIN_LENGTH) {
      return "****";
    }
    return value.substring(0, 4) + "****" + value.substring(value.length() - 4);
  }

  /** Shortest secret whose first and last 4 characters are shown (8 of at least 16). */
  static final int MASK_MIN_LENGTH = 16;

  // --- routes ----------------------------------------------------------------------------------

  public Future<JsonObject> list(Identity identity, JsonObject request) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement(
          "SELECT " + COLUMNS + FROM + " WHERE " + SCOPE + " ORDER BY c.id LIMIT ? OFFSET ?")) {
        int i = bindScope(statement, 1, identity);
        statement.setInt(i, limit);
        statement.setLong(i + 1, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(toJson(rows));
          }
        }
      }
      long total;
      try (PreparedStatement statement = c.prepareStatement("SELECT COUNT(*) FROM credentials c WHERE " + SCOPE)) {
        bindScope(statement, 1, identity);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  public Future<JsonObject> get(Identity identity, JsonObject request) {
    long id = credentialId(request);
    return db.read(c -> load(c, identity, id));
  }

  public Future<JsonObject> create(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
    String name = RequestFields.requiredString(body, "name", 255);
    String type = RequestFields.requiredString(body, "credential_type", 20);
    if (!TYPES.contains(type)) {
      throw StoreException.validation("credential_type: must be one of [gateway, git, llm, tool] (got '" + type + "')");
    }
    JsonObject detail = RequestFields.optionalObject(body, "detail", new JsonObject());
    Child child = switch (type) {
      case "llm" -> llm(detail, null);
      case "git" -> git(detail, null);
      case "tool" -> tool(detail, null);
      default -> gateway(detail, name, null);
    };
    return db.write(c -> {
      Instant now = Instant.now();
      long id;
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO credentials (user_profile_id, name,"
          + " credential_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id")) {
        statement.setLong(1, identity.userId());
        statement.setString(2, name);
        statement.setString(3, type);
        dialect.setTimestamp(statement, 4, now);
        dialect.setTimestamp(statement, 5, now);
        id = Sql.insertedId(statement);
      }
      child.insert(c, id);
      return load(c, identity, id);
    });
  }

  public Future<JsonObject> update(Identity identity, JsonObject request) {
    long id = credentialId(request);
    JsonObject body = RequestFields.body(request);
    String name = RequestFields.has(body, "name") ? RequestFields.requiredString(body, "name", 255) : null;
    JsonObject detail = RequestFields.optionalObject(body, "detail", null);
    return db.write(c -> {
      Stored stored = loadStored(c, identity, id);
      Instant now = Instant.now();
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE credentials SET name = COALESCE(?, name), updated_at = ? WHERE id = ?")) {
        statement.setString(1, name);
        dialect.setTimestamp(statement, 2, now);
        statement.setLong(3, id);
        statement.executeUpdate();
      }
      if (detail != null) {
        Child child = switch (stored.type()) {
          case "llm" -> llm(detail, stored.row());
          case "git" -> git(detail, stored.row());
          case "tool" -> tool(detail, stored.row());
          case "gateway" -> gateway(detail, null, stored.row());
          default -> throw StoreException.validation("detail: credentials of type '" + stored.type()
              + "' have no detail");
        };
        child.update(c, id);
      }
      return load(c, identity, id);
    });
  }

  public Future<JsonObject> delete(Identity identity, JsonObject request) {
    long id = credentialId(request);
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement(
          "DELETE FROM credentials WHERE id = ? AND (user_profile_id = ? OR ? = 1)")) {
        statement.setLong(1, id);
        bindScope(statement, 2, identity);
        if (statement.executeUpdate() == 0) {
          throw StoreException.notFound(NOT_FOUND);
        }
      }
      return new JsonObject();
    });
  }

  public Future<JsonObject> batchDelete(Identity identity, JsonObject request) {
    JsonObject body = RequestFields.body(request);
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
      ids.add(RequestFields.optionalLong(new JsonObject().put("ids", array.getValue(i)), "ids", Long.MIN_VALUE,
          Long.MAX_VALUE, null));
      if (ids.get(i) == null) {
        throw StoreException.validation("ids: must be a list of integers");
      }
    }
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement(
          "DELETE FROM credentials WHERE id = ? AND (user_profile_id = ? OR ? = 1)")) {
        for (long id : ids) {
          statement.setLong(1, id);
          bindScope(statement, 2, identity);
          statement.executeUpdate(); // others' and unknown ids are skipped, as Pipelit does
        }
      }
      return new JsonObject();
    });
  }

  // --- details per type ------------------------------------------------------------------------

  /** A child row to insert or the changed columns of one to update. */
  private interface Child {
    void insert(Connection c, long baseId) throws SQLException;

    void update(Connection c, long baseId) throws SQLException;
  }

  /** Columns and their values (already sealed), in order; {@code update} applies only those present. */
  private record Columns(String table, List<String> names, List<Object> values) implements Child {
    @Override
    public void insert(Connection c, long baseId) throws SQLException {
      List<String> all = new ArrayList<>(names);
      all.add("base_credentials_id");
      String marks = String.join(", ", java.util.Collections.nCopies(all.size(), "?"));
      try (PreparedStatement statement = c.prepareStatement(
          "INSERT INTO " + table + " (" + String.join(", ", all) + ") VALUES (" + marks + ")")) {
        int i = bind(statement);
        statement.setLong(i, baseId);
        statement.executeUpdate();
      }
    }

    @Override
    public void update(Connection c, long baseId) throws SQLException {
      if (names.isEmpty()) {
        return;
      }
      List<String> sets = names.stream().map(n -> n + " = ?").toList();
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE " + table + " SET " + String.join(", ", sets) + " WHERE base_credentials_id = ?")) {
        int i = bind(statement);
        statement.setLong(i, baseId);
        statement.executeUpdate();
      }
    }

    private int bind(PreparedStatement statement) throws SQLException {
      int i = 1;
      for (Object value : values) {
        if (value instanceof Boolean b) {
          statement.setBoolean(i++, b);
        } else {
          statement.setString(i++, (String) value);
        }
      }
      return i;
    }
  }

  /** Collects columns: on create every column (with its default), on update only the keys present. */
  private final class Builder {
    final String table;
    final JsonObject detail;
    final JsonObject stored; // null on create
    final List<String> names = new ArrayList<>();
    final List<Object> values = new ArrayList<>();

    Builder(String table, JsonObject detail, JsonObject stored) {
      this.table = table;
      this.detail = detail;
      this.stored = stored;
    }

    boolean wanted(String key) {
      return stored == null || detail.containsKey(key);
    }

    void plain(String key, String column, int max, String defaultValue) {
      if (wanted(key)) {
        names.add(column);
        values.add(RequestFields.optionalString(detail, key, max, defaultValue));
      }
    }

    void oneOf(String key, String column, Set<String> allowed, String defaultValue) {
      if (wanted(key)) {
        String value = RequestFields.oneOf(detail, key, allowed, defaultValue);
        names.add(column);
        values.add(value == null ? defaultValue : value);
      }
    }

    /** A secret: sealed; the value the API answered (its mask) keeps the stored secret. */
    void secret(String key, String column, java.util.function.UnaryOperator<String> masker) {
      if (!wanted(key)) {
        return;
      }
      String value = RequestFields.optionalString(detail, key, SECRET_MAX, "");
      if (stored != null) {
        String current = stored.getString(key, "");
        if (value.equals(masker.apply(current))) {
          return; // the masked value sent back: unchanged
        }
      }
      names.add(column);
      values.add(secrets.seal(value));
    }

    void flag(String key, String column, boolean defaultValue) {
      if (wanted(key)) {
        if (stored != null && detail.getValue(key) == null) {
          throw StoreException.validation(key + ": must be a boolean");
        }
        names.add(column);
        values.add(RequestFields.optionalBool(detail, key, defaultValue));
      }
    }

    void sealedJson(String column, JsonObject value) {
      names.add(column);
      values.add(secrets.seal(value.encode()));
    }

    Columns build() {
      return new Columns(table, names, values);
    }
  }

  private Child llm(JsonObject detail, JsonObject stored) {
    Builder b = new Builder("llm_credentials", detail, stored);
    b.plain("provider_type", "provider_type", 30, "openai_compatible");
    b.secret("api_key", "api_key", CredentialStore::mask);
    b.plain("base_url", "base_url", 500, "");
    b.plain("organization_id", "organization_id", 255, "");
    if (b.wanted("custom_headers")) {
      JsonObject headers = RequestFields.optionalObject(detail, "custom_headers", new JsonObject());
      if (headers.size() > 100) {
        throw StoreException.validation("custom_headers: must have at most 100 headers");
      }
      JsonObject current = stored == null ? new JsonObject() : stored.getJsonObject("custom_headers");
      JsonObject result = new JsonObject();
      for (Map.Entry<String, Object> header : headers) {
        if (!(header.getValue() instanceof String text) || text.length() > SECRET_MAX || header.getKey().length() > 1000) {
          throw StoreException.validation("custom_headers: must map header names to strings");
        }
        String before = current.getValue(header.getKey()) instanceof String s ? s : null;
        // A header sent back masked keeps its stored value.
        result.put(header.getKey(), before != null && text.equals(mask(before)) ? before : text);
      }
      b.sealedJson("custom_headers", result);
    }
    return b.build();
  }

  private Child git(JsonObject detail, JsonObject stored) {
    Builder b = new Builder("git_credentials", detail, stored);
    b.oneOf("provider", "provider", GIT_PROVIDERS, "github");
    b.oneOf("credential_type", "credential_type", GIT_TYPES, "token");
    b.secret("ssh_private_key", "ssh_private_key", v -> v.isEmpty() ? "" : "****");
    b.secret("access_token", "access_token", v -> v.isEmpty() ? "" : mask(v));
    b.plain("username", "username", 255, "");
    // Not in the answers (as in Pipelit), so there is no mask to send back: a value sent is stored.
    b.secret("webhook_secret", "webhook_secret", v -> null);
    return b.build();
  }

  private Child tool(JsonObject detail, JsonObject stored) {
    Builder b = new Builder("tool_credentials", detail, stored);
    b.plain("tool_type", "tool_type", 20, "api");
    if (b.wanted("config")) {
      b.sealedJson("config", RequestFields.optionalObject(detail, "config", new JsonObject()));
    }
    b.flag("is_preferred", "is_preferred", false);
    return b.build();
  }

  private Child gateway(JsonObject detail, String name, JsonObject stored) {
    for (String key : List.of("token", "config")) {
      if (detail.getValue(key) != null) {
        throw StoreException.validation(key + ": pipelitd does not call the msg-gateway; register the bot"
            + " token with the gateway itself (no gateway token is stored here)");
      }
    }
    Builder b = new Builder("gateway_credentials", detail, stored);
    if (stored == null) {
      b.names.add("gateway_credential_id");
      b.values.add(name);
      b.names.add("adapter_type");
      b.values.add(RequestFields.requiredString(detail, "adapter_type", 50));
    } else if (detail.containsKey("adapter_type")) {
      b.names.add("adapter_type");
      b.values.add(RequestFields.requiredString(detail, "adapter_type", 50));
    }
    return b.build();
  }

  // --- reads -----------------------------------------------------------------------------------

  /** The type and the opened (plaintext) detail of a credential in scope, for a PATCH. */
  private record Stored(String type, JsonObject row) {}

  private Stored loadStored(Connection c, Identity identity, long id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT " + COLUMNS + FROM + " WHERE c.id = ? AND " + SCOPE + dialect.lockRows("c"))) {
      statement.setLong(1, id);
      bindScope(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return new Stored(rows.getString("credential_type"), plainDetail(rows));
      }
    }
  }

  private JsonObject load(Connection c, Identity identity, long id) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT " + COLUMNS + FROM + " WHERE c.id = ? AND " + SCOPE)) {
      statement.setLong(1, id);
      bindScope(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return toJson(rows);
      }
    }
  }

  /** The detail with every secret opened: for PATCH comparisons only, never answered. */
  private JsonObject plainDetail(ResultSet rows) throws SQLException {
    JsonObject detail = new JsonObject();
    if (present(rows, "l_id")) {
      detail.put("api_key", secrets.open(rows.getString("api_key")))
          .put("custom_headers", openJson(rows.getString("custom_headers"), "custom_headers"));
    }
    if (present(rows, "g_id")) {
      detail.put("ssh_private_key", secrets.open(rows.getString("ssh_private_key")))
          .put("access_token", secrets.open(rows.getString("access_token")));
    }
    return detail;
  }

  /** CredentialOut with masked secrets. */
  private JsonObject toJson(ResultSet rows) throws SQLException {
    String type = rows.getString("credential_type");
    JsonObject detail = new JsonObject();
    if (present(rows, "l_id")) {
      JsonObject headers = new JsonObject();
      openJson(rows.getString("custom_headers"), "custom_headers")
          .forEach(h -> headers.put(h.getKey(), h.getValue() instanceof String s ? mask(s) : h.getValue()));
      detail.put("provider_type", rows.getString("provider_type"))
          .put("api_key", mask(secrets.open(rows.getString("api_key"))))
          .put("base_url", rows.getString("base_url"))
          .put("organization_id", rows.getString("organization_id"))
          .put("custom_headers", headers);
    } else if (present(rows, "g_id")) {
      String ssh = secrets.open(rows.getString("ssh_private_key"));
      String token = secrets.open(rows.getString("access_token"));
      detail.put("provider", rows.getString("provider"))
          .put("credential_type", rows.getString("git_type"))
          .put("username", rows.getString("username"))
          .put("ssh_private_key", ssh == null || ssh.isEmpty() ? "" : "****")
          .put("access_token", token == null || token.isEmpty() ? "" : mask(token));
    } else if (present(rows, "gw_id")) {
      detail.put("gateway_credential_id", rows.getString("gateway_credential_id"))
          .put("adapter_type", rows.getString("adapter_type"));
    } else if (present(rows, "t_id")) {
      detail.put("tool_type", rows.getString("tool_type"))
          .put("config", openJson(rows.getString("config"), "config"))
          .put("is_preferred", dialect.getBoolean(rows, "is_preferred"));
    }
    return new JsonObject()
        .put("id", rows.getLong("id"))
        .put("name", rows.getString("name"))
        .put("credential_type", type)
        .put("detail", detail)
        .put("created_at", Rows.timestamp(dialect, rows, "created_at"))
        .put("updated_at", Rows.timestamp(dialect, rows, "updated_at"));
  }

  private JsonObject openJson(String stored, String column) {
    String text = secrets.open(stored);
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    try {
      Object value = Json.decodeValue(text);
      if (value instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      // falls through
    }
    throw new StoreException(ErrorCode.INTERNAL, "A stored " + column + " value is not a JSON object.");
  }

  private static boolean present(ResultSet rows, String column) throws SQLException {
    rows.getLong(column);
    return !rows.wasNull();
  }

  private static long credentialId(JsonObject request) {
    Object value = request.getValue("credential_id");
    if (!(value instanceof Number)) {
      throw StoreException.notFound(NOT_FOUND);
    }
    Long id = RequestFields.optionalLong(request, "credential_id", Long.MIN_VALUE, Long.MAX_VALUE, null);
    return id;
  }

  private static int bindScope(PreparedStatement statement, int index, Identity identity) throws SQLException {
    statement.setLong(index, identity.userId());
    statement.setInt(index + 1, identity.isAdmin() ? 1 : 0);
    return index + 2;
  }
}
