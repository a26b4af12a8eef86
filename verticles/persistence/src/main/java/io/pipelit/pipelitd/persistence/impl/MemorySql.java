package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the four memory stores (§1.8, §3.13) share: the admin check, the paged list with equality
 * filters, the batch delete by UUID, the existence checks of referenced rows and a partial UPDATE.
 */
final class MemorySql {
  private MemorySql() {}

  /** Length of a UUID string key ({@code str(uuid.uuid4())}). */
  static final int UUID_MAX = 36;
  /** Most ids one batch delete or touch may name. */
  static final int BATCH_MAX = 10_000;

  /** Reads one row into its JSON shape. */
  @FunctionalInterface
  interface RowMapper {
    JsonObject map(ResultSet rows) throws SQLException;
  }

  /** Every memory address is admin-only, as Pipelit's memory pages are. */
  static void requireAdmin(Identity identity) {
    UserStore.requireAdmin(identity);
  }

  /**
   * {@code {"items", "total"}} of {@code table}, filtered by column equality (a null value is no
   * filter), ordered by {@code orderBy}, paged by the request's {@code limit} and {@code offset}.
   *
   * @param filters column → value, in the order the SQL binds them
   */
  static Future<JsonObject> list(Database db, JsonObject request, String columns, String table,
      Map<String, String> filters, String orderBy, RowMapper mapper) {
    int limit = RequestFields.limit(request);
    long offset = RequestFields.offset(request);
    Map<String, String> active = new LinkedHashMap<>();
    filters.forEach((column, value) -> {
      if (value != null) {
        active.put(column, value);
      }
    });
    String where = active.isEmpty() ? ""
        : " WHERE " + String.join(" AND ", active.keySet().stream().map(column -> column + " = ?").toList());
    List<String> values = new ArrayList<>(active.values());
    return db.read(c -> {
      JsonArray items = new JsonArray();
      try (PreparedStatement statement = c.prepareStatement(
          "SELECT " + columns + " FROM " + table + where + " ORDER BY " + orderBy + " LIMIT ? OFFSET ?")) {
        int i = bindAll(statement, values);
        statement.setInt(i, limit);
        statement.setLong(i + 1, offset);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            items.add(mapper.map(rows));
          }
        }
      }
      long total;
      try (PreparedStatement statement = c.prepareStatement("SELECT COUNT(*) FROM " + table + where)) {
        bindAll(statement, values);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
        }
      }
      return new JsonObject().put("items", items).put("total", total);
    });
  }

  private static int bindAll(PreparedStatement statement, List<String> values) throws SQLException {
    int i = 1;
    for (String value : values) {
      statement.setString(i++, value);
    }
    return i;
  }

  /**
   * The name of a {@code Dialect.lockKey} lock on a natural key: each part length-prefixed (null as
   * {@code -}) so that no two different keys share a name, whatever characters they hold.
   */
  static String lockName(String table, String... parts) {
    StringBuilder name = new StringBuilder(table);
    for (String part : parts) {
      name.append('|').append(part == null ? "-" : part.length() + ":" + part);
    }
    return name.toString();
  }

  /** The request body's {@code ids}: a required list of UUID strings. */
  static List<String> ids(JsonObject body) {
    List<String> ids = RequestFields.optionalStringList(body, "ids", BATCH_MAX, UUID_MAX);
    if (ids == null) {
      throw StoreException.validation("ids: field required");
    }
    return ids;
  }

  /**
   * Deletes the rows of {@code table} whose id is in the body's {@code ids}; unknown ids are ignored, as
   * Pipelit does. The references to them are cleared by the schema's ON DELETE SET NULL rules.
   */
  static Future<JsonObject> batchDelete(Database db, JsonObject request, String table) {
    List<String> ids = ids(RequestFields.body(request));
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
        for (String id : ids) {
          statement.setString(1, id);
          statement.executeUpdate();
        }
      }
      return new JsonObject();
    });
  }

  /** VALIDATION_FAILED {@code detail} unless {@code table} has a row whose {@code column} is {@code value}. */
  static void requireRow(Connection c, String table, String column, Object value, String detail)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT 1 FROM " + table + " WHERE " + column + " = ?")) {
      statement.setObject(1, value);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.validation(detail);
        }
      }
    }
  }

  /** One row by id as {@code mapper} reads it, or NOT_FOUND {@code notFound}. */
  static JsonObject load(Connection c, String columns, String table, String id, String lock, RowMapper mapper,
      String notFound) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT " + columns + " FROM " + table + " WHERE id = ?" + lock)) {
      statement.setString(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(notFound);
        }
        return mapper.map(rows);
      }
    }
  }

  /** A list-valued field ({@code conversation}, {@code actions_taken}) as JSON text; absent → default. */
  static String optionalListJson(JsonObject body, String name, String defaultJson) {
    Object value = body.getValue(name);
    if (value == null) {
      return defaultJson;
    }
    if (!(value instanceof JsonArray array)) {
      throw StoreException.validation(name + ": must be a list");
    }
    return array.encode();
  }

  /** A field whose column is NOT NULL: present with null is refused rather than silently defaulted. */
  static void refuseNull(JsonObject body, String... names) {
    for (String name : names) {
      if (body.containsKey(name) && body.getValue(name) == null) {
        throw StoreException.validation(name + ": must not be null");
      }
    }
  }

  /** The SET list of a partial UPDATE by id, built from the fields a request gives. */
  static final class Assignments {
    private final List<String> sets = new ArrayList<>();
    private final List<Sql.Binder> binders = new ArrayList<>();

    /** {@code column = ?}, bound by {@code binder}. */
    Assignments set(String column, Sql.Binder binder) {
      sets.add(column + " = ?");
      binders.add(binder);
      return this;
    }

    /** A SQL expression without parameters, e.g. {@code times_confirmed = times_confirmed + 1}. */
    Assignments raw(String assignment) {
      sets.add(assignment);
      return this;
    }

    /**
     * A copy to extend inside a write: a write's work may run more than once on PostgreSQL, so it must
     * not add to assignments built outside it.
     */
    Assignments copy() {
      Assignments copy = new Assignments();
      copy.sets.addAll(sets);
      copy.binders.addAll(binders);
      return copy;
    }

    /** Runs the UPDATE of the row {@code id} of {@code table}; does nothing when no field was given. */
    void apply(Connection c, String table, String id) throws SQLException {
      if (sets.isEmpty()) {
        return;
      }
      try (PreparedStatement statement = c.prepareStatement(
          "UPDATE " + table + " SET " + String.join(", ", sets) + " WHERE id = ?")) {
        int i = 1;
        for (Sql.Binder binder : binders) {
          binder.bind(statement, i++);
        }
        statement.setString(i, id);
        statement.executeUpdate();
      }
    }
  }
}
