package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.persistence.impl.TransferTables.Column;
import io.pipelit.pipelitd.persistence.impl.TransferTables.Kind;
import io.pipelit.pipelitd.persistence.impl.TransferTables.KeyKind;
import io.pipelit.pipelitd.persistence.impl.TransferTables.Scope;
import io.pipelit.pipelitd.persistence.impl.TransferTables.Table;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * JSON export and import of the main database ({@code pipelitd export}, {@code pipelitd import}), over
 * the tables of {@link TransferTables}.
 *
 * <p>The file: {@code {"format": "pipelitd-export", "format_version": 1, "exported_at", "scope":
 * "workflows"|"all", "credentials": "encrypted"|"decrypted", "tables": {"<table>": [row, ...]}}}, rows
 * as JSON objects keyed by column name, in foreign-key order. A reference to a row the file does not
 * carry (a credential of a workflow-only export, the owner) is written as null. The export is read in one
 * read transaction ({@link Database#read}: one snapshot), so it is consistent while the daemon writes.
 *
 * <p>Import reads and checks the whole file first, on a read connection (format, tables, columns, types,
 * references, that encrypted secrets open with this daemon's key; every problem is reported, nothing is
 * written), then writes everything in ONE write: any failure rolls all of it back. Keys are new
 * (integers from the database, new UUIDs, new 8-hex task ids) and references follow them; a slug already
 * taken becomes {@code slug-2}, {@code slug-3}, ...; a row whose natural key exists here (a user's
 * username, a workspace's name, a memory user's canonical id, a fact's or a procedure's identity) is
 * matched, not duplicated; the settings singleton is overwritten in place.
 */
public final class TransferStore {
  public static final String FORMAT = "pipelitd-export";
  public static final int FORMAT_VERSION = 1;
  /** Problems listed in one validation failure; the rest are counted. */
  private static final int MAX_REPORTED_PROBLEMS = 20;

  private final Database db;
  private final Dialect dialect;
  private final FieldSecrets secrets;

  public TransferStore(Database db, FieldSecrets secrets) {
    this.db = db;
    this.dialect = db.dialect();
    this.secrets = secrets;
  }

  // ---------------------------------------------------------------- export

  /**
   * {@code {"workflows": [slug]?, "all": bool?, "decrypted": bool?}} → the export document. Without
   * {@code all}: the workflows named (every workflow when none is) with their nodes, edges and component
   * configs. With {@code all}: every table of {@link TransferTables}.
   */
  public Future<JsonObject> export(JsonObject request) {
    boolean all = RequestFields.optionalBool(request, "all", false);
    boolean decrypted = RequestFields.optionalBool(request, "decrypted", false);
    List<String> slugs = RequestFields.optionalStringList(request, "workflows", 100_000, WorkflowStore.SLUG_MAX);
    if (all && slugs != null && !slugs.isEmpty()) {
      throw StoreException.validation("workflows: --all exports every workflow; leave out --workflow");
    }
    return db.read(c -> {
      Map<String, List<JsonObject>> tables = new LinkedHashMap<>();
      Map<String, Set<Object>> keys = new HashMap<>();
      for (Table table : TransferTables.ALL) {
        if (!all && table.scope() == Scope.ALL) {
          continue;
        }
        List<JsonObject> rows = all ? readRows(c, table, null, null) : readWorkflowScoped(c, table, slugs, keys);
        tables.put(table.name(), rows);
        keys.put(table.name(), rows.stream().map(r -> r.getValue(table.key())).collect(Collectors.toSet()));
      }
      JsonObject out = new JsonObject();
      for (Map.Entry<String, List<JsonObject>> entry : tables.entrySet()) {
        Table table = TransferTables.find(entry.getKey()).orElseThrow();
        for (JsonObject row : entry.getValue()) {
          clearDanglingReferences(table, row, keys);
          if (decrypted) {
            openSecrets(table, row);
          }
        }
        out.put(entry.getKey(), new JsonArray(new ArrayList<>(entry.getValue())));
      }
      return new JsonObject().put("format", FORMAT).put("format_version", FORMAT_VERSION)
          .put("exported_at", Rows.iso(Instant.now())).put("scope", all ? "all" : "workflows")
          .put("credentials", decrypted ? "decrypted" : "encrypted").put("tables", out);
    });
  }

  private List<JsonObject> readWorkflowScoped(Connection c, Table table, List<String> slugs,
      Map<String, Set<Object>> keys) throws SQLException {
    switch (table.name()) {
      case "workflows" -> {
        if (slugs == null || slugs.isEmpty()) {
          return readRows(c, table, null, null);
        }
        List<JsonObject> rows = readRows(c, table, "slug", new LinkedHashSet<>(slugs));
        Set<Object> found = rows.stream().map(r -> r.getValue("slug")).collect(Collectors.toSet());
        List<String> unknown = slugs.stream().filter(s -> !found.contains(s)).distinct().toList();
        if (!unknown.isEmpty()) {
          throw StoreException.notFound("no workflow with slug " + String.join(", ", unknown));
        }
        return rows;
      }
      case "workflow_nodes", "workflow_edges" -> {
        return slugs == null || slugs.isEmpty() ? readRows(c, table, null, null)
            : readRows(c, table, "workflow_id", keys.get("workflows"));
      }
      case "component_configs" -> {
        // The configs of the exported nodes, plus the model configs they point to (transitively).
        Set<Object> wanted = new HashSet<>();
        for (JsonObject node : readWorkflowScoped(c, TransferTables.find("workflow_nodes").orElseThrow(), slugs, keys)) {
          wanted.add(node.getValue("component_config_id"));
        }
        Map<Object, JsonObject> configs = new LinkedHashMap<>();
        Set<Object> next = wanted;
        while (!next.isEmpty()) {
          Set<Object> more = new HashSet<>();
          for (JsonObject config : readRows(c, table, "id", next)) {
            configs.put(config.getValue("id"), config);
            Object model = config.getValue("llm_model_config_id");
            if (model != null && !configs.containsKey(model)) {
              more.add(model);
            }
          }
          more.removeAll(configs.keySet());
          next = more;
        }
        return configs.values().stream()
            .sorted((a, b) -> Long.compare(a.getLong("id"), b.getLong("id"))).toList();
      }
      default -> throw new IllegalStateException("no workflow-scoped export for table " + table.name());
    }
  }

  /** Values bound per {@code IN (...)} list: well under SQLite's limit of 32766 parameters. */
  private static final int IN_LIST_CHUNK = 1_000;

  /** Rows of a table, all or those whose {@code column} is in {@code values}, ordered by key. */
  private List<JsonObject> readRows(Connection c, Table table, String column, Collection<Object> values)
      throws SQLException {
    if (values == null) {
      return readChunk(c, table, null, null);
    }
    List<Object> all = new ArrayList<>(values);
    List<JsonObject> rows = new ArrayList<>();
    for (int from = 0; from < all.size(); from += IN_LIST_CHUNK) {
      rows.addAll(readChunk(c, table, column, all.subList(from, Math.min(all.size(), from + IN_LIST_CHUNK))));
    }
    if (all.size() > IN_LIST_CHUNK) {
      rows.sort((a, b) -> table.textKey() ? a.getString(table.key()).compareTo(b.getString(table.key()))
          : Long.compare(a.getLong(table.key()), b.getLong(table.key())));
    }
    return rows;
  }

  private List<JsonObject> readChunk(Connection c, Table table, String column, List<Object> values)
      throws SQLException {
    List<JsonObject> rows = new ArrayList<>();
    String columns = quote(table.key()) + ", "
        + table.columns().stream().map(col -> quote(col.name())).collect(Collectors.joining(", "));
    String where = values == null ? "" : " WHERE " + quote(column) + " IN ("
        + values.stream().map(v -> "?").collect(Collectors.joining(", ")) + ")";
    try (PreparedStatement statement = c.prepareStatement("SELECT " + columns + " FROM " + table.name() + where
        + " ORDER BY " + quote(table.key()))) {
      if (values != null) {
        int i = 1;
        for (Object value : values) {
          statement.setObject(i++, value);
        }
      }
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          JsonObject row = new JsonObject();
          row.put(table.key(), table.textKey() ? result.getString(table.key()) : (Object) result.getLong(table.key()));
          for (Column col : table.columns()) {
            row.put(col.name(), TransferValues.read(dialect, result, col, uuidReference(col)));
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private static boolean uuidReference(Column column) {
    return column.kind() == Kind.REF
        && TransferTables.find(column.references()).map(Table::textKey).orElse(false);
  }

  private static void clearDanglingReferences(Table table, JsonObject row, Map<String, Set<Object>> keys) {
    for (Column col : table.columns()) {
      if (col.kind() == Kind.REF && row.getValue(col.name()) != null) {
        Set<Object> targets = keys.get(col.references());
        if (targets == null || !targets.contains(row.getValue(col.name()))) {
          row.putNull(col.name());
        }
      }
    }
  }

  private void openSecrets(Table table, JsonObject row) {
    for (Column col : table.columns()) {
      if (col.kind() == Kind.SECRET && row.getString(col.name()) != null) {
        row.put(col.name(), secrets.open(row.getString(col.name())));
      }
    }
  }

  // ---------------------------------------------------------------- import

  /** One row ready to insert: its key in the file and its values, in column order, prepared for binding. */
  private record Prepared(Object key, Object[] values) {}

  /** A reference to a row of the same table, set after the table's rows are in: row and target as new/file keys. */
  private record SelfReference(Object row, int column, Object target) {}

  /** The checked file: rows per table in foreign-key order, and the owner for rows whose owner is absent. */
  private record Plan(Map<Table, List<Prepared>> rows, Long owner) {}

  /**
   * {@code {"document": {...}, "owner": "username"?}} → {@code {"imported": {"<table>": n}, "workflows":
   * [{"slug", "old_slug"}], "users_matched": n}}. {@code owner} (default: the first admin) owns what the
   * file carries without an owner (a workflow-only export); it is ignored when the file has users.
   */
  public Future<JsonObject> importDocument(JsonObject request) {
    Object document = request.getValue("document");
    if (!(document instanceof JsonObject file)) {
      throw StoreException.validation("document: must be the JSON object of an export file");
    }
    String owner = RequestFields.optionalString(request, "owner", 150, null);
    return db.read(c -> plan(c, file, owner)).compose(plan -> db.write(c -> {
      try {
        return write(c, plan);
      } catch (SQLException e) {
        if (!isConstraintViolation(e)) {
          throw e; // transient failures stay SQLExceptions, so that PostgreSQL runs the write again
        }
        throw StoreException.validation("the file was not imported, nothing was written: the database refused"
            + " a row: " + String.valueOf(e.getMessage()).strip().replaceAll("\\s+", " "));
      }
    }));
  }

  /** A unique, foreign-key, NOT NULL or CHECK violation: the file's fault, not the moment's. */
  private boolean isConstraintViolation(SQLException e) {
    String state = e.getSQLState();
    return dialect.isUniqueViolation(e) || dialect.isForeignKeyViolation(e)
        || (state != null && state.startsWith("23"))
        || String.valueOf(e.getMessage()).contains("SQLITE_CONSTRAINT"); // sqlite-jdbc names the result code
  }

  private Plan plan(Connection c, JsonObject file, String ownerName) throws SQLException {
    List<String> problems = new ArrayList<>();
    if (!FORMAT.equals(file.getValue("format"))) {
      throw StoreException.validation("format: not a pipelitd export (expected \"format\": \"" + FORMAT + "\")");
    }
    Object version = file.getValue("format_version");
    if (!(version instanceof Number n) || n.intValue() != FORMAT_VERSION || n.doubleValue() != FORMAT_VERSION) {
      throw StoreException.validation("format_version: " + version + " is not supported (this pipelitd reads"
          + " version " + FORMAT_VERSION + ")");
    }
    Object credentials = file.getValue("credentials", "encrypted");
    if (!"encrypted".equals(credentials) && !"decrypted".equals(credentials)) {
      throw StoreException.validation("credentials: must be \"encrypted\" or \"decrypted\"");
    }
    boolean decrypted = "decrypted".equals(credentials);
    if (!(file.getValue("tables") instanceof JsonObject tables)) {
      throw StoreException.validation("tables: must be an object of table name to rows");
    }
    for (String name : tables.fieldNames()) {
      if (TransferTables.find(name).isEmpty()) {
        problems.add("tables." + name + ": not a table this pipelitd imports");
      }
    }
    // Keys per table present in the file, for the reference checks.
    Map<String, Set<Object>> keys = new HashMap<>();
    for (Table table : TransferTables.ALL) {
      if (tables.getValue(table.name()) instanceof JsonArray rows) {
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
          Object key = rows.getValue(i) instanceof JsonObject row ? normalKey(row.getValue(table.key())) : null;
          if (key != null && !seen.add(key)) {
            problems.add(table.name() + "[" + i + "]." + table.key() + ": " + key + " appears twice");
          }
        }
        keys.put(table.name(), seen);
      } else if (tables.containsKey(table.name())) {
        problems.add("tables." + table.name() + ": must be a list of rows");
      }
    }
    boolean needsOwner = false;
    Map<Table, List<Prepared>> plan = new LinkedHashMap<>();
    for (Table table : TransferTables.ALL) {
      JsonArray rows = tables.getValue(table.name()) instanceof JsonArray a ? a : null;
      if (rows == null) {
        continue;
      }
      List<Prepared> prepared = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        String where = table.name() + "[" + i + "]";
        if (!(rows.getValue(i) instanceof JsonObject row)) {
          problems.add(where + ": must be an object");
          continue;
        }
        Object key = row.getValue(table.key());
        if (table.textKey() ? !(key instanceof String) : !(key instanceof Integer || key instanceof Long)) {
          problems.add(where + "." + table.key() + ": must be " + (table.textKey() ? "a string" : "a whole number"));
        } else if (table.keyKind() == KeyKind.SINGLETON && ((Number) key).longValue() != TransferTables.SINGLETON_KEY) {
          problems.add(where + "." + table.key() + ": must be " + TransferTables.SINGLETON_KEY + " (" + table.name()
              + " has one row)");
        }
        for (String field : row.fieldNames()) {
          if (!field.equals(table.key()) && table.column(field).isEmpty()) {
            problems.add(where + "." + field + ": not a column of " + table.name()
                + (table.excluded().contains(field) ? " that import accepts" : ""));
          }
        }
        Object[] values = new Object[table.columns().size()];
        for (int k = 0; k < values.length; k++) {
          Column col = table.columns().get(k);
          Object value = row.getValue(col.name());
          String problem = TransferValues.problem(col, value, uuidReference(col));
          if (problem != null) {
            problems.add(where + "." + col.name() + ": " + problem);
            continue;
          }
          if (col.kind() == Kind.REF && value != null) {
            if (!keys.getOrDefault(col.references(), Set.of()).contains(normalKey(value))) {
              problems.add(where + "." + col.name() + ": " + value + " refers to no " + col.references()
                  + " row in the file");
              continue;
            }
          }
          if (value == null && col.required()) {
            if (col.kind() == Kind.REF && col.references().equals("user_profiles") && !keys.containsKey("user_profiles")) {
              needsOwner = true; // filled with the owner below
            } else {
              problems.add(where + "." + col.name() + ": is required");
            }
            continue;
          }
          if (col.kind() == Kind.SECRET && value != null) {
            String secretProblem = null;
            try {
              value = seal((String) value, decrypted);
            } catch (StoreException e) {
              secretProblem = e.getMessage();
            }
            if (secretProblem != null) {
              problems.add(where + "." + col.name() + ": " + secretProblem);
              continue;
            }
          }
          values[k] = TransferValues.prepare(col, value);
        }
        prepared.add(new Prepared(normalKey(key), values));
      }
      plan.put(table, prepared);
    }
    if (!problems.isEmpty()) {
      int more = problems.size() - MAX_REPORTED_PROBLEMS;
      throw StoreException.validation("the file was not imported, nothing was written: "
          + String.join("; ", problems.subList(0, Math.min(problems.size(), MAX_REPORTED_PROBLEMS)))
          + (more > 0 ? "; and " + more + " more problem(s)" : ""));
    }
    return new Plan(plan, needsOwner ? ownerId(c, ownerName) : null);
  }

  /** A secret as it is stored: a decrypted file's value is encrypted; an encrypted one must open with this key. */
  private String seal(String value, boolean decrypted) {
    if (value.isEmpty()) {
      return value;
    }
    if (decrypted) {
      return secrets.seal(value);
    }
    Decryption d = secrets.keyring().decrypt(value);
    return switch (d.status()) {
      case OK -> value;
      case NOT_A_TOKEN -> secrets.seal(value); // plaintext left by an old database: encrypted now
      case UNDECRYPTABLE -> throw StoreException.validation("cannot be decrypted with this FIELD_ENCRYPTION_KEY"
          + " (exported with another key? add that key after a comma, or export with --decrypted)");
    };
  }

  private Long ownerId(Connection c, String ownerName) throws SQLException {
    String sql = ownerName == null
        ? "SELECT id FROM user_profiles WHERE role = 'admin' AND is_active = ? ORDER BY id LIMIT 1"
        : "SELECT id FROM user_profiles WHERE username = ?";
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      if (ownerName == null) {
        dialect.setBoolean(statement, 1, true);
      } else {
        statement.setString(1, ownerName);
      }
      try (ResultSet rows = statement.executeQuery()) {
        if (rows.next()) {
          return rows.getLong(1);
        }
      }
    }
    throw StoreException.validation(ownerName == null
        ? "owner: the file has no users and this database has no active admin to own its rows; give --owner"
        : "owner: no user named '" + ownerName + "'");
  }

  private JsonObject write(Connection c, Plan plan) throws SQLException {
    Map<String, Map<Object, Object>> newKeys = new HashMap<>();
    JsonObject imported = new JsonObject();
    JsonArray workflows = new JsonArray();
    JsonObject matched = new JsonObject();
    Set<String> slugsTaken = new HashSet<>();
    for (Map.Entry<Table, List<Prepared>> entry : plan.rows().entrySet()) {
      Table table = entry.getKey();
      Map<Object, Object> mapping = newKeys.computeIfAbsent(table.name(), t -> new HashMap<>());
      List<SelfReference> selfReferences = new ArrayList<>();
      int inserted = 0;
      for (Prepared row : entry.getValue()) {
        Object[] values = row.values().clone();
        Map<Integer, Object> ownReferences = new HashMap<>(); // column index -> key in the file
        for (int k = 0; k < values.length; k++) {
          Column col = table.columns().get(k);
          if (col.kind() != Kind.REF) {
            continue;
          }
          if (values[k] == null) {
            if (col.required() && col.references().equals("user_profiles")) {
              values[k] = plan.owner();
            }
          } else if (col.references().equals(table.name())) {
            ownReferences.put(k, values[k]);
            values[k] = null; // set once every row of the table has its new key
          } else {
            values[k] = newKeys.get(col.references()).get(values[k]);
          }
        }
        if (!table.matchOn().isEmpty()) {
          Object existing = existingMatch(c, table, values);
          if (existing != null) {
            mapping.put(row.key(), existing); // matched: the row here stays as it is
            matched.put(table.name(), matched.getInteger(table.name(), 0) + 1);
            continue;
          }
        }
        for (String unique : table.clearedWhenTaken()) {
          int index = indexOf(table, unique);
          if (values[index] != null && existingWith(c, table, List.of(unique), values) != null) {
            values[index] = null; // unique: it belongs to a row already here
          }
        }
        if (table.name().equals("workflows")) {
          int slugIndex = indexOf(table, "slug");
          String original = (String) values[slugIndex];
          String slug = freeSlug(c, original, slugsTaken);
          slugsTaken.add(slug);
          values[slugIndex] = slug;
          workflows.add(new JsonObject().put("slug", slug).put("old_slug", original));
        }
        Object newKey = table.keyKind() == KeyKind.SINGLETON ? upsertSingleton(c, table, values)
            : insert(c, table, values);
        mapping.put(row.key(), newKey);
        ownReferences.forEach((k, target) -> selfReferences.add(new SelfReference(newKey, k, target)));
        inserted++;
      }
      for (SelfReference pending : selfReferences) {
        Column col = table.columns().get(pending.column());
        try (PreparedStatement update = c.prepareStatement("UPDATE " + table.name() + " SET " + quote(col.name())
            + " = ? WHERE " + quote(table.key()) + " = ?")) {
          TransferValues.bind(dialect, update, 1, Kind.REF, mapping.get(pending.target()));
          TransferValues.bind(dialect, update, 2, Kind.REF, pending.row());
          update.executeUpdate();
        }
      }
      imported.put(table.name(), inserted);
    }
    return new JsonObject().put("imported", imported).put("workflows", workflows)
        .put("users_matched", matched.getInteger("user_profiles", 0)).put("matched", matched);
  }

  /** The key of the row here with the same natural key ({@link Table#matchOn}), or null. */
  private Object existingMatch(Connection c, Table table, Object[] values) throws SQLException {
    return existingWith(c, table, table.matchOn(), values);
  }

  /** The key of a row here whose {@code columns} equal (null-safely) those of {@code values}, or null. */
  private Object existingWith(Connection c, Table table, List<String> columns, Object[] values) throws SQLException {
    String where = columns.stream().map(name -> quote(name) + " IS NOT DISTINCT FROM ?")
        .collect(Collectors.joining(" AND "));
    try (PreparedStatement statement = c.prepareStatement("SELECT " + quote(table.key()) + " FROM " + table.name()
        + " WHERE " + where + " ORDER BY " + quote(table.key()) + " LIMIT 1")) {
      int i = 1;
      for (String name : columns) {
        int index = indexOf(table, name);
        TransferValues.bind(dialect, statement, i++, table.columns().get(index).kind(), values[index]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return !rows.next() ? null : table.textKey() ? rows.getString(1) : (Object) rows.getLong(1);
      }
    }
  }

  /** Overwrites the singleton row with the file's values, creating it when this database has none yet. */
  private Object upsertSingleton(Connection c, Table table, Object[] values) throws SQLException {
    String assignments = table.columns().stream().map(col -> quote(col.name()) + " = ?")
        .collect(Collectors.joining(", "));
    try (PreparedStatement update = c.prepareStatement("UPDATE " + table.name() + " SET " + assignments
        + " WHERE " + quote(table.key()) + " = ?")) {
      int i = bindValues(update, 1, table, values);
      update.setLong(i, TransferTables.SINGLETON_KEY);
      if (update.executeUpdate() == 1) {
        return TransferTables.SINGLETON_KEY;
      }
    }
    List<String> names = new ArrayList<>();
    names.add(quote(table.key()));
    table.columns().forEach(col -> names.add(quote(col.name())));
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table.name() + " (" + String.join(", ", names)
        + ") VALUES (" + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")")) {
      insert.setLong(1, TransferTables.SINGLETON_KEY);
      bindValues(insert, 2, table, values);
      insert.executeUpdate();
    }
    return TransferTables.SINGLETON_KEY;
  }

  /** Binds a row's values from parameter {@code first} on; returns the next parameter index. */
  private int bindValues(PreparedStatement statement, int first, Table table, Object[] values) throws SQLException {
    int i = first;
    for (int k = 0; k < values.length; k++) {
      TransferValues.bind(dialect, statement, i++, table.columns().get(k).kind(), values[k]);
    }
    return i;
  }

  /** A column name as SQL: quoted, since some are keywords (memory_facts."key"); all are lower case. */
  private static String quote(String column) {
    return '"' + column + '"';
  }

  private Object insert(Connection c, Table table, Object[] values) throws SQLException {
    List<String> names = new ArrayList<>();
    if (table.textKey()) {
      names.add(quote(table.key()));
    }
    table.columns().forEach(col -> names.add(quote(col.name())));
    String sql = "INSERT INTO " + table.name() + " (" + String.join(", ", names) + ") VALUES ("
        + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ") RETURNING " + quote(table.key());
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      int i = 1;
      if (table.textKey()) {
        statement.setString(i++, newTextKey(c, table));
      }
      bindValues(statement, i, table, values);
      try (ResultSet keys = statement.executeQuery()) {
        if (!keys.next()) {
          throw new SQLException("INSERT ... RETURNING returned no row");
        }
        return table.textKey() ? keys.getString(1) : (Object) keys.getLong(1);
      }
    }
  }

  /** Tries for a free 8-hex key; 2^32 values, so a handful of attempts is plenty. */
  private static final int HEX8_ATTEMPTS = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new UUID, or a new 8-hex-digit key no row of the table has yet. */
  private static String newTextKey(Connection c, Table table) throws SQLException {
    if (table.keyKind() == KeyKind.UUID) {
      return UUID.randomUUID().toString();
    }
    for (int attempt = 0; attempt < HEX8_ATTEMPTS; attempt++) {
      byte[] bytes = new byte[4];
      RANDOM.nextBytes(bytes);
      String candidate = HexFormat.of().formatHex(bytes);
      if (!exists(c, "SELECT 1 FROM " + table.name() + " WHERE " + quote(table.key()) + " = ?", candidate)) {
        return candidate;
      }
    }
    throw new SQLException("no free " + table.name() + "." + table.key() + " after " + HEX8_ATTEMPTS + " attempts");
  }

  private static boolean exists(Connection c, String sql, Object value) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      statement.setObject(1, value);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** {@code slug}, or {@code slug-2}, {@code slug-3}, ... when taken here or earlier in this import. */
  private static String freeSlug(Connection c, String slug, Set<String> takenByImport) throws SQLException {
    for (int n = 1; ; n++) {
      String suffix = n == 1 ? "" : "-" + n;
      String candidate = slug.length() + suffix.length() > WorkflowStore.SLUG_MAX
          ? slug.substring(0, WorkflowStore.SLUG_MAX - suffix.length()) + suffix : slug + suffix;
      if (!takenByImport.contains(candidate) && !exists(c, "SELECT 1 FROM workflows WHERE slug = ?", candidate)) {
        return candidate;
      }
    }
  }

  private static int indexOf(Table table, String column) {
    for (int k = 0; k < table.columns().size(); k++) {
      if (table.columns().get(k).name().equals(column)) {
        return k;
      }
    }
    throw new IllegalStateException(table.name() + " has no column " + column);
  }

  /** Keys compare as Long (integers) or String (UUIDs), whatever JSON number type they came as. */
  private static Object normalKey(Object key) {
    return key instanceof Number n ? (Object) n.longValue() : key;
  }

}
