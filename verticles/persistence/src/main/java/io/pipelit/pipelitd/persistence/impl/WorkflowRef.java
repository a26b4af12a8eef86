package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** A workflow the caller may see, found by slug; the anchor of nodes, edges and executions. */
record WorkflowRef(long id, String slug) {

  static final String NOT_FOUND = "Workflow not found.";

  /** The workflow with this slug in the caller's scope, or NOT_FOUND. */
  static WorkflowRef find(Connection connection, Identity identity, String slug) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT w.id, w.slug FROM workflows w WHERE w.slug = ? AND " + Scope.on("w"))) {
      statement.setString(1, slug);
      Scope.bind(statement, 2, identity);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw StoreException.notFound(NOT_FOUND);
        }
        return new WorkflowRef(rows.getLong(1), rows.getString(2));
      }
    }
  }
}
