package io.pipelit.pipelitd.storage;

import io.vertx.core.Future;
import java.sql.ResultSet;
import java.sql.Statement;

/** {@link SpaceReclaimer} of PostgreSQL: autovacuum does the work; only the size is measured. */
final class PostgresSpaceReclaimer implements SpaceReclaimer {
  private final Database db;

  PostgresSpaceReclaimer(Database db) {
    this.db = db;
  }

  @Override
  public Future<Long> sizeBytes() {
    return db.read(c -> {
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("SELECT pg_database_size(current_database())")) {
        rows.next();
        return rows.getLong(1);
      }
    });
  }

  @Override
  public Future<Method> reclaim(boolean fullVacuum) {
    return Future.succeededFuture(Method.AUTOVACUUM);
  }
}
