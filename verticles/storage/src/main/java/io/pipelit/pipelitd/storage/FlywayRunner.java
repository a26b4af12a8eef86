package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.sqlite.SQLiteDataSource;

/**
 * Flyway migrations of one database, with pipelitd's settings: migration names validated, no baseline
 * on migrate (adopting an existing database is an explicit {@code baseline} command), clean disabled.
 * Every method is blocking: call it from a worker or before Vert.x starts serving.
 *
 * <p>Failures come out as {@link IllegalStateException} with a readable message (Flyway's own, which
 * names the migration and never the password) and the {@code FlywayException} as cause.
 */
public final class FlywayRunner {

  /**
   * What {@link #migrate()} did.
   *
   * @param applied       migrations applied by this call (0 when the schema was up to date)
   * @param targetVersion schema version after the call, or null when there is none
   */
  public record MigrateResult(int applied, String targetVersion) {}

  private final Flyway flyway;
  private final String description;
  /**
   * SQLite only: a file locked while migrating, so that two processes starting on a fresh file (the
   * daemon and {@code pipelitd setup}, say) migrate one after the other instead of failing with
   * SQLITE_BUSY_SNAPSHOT. PostgreSQL needs none: Flyway takes an advisory lock there.
   */
  private Path migrationLock;
  /** A file lock is held per process: threads of one JVM queue on this monitor first. */
  private static final Map<Path, Object> LOCAL_LOCKS = new ConcurrentHashMap<>();

  private FlywayRunner(DataSource dataSource, List<String> locations, String description) {
    this(dataSource, locations, description, configuration -> { });
  }

