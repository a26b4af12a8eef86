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
    return runner(url, List.of(location(url.backend())));
  }

  /** A Flyway runner for the main database at this URL, with other migration locations (db check of a set under work). */
  public static FlywayRunner runner(DatabaseUrl url, List<String> locations) {
    return switch (url.backend()) {
      case SQLITE -> FlywayRunner.forSqlite(url.sqlitePath(), locations);
      case POSTGRESQL -> FlywayRunner.forPostgres(url, locations);
    };
  }

  /** The packaged migration location of a backend. */
  public static String location(DatabaseUrl.Backend backend) {
    return switch (backend) {
      case SQLITE -> SQLITE_LOCATION;
      case POSTGRESQL -> POSTGRESQL_LOCATION;
    };
  }
}
