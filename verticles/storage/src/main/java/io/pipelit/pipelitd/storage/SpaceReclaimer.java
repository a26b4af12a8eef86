package io.pipelit.pipelitd.storage;

import io.vertx.core.Future;

/**
 * Gives disk space back after large deletes, the way each backend can:
 * <ul>
 *   <li>SQLite: files created by pipelitd have {@code auto_vacuum=INCREMENTAL} (see
 *       {@code SqliteConnections#enableIncrementalVacuum}), so free pages are released with
 *       {@code PRAGMA incremental_vacuum} in bounded steps through the writer, between two batches of
 *       writes. An older file without it keeps its free pages for reuse unless a full {@code VACUUM} is
 *       asked for, which also converts it to incremental.</li>
 *   <li>PostgreSQL: autovacuum makes the space reusable; nothing is done here, and the size is
 *       {@code pg_database_size}.</li>
 * </ul>
 */
public interface SpaceReclaimer {

  /** How space was given back. */
  enum Method {
    /** SQLite: {@code PRAGMA incremental_vacuum} in steps. */
    INCREMENTAL_VACUUM,
    /** SQLite: a full {@code VACUUM} (which also switched the file to incremental auto-vacuum). */
    FULL_VACUUM,
    /** SQLite: {@code auto_vacuum=FULL} already truncated the file at each commit. */
    AUTO_VACUUM_FULL,
    /** SQLite without auto-vacuum: free pages stay in the file for reuse (a full vacuum would release them). */
    NONE,
    /** PostgreSQL: left to autovacuum. */
    AUTOVACUUM
  }

  /** The reclaimer of {@code db}. */
  static SpaceReclaimer of(Database db) {
    return db instanceof SqliteDatabase sqlite ? new SqliteSpaceReclaimer(sqlite) : new PostgresSpaceReclaimer(db);
  }

  /** The database's size in bytes: SQLite pages in use by the file, PostgreSQL's {@code pg_database_size}. */
  Future<Long> sizeBytes();

  /**
   * Gives free space back. {@code fullVacuum}: on SQLite, run a full VACUUM (one long exclusive step:
   * other writes wait for it) instead of incremental steps; ignored on PostgreSQL.
   */
  Future<Method> reclaim(boolean fullVacuum);
}
