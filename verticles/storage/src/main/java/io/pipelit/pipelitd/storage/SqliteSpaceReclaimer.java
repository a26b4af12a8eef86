package io.pipelit.pipelitd.storage;

import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** {@link SpaceReclaimer} of a SQLite file: every step runs on the writer, between two batches. */
final class SqliteSpaceReclaimer implements SpaceReclaimer {
  /** Pages released per step: 2048 pages is 8 MiB at the default 4 KiB page, a few ms of work. */
  static final int PAGES_PER_STEP = 2048;
  /** auto_vacuum values of {@code PRAGMA auto_vacuum}. */
  private static final int AUTO_VACUUM_FULL = 1;
  private static final int AUTO_VACUUM_INCREMENTAL = 2;

  private final SqliteDatabase db;

  SqliteSpaceReclaimer(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public Future<Long> sizeBytes() {
    return db.read(c -> pragma(c, "page_count") * pragma(c, "page_size"));
  }

  @Override
  public Future<Method> reclaim(boolean fullVacuum) {
    if (fullVacuum) {
      return db.exclusive(c -> {
        try (Statement statement = c.createStatement()) {
          // Recorded now, applied by the VACUUM that rebuilds the file: later prunes go incremental.
          statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
          statement.execute("VACUUM");
        }
        return Method.FULL_VACUUM;
      }).compose(this::checkpoint);
    }
    return db.read(c -> pragma(c, "auto_vacuum")).compose(mode -> {
      if (mode == AUTO_VACUUM_INCREMENTAL) {
        return incrementalSteps().map(Method.INCREMENTAL_VACUUM).compose(this::checkpoint);
      }
      return checkpoint(mode == AUTO_VACUUM_FULL ? Method.AUTO_VACUUM_FULL : Method.NONE);
    });
  }

  /** Releases free pages, {@link #PAGES_PER_STEP} per exclusive step, until none is left. */
  private Future<Void> incrementalSteps() {
    return db.exclusive(c -> {
      try (Statement statement = c.createStatement()) {
        // Each step of the statement releases one page: executeUpdate steps it to the end, whereas
        // sqlite-jdbc's execute() would step once and release a single page.
        statement.executeUpdate("PRAGMA incremental_vacuum(" + PAGES_PER_STEP + ")");
      }
      return pragma(c, "freelist_count");
    }).compose(left -> left > 0 ? incrementalSteps() : Future.succeededFuture());
  }

  /**
   * In WAL mode released pages leave the main file only when the WAL is checkpointed: do it now
   * (TRUNCATE also empties the -wal file), so the file shrinks before the caller measures it.
   */
  private Future<Method> checkpoint(Method method) {
    return db.exclusive(c -> {
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        while (rows.next()) {
          // busy readers make it partial; the next automatic checkpoint finishes it
        }
      }
      return method;
    });
  }

  private static long pragma(Connection c, String name) throws SQLException {
    try (Statement statement = c.createStatement(); ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }
}