  private FlywayRunner(DataSource dataSource, List<String> locations, String description,
      Consumer<FluentConfiguration> backendSettings) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (locations == null || locations.isEmpty()) {
      throw new IllegalArgumentException("at least one migration location is needed");
    }
    this.description = description;
    FluentConfiguration configuration = Flyway.configure(FlywayRunner.class.getClassLoader())
        .dataSource(dataSource)
        .locations(locations.toArray(String[]::new))
        .validateMigrationNaming(true)
        .baselineOnMigrate(false)
        .cleanDisabled(true);
    backendSettings.accept(configuration);
    this.flyway = configuration.load();
  }

  /**
   * Migrations of a SQLite file (created, with its parent directories, if missing). Connections have
   * foreign keys enforced, WAL and a 5 s busy timeout, as the daemon's own connections do, so a migration
   * cannot leave rows that break foreign keys.
   *
   * @param locations Flyway locations such as {@code classpath:db/migration/sqlite}
   */
  public static FlywayRunner forSqlite(Path file, List<String> locations) {
    Path absolute = file.toAbsolutePath().normalize();
    try {
      SqliteConnections.createPrivately(absolute);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create " + absolute + ": " + e.getMessage(), e);
    }
    SQLiteDataSource dataSource = new SQLiteDataSource(SqliteConnections.config("FULL", 5_000));
    dataSource.setUrl(SqliteConnections.jdbcUrl(absolute));
    FlywayRunner runner = new FlywayRunner(dataSource, locations, "SQLite " + absolute);
    runner.migrationLock = absolute.resolveSibling(absolute.getFileName() + ".migrate-lock");
    return runner;
  }

  /**
   * Migrations of the PostgreSQL database of {@code url}, connected like the daemon's own connections
   * (same user, TLS options and application name, {@value ConfigKeys#DEFAULT_PG_CONNECT_TIMEOUT_MS} ms
   * connect timeout unless the URL sets {@code connect_timeout}) but without a statement timeout, as
   * building an index may take long. The schema history and the migrated tables go to schema
   * {@code public}; sessions run in UTC so that {@code now()} in a migration means UTC.
   *
   * @param locations Flyway locations such as {@code classpath:db/migration/postgresql}
   * @throws IllegalArgumentException when {@code url} is not a PostgreSQL URL or has an unsupported option
   */
  public static FlywayRunner forPostgres(DatabaseUrl url, List<String> locations) {
    if (url == null || url.backend() != DatabaseUrl.Backend.POSTGRESQL) {
      throw new IllegalArgumentException("FlywayRunner.forPostgres needs a postgresql:// DATABASE_URL");
    }
    DataSource dataSource = PostgresConnections.dataSource(url, ConfigKeys.DEFAULT_PG_CONNECT_TIMEOUT_MS);
    return new FlywayRunner(dataSource, locations, url.describe(),
        configuration -> configuration.defaultSchema("public"));
  }

  /**
   * Migrations through any DataSource.
   *
   * @param description for messages, without secrets, e.g. {@link DatabaseUrl#describe()}
   */
  public static FlywayRunner forDataSource(DataSource dataSource, List<String> locations, String description) {
    return new FlywayRunner(dataSource, locations, description);
  }

  private FlywayRunner(Flyway flyway, String description, Path migrationLock) {
    this.flyway = flyway;
    this.description = description;
    this.migrationLock = migrationLock;
  }

  /**
   * The same database and migrations, but {@link #migrate()} stops at {@code version} (inclusive): for
   * restoring an archive made at an older schema version into an empty database.
   */
  public FlywayRunner upTo(String version) {
    Flyway limited = Flyway.configure(FlywayRunner.class.getClassLoader())
        .configuration(flyway.getConfiguration())
        .target(version)
        .load();
    return new FlywayRunner(limited, description, migrationLock);
  }

  /** The highest version among the migration files found in the locations, or null when there is none. */
  public String latestVersion() {
    try {
      MigrationInfo[] all = flyway.info().all();
      String latest = null;
      for (MigrationInfo info : all) {
        if (info.getVersion() != null) {
          latest = info.getVersion().getVersion();
        }
      }
      return latest;
    } catch (FlywayException e) {
      throw failure("inspect", e);
    }
  }

  /** Applies every pending migration, each in its own transaction. */
  public MigrateResult migrate() {
    if (migrationLock == null) {
      return migrateNow();
    }
    // Waits (blocking, this is a worker thread) while another thread or process migrates the same file.
    synchronized (LOCAL_LOCKS.computeIfAbsent(migrationLock, path -> new Object())) {
      try (FileChannel channel = FileChannel.open(migrationLock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = channel.lock()) {
        return migrateNow();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot lock " + migrationLock + " to migrate " + description + ": "
            + e.getMessage(), e);
      }
    }
  }

  private MigrateResult migrateNow() {
    try {
      org.flywaydb.core.api.output.MigrateResult result = flyway.migrate();
      String target = result.targetSchemaVersion != null ? result.targetSchemaVersion : currentVersion();
      return new MigrateResult(result.migrationsExecuted, target);
    } catch (FlywayException e) {
      throw failure("migrate", e);
    }
  }

  /** Migrations found in the locations but not applied yet. */
  public int pendingCount() {
    try {
      return flyway.info().pending().length;
    } catch (FlywayException e) {
      throw failure("inspect", e);
    }
  }

  /** The version of the last applied migration, or null on a database without migrations. */
  public String currentVersion() {
    try {
      MigrationInfo current = flyway.info().current();
      return current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
    } catch (FlywayException e) {
      throw failure("inspect", e);
    }
  }

  /**
   * Checks applied migrations against the files (checksums, missing or unknown versions) and that none
   * is pending.
   */
  public void validate() {
    try {
      flyway.validate();
    } catch (FlywayException e) {
      throw failure("validate", e);
    }
  }

  /** One line: Flyway's messages span many lines (script, SQL state, error code, location). */
  private IllegalStateException failure(String action, FlywayException e) {
    String message = String.valueOf(e.getMessage()).lines().map(String::strip).filter(line -> !line.isEmpty()
        && !line.chars().allMatch(ch -> ch == '-')).reduce((a, b) -> a + " " + b).orElse("");
    return new IllegalStateException("Cannot " + action + " the schema of " + description + ": " + message, e);
  }
}
