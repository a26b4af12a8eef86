package io.pipelit.pipelitd.persistence;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import java.util.List;

/** Where the main database's migrations live, per dialect ({@code db/migration/<dialect>}). */
public final class Migrations {
  private Migrations() {}

  public static final String SQLITE_LOCATION = "classpath:db/migration/sqlite";
  public static final String POSTGRESQL_LOCATION = "classpath:db/migration/postgresql";

  /** A Flyway runner for the main database at this URL. */
  public static FlywayRunner runner(DatabaseUrl url) {
    return switch (url.backend()) {
      case SQLITE -> FlywayRunner.forSqlite(url.sqlitePath(), List.of(SQLITE_LOCATION));
      case POSTGRESQL -> FlywayRunner.forPostgres(url, List.of(POSTGRESQL_LOCATION));
    };
  }
}
