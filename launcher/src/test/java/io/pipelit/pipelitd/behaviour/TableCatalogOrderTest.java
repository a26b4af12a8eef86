package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.transfer.ColumnType;
import io.pipelit.pipelitd.storage.transfer.ForeignKey;
import io.pipelit.pipelitd.storage.transfer.Table;
import io.pipelit.pipelitd.storage.transfer.TableCatalog;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The table catalog on pipelitd's real schema (whatever migrations exist): every table after the tables
 * it references, only self-references deferred, Flyway's history left out, the same tables, keys and
 * column kinds on both backends.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
class TableCatalogOrderTest {
  @Parameter
  Backend backend;

  @TempDir
  Path folder;

  static TableCatalog migratedCatalog(Backend backend, Path folder) throws Exception {
    String url = TestDatabases.freshUrl(backend, folder);
    Migrations.runner(DatabaseUrl.parse(url, folder)).migrate();
    try (Connection c = TestDatabases.connect(url)) {
      return TableCatalog.read(c);
    }
  }

  @Test
  void everyTableComesAfterTheTablesItReferences() throws Exception {
    TableCatalog catalog = migratedCatalog(backend, folder);
    List<String> order = catalog.tables().stream().map(Table::name).toList();
    assertFalse(order.contains(TableCatalog.FLYWAY_HISTORY));
    assertTrue(catalog.hasFlywayHistory());
    assertTrue(order.containsAll(List.of("user_profiles", "api_keys", "credentials", "llm_credentials", "workflows",
        "component_configs", "workflow_nodes", "workflow_edges", "workflow_executions", "execution_logs")), order.toString());
    Set<String> deferred = new TreeSet<>();
    for (Table t : catalog.tables()) {
      for (ForeignKey key : t.foreignKeys()) {
        int referenced = order.indexOf(key.referencedTable());
        if (key.referencedTable().equals(t.name())) {
          continue;
        }
        assertTrue(referenced >= 0 && referenced < order.indexOf(t.name()),
            t.name() + " must come after " + key.referencedTable() + ": " + order);
      }
      TableCatalog.deferredColumns(t, order).forEach(column -> deferred.add(t.name() + "." + column));
    }
    assertTrue(deferred.containsAll(List.of("workflows.forked_from_id", "workflows.error_handler_workflow_id",
        "component_configs.llm_model_config_id", "workflow_executions.parent_execution_id")), deferred.toString());
    for (String column : deferred) {
      String table = column.substring(0, column.indexOf('.'));
      assertTrue(catalog.table(table).orElseThrow().foreignKeys().stream()
          .anyMatch(k -> k.referencedTable().equals(table)), "only self-references are deferred: " + column);
    }
    Table workflows = catalog.table("workflows").orElseThrow();
    assertEquals(List.of("id"), workflows.primaryKey());
    assertEquals(ColumnType.BOOLEAN, workflows.column("is_active").orElseThrow().type());
    assertEquals(ColumnType.JSON, workflows.column("tags").orElseThrow().type());
    assertEquals(ColumnType.TIMESTAMP, workflows.column("created_at").orElseThrow().type());
    assertEquals(List.of("execution_id"), catalog.table("workflow_executions").orElseThrow().primaryKey());
  }

  @Test
  void bothBackendsDescribeTheSameTablesKeysAndColumnKinds() throws Exception {
    TableCatalog mine = migratedCatalog(backend, folder);
    TableCatalog other = migratedCatalog(backend == Backend.SQLITE ? Backend.POSTGRESQL : Backend.SQLITE, folder);
    assertEquals(names(mine), names(other));
    for (Table t : mine.tables()) {
      Table u = other.table(t.name()).orElseThrow();
      assertEquals(t.primaryKey(), u.primaryKey(), t.name());
      assertEquals(t.columns().stream().map(c -> c.name() + ":" + c.type()).toList(),
          u.columns().stream().map(c -> c.name() + ":" + c.type()).toList(), t.name());
    }
  }

  private static List<String> names(TableCatalog catalog) {
    return new ArrayList<>(new TreeSet<>(catalog.tables().stream().map(Table::name).toList()));
  }
}
