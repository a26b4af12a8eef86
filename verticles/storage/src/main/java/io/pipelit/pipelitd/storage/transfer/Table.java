package io.pipelit.pipelitd.storage.transfer;

import java.util.List;
import java.util.Optional;

/**
 * One table as the database catalog describes it.
 *
 * @param name        table name
 * @param columns     columns in table order
 * @param primaryKey  primary-key column names in key order (empty when the table has none)
 * @param foreignKeys outgoing foreign keys
 */
public record Table(String name, List<Column> columns, List<String> primaryKey, List<ForeignKey> foreignKeys) {

  public Table {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    foreignKeys = List.copyOf(foreignKeys);
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }
}
