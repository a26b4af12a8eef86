package io.pipelit.pipelitd.storage;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
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

  /**
   * One row of {@code info}/{@code history}: a migration known to the files, to the database, or both.
   *
   * @param version          null for a repeatable migration
   * @param state            Flyway's state in words ("Success", "Pending", "Missing", "Failed", ...)
   * @param installedOn      UTC instant (ISO-8601) when applied, else null
   * @param checksum         the applied checksum when applied, else the file's
   * @param fileChecksum     the checksum of the packaged file, null when no file has this version
   * @param installedRank    order of application, null when not applied
   * @param executionTimeMs  null when not applied
   */
  public record Entry(String version, String description, String type, String state, String script,
      String installedOn, String installedBy, Integer checksum, Integer fileChecksum, Integer installedRank,
      Integer executionTimeMs, boolean applied, boolean failed, boolean checksumMatches,
      boolean descriptionMatches, MigrationState rawState) {}

  /** What {@link #repair()} did, each in one sentence. */
  public record RepairSummary(List<String> actions) {}

  private final Flyway flyway;
  private final String description;
  private final List<String> locations;
  /**
   * SQLite only: a file locked while migrating, so that two processes starting on a fresh file (the
   * daemon and {@code pipelitd setup}, say) migrate one after the other instead of failing with
   * SQLITE_BUSY_SNAPSHOT. PostgreSQL needs none: Flyway takes an advisory lock there.
   */
  private Path migrationLock;

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
    this.locations = List.copyOf(locations);
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
    runner.migrationLock = SqliteFileLock.of(absolute);
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
   * Like {@link #forPostgres(DatabaseUrl, List)}, but the schema history and the migrated tables go to
   * {@code schema} (which must exist): a restore builds a backup's schema beside {@code public} first.
   */
  public static FlywayRunner forPostgres(DatabaseUrl url, List<String> locations, String schema) {
    if (url == null || url.backend() != DatabaseUrl.Backend.POSTGRESQL) {
      throw new IllegalArgumentException("FlywayRunner.forPostgres needs a postgresql:// DATABASE_URL");
    }
    DataSource dataSource = PostgresConnections.dataSource(url, ConfigKeys.DEFAULT_PG_CONNECT_TIMEOUT_MS);
    return new FlywayRunner(dataSource, locations, url.describe() + " (schema " + schema + ")",
        configuration -> configuration.defaultSchema(schema).schemas(schema).createSchemas(false));
  }

  /**
   * Migrations through any DataSource.
   *
   * @param description for messages, without secrets, e.g. {@link DatabaseUrl#describe()}
   */
  public static FlywayRunner forDataSource(DataSource dataSource, List<String> locations, String description) {
    return new FlywayRunner(dataSource, locations, description);
  }

  private FlywayRunner(Flyway flyway, String description, List<String> locations, Path migrationLock) {
    this.flyway = flyway;
    this.description = description;
    this.locations = locations;
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
    return new FlywayRunner(limited, description, locations, migrationLock);
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
    return underMigrationLock("migrate", this::migrateNow);
  }

  /**
   * Runs {@code work} holding the SQLite migrate lock (waiting while another thread or process holds it);
   * without a lock file (PostgreSQL: Flyway's advisory lock serves) it just runs.
   */
  private <T> T underMigrationLock(String action, java.util.function.Supplier<T> work) {
    if (migrationLock == null) {
      return work.get();
    }
    // Waits (blocking, this is a worker thread) while another thread or process sets up the same file.
    try {
      return SqliteFileLock.holding(migrationLock, work::get);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot lock " + migrationLock + " to " + action + " " + description + ": "
          + e.getMessage(), e);
    }
  }

  /** The Flyway locations this runner reads migrations from. */
  public List<String> locations() {
    return locations;
  }

  /** The database, for messages (no secrets). */
  public String description() {
    return description;
  }

  /** Every migration known to the files or to the database's history, in Flyway's order. */
  public List<Entry> info() {
    try {
      return java.util.Arrays.stream(flyway.info().all()).map(FlywayRunner::entry).toList();
    } catch (FlywayException e) {
      throw failure("inspect", e);
    }
  }

  /** The migrations recorded as applied (the schema history), oldest first. */
  public List<Entry> history() {
    return info().stream().filter(Entry::applied)
        .sorted(java.util.Comparator.comparing(Entry::installedRank)).toList();
  }

  private static Entry entry(MigrationInfo info) {
    boolean applied = info.isApplied();
    java.util.Date on = info.getInstalledOn();
    return new Entry(info.getVersion() == null ? null : info.getVersion().getVersion(), info.getDescription(),
        String.valueOf(info.getType()), info.getState().getDisplayName(), info.getScript(),
        on == null ? null : on.toInstant().toString(), info.getInstalledBy(),
        applied ? info.getAppliedChecksum() : info.getChecksum(), info.getResolvedChecksum(),
        info.getInstalledRank(), info.getExecutionTime(), applied, info.getState().isFailed(),
        !applied || info.getResolvedChecksum() == null || info.isChecksumMatching(),
        !applied || info.getResolvedDescription() == null || info.isDescriptionMatching(), info.getState());
  }

  /**
   * What {@link #validate()} would complain about, one readable sentence per migration; empty when the
   * database matches the files and nothing is pending.
   */
  public List<String> validationProblems() {
    try {
      org.flywaydb.core.api.output.ValidateResult result = flyway.validateWithResult();
      if (result.validationSuccessful) {
        return List.of();
      }
      List<String> problems = new java.util.ArrayList<>();
      for (org.flywaydb.core.api.output.ValidateOutput invalid : result.invalidMigrations) {
        String what = invalid.version == null || invalid.version.isEmpty() ? invalid.description : "V" + invalid.version;
        problems.add(what + ": " + oneLine(invalid.errorDetails.errorMessage));
      }
      if (problems.isEmpty() && result.errorDetails != null) {
        problems.add(oneLine(result.errorDetails.errorMessage));
      }
      return problems;
    } catch (FlywayException e) {
      throw failure("validate", e);
    }
  }

  /**
   * Repairs the schema history: removes failed entries, realigns checksums and descriptions with the
   * packaged files, marks applied migrations whose files are gone as deleted. Changes no table but the
   * history.
   */
  public RepairSummary repair() {
    return underMigrationLock("repair", () -> {
      try {
        org.flywaydb.core.api.output.RepairResult result = flyway.repair();
        List<String> actions = new java.util.ArrayList<>();
        result.migrationsRemoved.forEach(m -> actions.add("removed the failed entry V" + m.version + " (" + m.description + ")"));
        result.migrationsDeleted.forEach(m -> actions.add("marked V" + m.version + " (" + m.description + ") as deleted: its file is gone"));
        result.migrationsAligned.forEach(m -> actions.add("realigned V" + m.version + " (" + m.description + ") with its file (checksum, description)"));
        return new RepairSummary(List.copyOf(actions));
      } catch (FlywayException e) {
        throw failure("repair", e);
      }
    });
  }

  /**
   * Records {@code version} as the schema's starting point in a database that has tables but no history
   * (migrations up to and including it will not run). Refused by Flyway when a history exists already.
   *
   * @return the baseline version recorded
   */
  public String baseline(String version, String baselineDescription) {
    return underMigrationLock("baseline", () -> {
      try {
        Flyway baselining = Flyway.configure(FlywayRunner.class.getClassLoader())
            .configuration(flyway.getConfiguration())
            .baselineVersion(version)
            .baselineDescription(baselineDescription)
            .load();
        org.flywaydb.core.api.output.BaselineResult result = baselining.baseline();
        if (!result.successfullyBaselined) {
          throw new IllegalStateException("Cannot baseline the schema of " + description + ": Flyway declined");
        }
        return result.baselineVersion;
      } catch (FlywayException e) {
        throw failure("baseline", e);
      }
    });
  }

  private static String oneLine(String message) {
    return String.valueOf(message).lines().map(String::strip).filter(line -> !line.isEmpty()
        && !line.chars().allMatch(ch -> ch == '-')).reduce((a, b) -> a + " " + b).orElse("");
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
