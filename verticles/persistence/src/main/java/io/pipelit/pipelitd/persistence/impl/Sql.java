package io.pipelit.pipelitd.persistence.impl;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** JDBC helpers shared by the stores, the same on SQLite and PostgreSQL. */
final class Sql {
  private Sql() {}

  /** Binds a nullable BIGINT. */
  static void setNullableLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, java.sql.Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  /** Runs an {@code INSERT ... RETURNING id} and returns the new id (portable: SQLite ≥ 3.35, PostgreSQL). */
  static long insertedId(PreparedStatement statement) throws SQLException {
    try (ResultSet keys = statement.executeQuery()) {
      if (!keys.next()) {
        throw new SQLException("INSERT ... RETURNING id returned no row");
      }
      return keys.getLong(1);
    }
  }

  /** Binds one SET parameter of a partial UPDATE. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement statement, int index) throws SQLException;
  }
}
