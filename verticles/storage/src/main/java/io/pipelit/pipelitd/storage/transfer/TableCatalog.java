package io.pipelit.pipelitd.storage.transfer;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tables of a database, read from its catalog (never from a list in the code, so tables added by
 * later migrations are covered), in foreign-key order: every table after the tables it references.
 *
 * <p>A reference that cannot be satisfied by order (a table referencing itself, such as
 * {@code workflows.forked_from_id}, or a cycle of tables) is <em>deferred</em>: loaders insert NULL in
 * that column and set the real value once every table is loaded ({@link #deferredColumns}). Cycles are
 * broken at a table whose remaining references are all nullable.
 *
 * <p>Flyway's history table ({@value #FLYWAY_HISTORY}) is not listed: the target gets its own history
 * from running the same migrations.
 */
public final class TableCatalog {

  /** Flyway's schema history table: handled by migrating the target, never copied. */
  public static final String FLYWAY_HISTORY = "flyway_schema_history";

  private final TransferDialect dialect;
  private final List<Table> tables;
  private final boolean flywayHistory;

  private TableCatalog(TransferDialect dialect, List<Table> tables, boolean flywayHistory) {
    this.dialect = dialect;
    this.tables = List.copyOf(tables);
    this.flywayHistory = flywayHistory;
  }

  /** Reads the catalog of the connection's database (blocking). */
  public static TableCatalog read(Connection c) throws SQLException {
    TransferDialect dialect = TransferDialect.of(c);
    List<Table> unordered = new ArrayList<>();
    boolean history = false;
    for (String name : dialect.tableNames(c)) {
      if (name.equals(FLYWAY_HISTORY)) {
        history = true;
        continue;
      }
      unordered.add(dialect.table(c, name));
    }
    return new TableCatalog(dialect, foreignKeyOrder(unordered), history);
  }

  public TransferDialect dialect() {
    return dialect;
  }

  /** Tables in foreign-key order. */
  public List<Table> tables() {
    return tables;
  }

  public Optional<Table> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Whether the database has Flyway's history table. */
  public boolean hasFlywayHistory() {
    return flywayHistory;
  }

  /**
   * The columns of {@code table} that reference a table not yet loaded when rows are loaded in
   * {@code loadOrder} (itself included): they are inserted as NULL and set afterwards.
   */
  public static Set<String> deferredColumns(Table table, List<String> loadOrder) {
    int position = loadOrder.indexOf(table.name());
    Set<String> deferred = new TreeSet<>();
    for (ForeignKey key : table.foreignKeys()) {
      int referenced = loadOrder.indexOf(key.referencedTable());
      if (referenced < 0 || referenced >= position) {
        deferred.addAll(key.columns());
      }
    }
    return deferred;
  }

  /** Kahn's algorithm over "references" edges, by name among the ready tables so the order is stable. */
  static List<Table> foreignKeyOrder(Collection<Table> unordered) {
    Map<String, Table> byName = new LinkedHashMap<>();
    unordered.forEach(t -> byName.put(t.name(), t));
    Map<String, Set<String>> pending = new HashMap<>();
    for (Table t : unordered) {
      Set<String> references = new HashSet<>();
      for (ForeignKey key : t.foreignKeys()) {
        if (!key.referencedTable().equals(t.name()) && byName.containsKey(key.referencedTable())) {
          references.add(key.referencedTable());
        }
      }
      pending.put(t.name(), references);
    }
    List<Table> ordered = new ArrayList<>();
    TreeSet<String> remaining = new TreeSet<>(byName.keySet());
    while (!remaining.isEmpty()) {
      String next = remaining.stream().filter(n -> pending.get(n).isEmpty()).findFirst()
          .orElseGet(() -> cycleBreaker(remaining, byName, pending));
      remaining.remove(next);
      ordered.add(byName.get(next));
      pending.values().forEach(references -> references.remove(next));
    }
    return ordered;
  }

  /** In a cycle: the first table whose outstanding references are all nullable columns, else the first. */
  private static String cycleBreaker(Set<String> remaining, Map<String, Table> byName,
      Map<String, Set<String>> pending) {
    for (String name : remaining) {
      Table t = byName.get(name);
      boolean allNullable = t.foreignKeys().stream()
          .filter(k -> pending.get(name).contains(k.referencedTable()))
          .flatMap(k -> k.columns().stream())
          .allMatch(column -> t.column(column).map(Column::nullable).orElse(false));
      if (allNullable) {
        return name;
      }
    }
    return remaining.iterator().next();
  }
}
