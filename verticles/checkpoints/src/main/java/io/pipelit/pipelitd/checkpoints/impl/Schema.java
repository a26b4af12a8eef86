package io.pipelit.pipelitd.checkpoints.impl;

import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.SqliteDatabase;
import io.vertx.core.Future;

/** Creates the checkpoint tables when they are missing, through the database's own write path. */
public final class Schema {
  private Schema() {}

  /** The SQL flavor of a checkpoint database URL. */
  static Flavor flavor(DatabaseUrl url) {
    return url.backend() == DatabaseUrl.Backend.SQLITE ? Flavor.SQLITE : Flavor.POSTGRESQL;
  }

  /**
   * Ensures the schema (see {@link Flavor#ensureSchema}). On SQLite it runs on the single writer between
   * two batches ({@link SqliteDatabase#exclusive}), so it never competes with the writer for the lock;
   * on PostgreSQL it is one transaction, run a second time if a concurrent node created the tables at the
   * same moment (CREATE TABLE IF NOT EXISTS can then fail on the catalog's unique index).
   */
  public static Future<Void> ensure(Database db) {
    Flavor flavor = db instanceof SqliteDatabase ? Flavor.SQLITE : Flavor.POSTGRESQL;
    if (db instanceof SqliteDatabase sqlite) {
      return sqlite.exclusive(c -> {
        flavor.ensureSchema(c);
        return null;
      });
    }
    Future<Void> once = db.write(c -> {
      flavor.ensureSchema(c);
      return null;
    });
    return once.recover(e -> db.write(c -> {
      flavor.ensureSchema(c);
      return null;
    }));
  }

  /** The checkpoint store's tables (named here because they are created by code, not by migrations). */
  public static final java.util.List<String> TABLES = java.util.List.of("checkpoints", "writes");

  /**
   * Creates the checkpoint tables on a plain JDBC connection when missing (blocking): for whole-database
   * tools such as {@code pipelitd copy --checkpoints}, which run without a daemon.
   */
  public static void ensure(java.sql.Connection connection, DatabaseUrl.Backend backend) throws java.sql.SQLException {
    (backend == DatabaseUrl.Backend.SQLITE ? Flavor.SQLITE : Flavor.POSTGRESQL).ensureSchema(connection);
  }
}
