package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.checkpoints.impl.Schema;
import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.pipelit.pipelitd.storage.JdbcConnections;
import io.pipelit.pipelitd.storage.transfer.DatabaseCopy;
import io.pipelit.pipelitd.storage.transfer.PortableArchive;
import io.pipelit.pipelitd.storage.transfer.Progress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.MigrationVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd copy --from URL --to URL [--checkpoints] [--truncate] [--batch N]}: copies a whole
 * pipelitd database between SQLite and PostgreSQL (either direction), then verifies it.
 *
 * <p>The daemon must not write to the source meanwhile: a SQLite source (or target) is refused while a
 * daemon holds its instance lock, and a PostgreSQL one while another session with the daemon's
 * application name ("pipelitd") is connected to it. The target is migrated first with the same Flyway
 * migrations, up to the source's schema version; a target that holds rows is refused unless
 * {@code --truncate}. Progress goes to stderr, the verification table to stdout; any mismatch exits 1.
 */
@Command(name = "copy", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {
        "Copy every table of a pipelitd database to another one, SQLite <-> PostgreSQL, ids preserved,",
        "then verify row counts and content checksums (exit 1 on any mismatch).",
        "Stop the daemons using the source first: a running daemon is detected and refused."})
final class CopyCommand implements Callable<Integer> {

  /** Application name of the copy's own PostgreSQL sessions (not a daemon's). */
  static final String APPLICATION_NAME = "pipelitd-copy";

  @ParentCommand
  Main main;

  @Option(names = "--from", required = true, paramLabel = "URL", description = "Source DATABASE_URL.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "URL", description = "Target DATABASE_URL.")
  String to;

  @Option(names = "--checkpoints", description = {"Also copy the checkpoint store (checkpoints.db next to a SQLite",
      "database, the same database for PostgreSQL, unless --checkpoints-from/--checkpoints-to say otherwise)."})
  boolean checkpoints;

  @Option(names = "--checkpoints-from", paramLabel = "URL", description = "Source checkpoint store URL.")
  String checkpointsFrom;

  @Option(names = "--checkpoints-to", paramLabel = "URL", description = "Target checkpoint store URL.")
  String checkpointsTo;

  @Option(names = "--truncate", description = "Empty the target's tables first instead of refusing a non-empty target.")
  boolean truncate;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Rows per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    LaunchContext context = main.context;
    if (batch < 1 || batch > 100_000) {
      throw usage("--batch must be between 1 and 100000");
    }
    DatabaseUrl source = parse("--from", from);
    DatabaseUrl target = parse("--to", to);
    refuseSame(source, target, "");
    DatabaseUrl checkpointSource = null;
    DatabaseUrl checkpointTarget = null;
    if (checkpoints) {
      checkpointSource = checkpointsFrom != null ? parse("--checkpoints-from", checkpointsFrom) : checkpointsOf(source);
      checkpointTarget = checkpointsTo != null ? parse("--checkpoints-to", checkpointsTo) : checkpointsOf(target);
      refuseSame(checkpointSource, checkpointTarget, "checkpoint ");
    } else if (checkpointsFrom != null || checkpointsTo != null) {
      throw usage("--checkpoints-from/--checkpoints-to need --checkpoints");
    }
    List<DatabaseUrl> guarded = new ArrayList<>(List.of(source, target));
    if (checkpoints) {
      guarded.add(checkpointSource);
      guarded.add(checkpointTarget);
    }
    requireExisting(source, "source");
    if (checkpoints) {
      requireExisting(checkpointSource, "checkpoint source");
    }
    boolean verified;
    try (InstanceGuard guard = InstanceGuard.acquireAll(guarded.stream().distinct().toList())) {
      verified = copyMain(context, source, target);
      if (checkpoints) {
        verified &= copyCheckpoints(context, checkpointSource, checkpointTarget);
      }
    }
    if (!verified) {
      Failures.report(context.err(), "verification FAILED: the target differs from the source (see the table above)",
          null, false);
      return ExitCodes.FAILURE;
    }
    context.out().println("copy verified: every table matches");
    context.out().flush();
    return ExitCodes.OK;
  }

  private boolean copyMain(LaunchContext context, DatabaseUrl source, DatabaseUrl target) {
    try (Connection from = open(source, "source"); Connection to = open(target, "target")) {
      refuseRunningDaemons(from, source);
      refuseRunningDaemons(to, target);
      String version = PortableArchive.schemaVersion(from);
      if (version == null) {
        throw new Failures.UserFacingException("the source " + source.describe() + " has no pipelitd schema"
            + " (no Flyway history); for a database made by Pipelit use 'pipelitd db adopt'", ExitCodes.FAILURE, null);
      }
      FlywayRunner runner = Migrations.runner(target);
      String latest = runner.latestVersion();
      if (latest != null && MigrationVersion.fromVersion(version).compareTo(MigrationVersion.fromVersion(latest)) > 0) {
        throw new Failures.UserFacingException("the source is at schema version " + version + ", newer than this"
            + " pipelitd knows (" + latest + "): copy with the pipelitd that created it", ExitCodes.FAILURE, null);
      }
      if (runner.currentVersion() == null) {
        context.err().println("migrating the target " + target.describe() + " to schema version " + version);
        runner.upTo(version).migrate();
      }
      String targetVersion = runner.currentVersion();
      if (!version.equals(targetVersion)) {
        throw new Failures.UserFacingException("the target is at schema version " + targetVersion
            + " but the source at " + version + ": migrate both to the same version first", ExitCodes.FAILURE, null);
      }
      context.err().println("copying " + source.describe() + " -> " + target.describe());
      DatabaseCopy.Result result = DatabaseCopy.copy(from, to, name -> !Schema.TABLES.contains(name), batch, truncate,
          new TerminalProgress(context.err()));
      return report(context.out(), "database", result);
    } catch (DatabaseCopy.TargetNotEmptyException e) {
      throw new Failures.UserFacingException(e.getMessage() + "; use --truncate to replace its content",
          ExitCodes.FAILURE, e);
    } catch (SQLException e) {
      throw new Failures.UserFacingException("copy failed, the target was left unchanged: "
          + Failures.oneLine(e.getMessage()), ExitCodes.FAILURE, e);
    }
  }

  private boolean copyCheckpoints(LaunchContext context, DatabaseUrl source, DatabaseUrl target) {
    try (Connection from = open(source, "checkpoint source"); Connection to = open(target, "checkpoint target")) {
      Schema.ensure(to, target.backend());
      context.err().println("copying checkpoints " + source.describe() + " -> " + target.describe());
      DatabaseCopy.Result result = DatabaseCopy.copy(from, to, Schema.TABLES::contains, batch, truncate,
          new TerminalProgress(context.err()));
      return report(context.out(), "checkpoints", result);
    } catch (DatabaseCopy.TargetNotEmptyException e) {
      throw new Failures.UserFacingException("checkpoint store: " + e.getMessage() + "; use --truncate to replace"
          + " its content", ExitCodes.FAILURE, e);
    } catch (SQLException e) {
      throw new Failures.UserFacingException("checkpoint copy failed, the target was left unchanged: "
          + Failures.oneLine(e.getMessage()), ExitCodes.FAILURE, e);
    }
  }

  /** Prints the verification table; true when every table matches. */
  static boolean report(PrintStream out, String what, DatabaseCopy.Result result) {
    out.printf(Locale.ROOT, "%nverification (%s):%n%-28s %12s %12s  %-16s %-16s %s%n", what, "table", "source rows",
        "target rows", "source checksum", "target checksum", "result");
    for (DatabaseCopy.TableResult t : result.tables()) {
      out.printf(Locale.ROOT, "%-28s %12d %12d  %-16s %-16s %s%n", t.table(), t.source().rows(), t.target().rows(),
          t.source().checksum().substring(0, 16), t.target().checksum().substring(0, 16),
          t.matches() ? "ok" : "MISMATCH");
    }
    for (String table : result.notCopied()) {
      out.printf(Locale.ROOT, "%-28s not copied: the target schema has no such table%n", table);
    }
    out.flush();
    return result.verified();
  }

  /**
   * Refuses while another pipelitd daemon is connected to this PostgreSQL database: it could be writing.
   * (Daemons connect as application_name "pipelitd" unless their URL names another; the operator stops them.)
   */
  static void refuseRunningDaemons(Connection c, DatabaseUrl url) throws SQLException {
    if (url.backend() != DatabaseUrl.Backend.POSTGRESQL) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND application_name = ? AND pid <> pg_backend_pid()")) {
      s.setString(1, JdbcConnections.daemonApplicationName());
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        int sessions = rows.getInt(1);
        if (sessions > 0) {
          throw new Failures.UserFacingException(url.describe() + " is in use by a running pipelitd (" + sessions
              + " session(s) named 'pipelitd' in pg_stat_activity): stop the daemons first", ExitCodes.FAILURE, null);
        }
      }
    }
  }

  /** The checkpoint store that goes with a main database by default. */
  static DatabaseUrl checkpointsOf(DatabaseUrl main) {
    if (main.backend() == DatabaseUrl.Backend.POSTGRESQL) {
      return main;
    }
    return new DatabaseUrl(DatabaseUrl.Backend.SQLITE, main.sqlitePath().resolveSibling("checkpoints.db"),
        null, 0, null, null, null, java.util.Map.of());
  }

  private Connection open(DatabaseUrl url, String role) {
    try {
      return JdbcConnections.open(url, APPLICATION_NAME);
    } catch (SQLException e) {
      throw new Failures.UserFacingException("cannot open the " + role + " database: "
          + Failures.oneLine(e.getMessage()), ExitCodes.FAILURE, e);
    }
  }

  private static void requireExisting(DatabaseUrl url, String role) {
    if (url.backend() == DatabaseUrl.Backend.SQLITE && !Files.isRegularFile(url.sqlitePath())) {
      throw new Failures.UserFacingException("the " + role + " " + url.describe() + " does not exist",
          ExitCodes.FAILURE, null);
    }
  }

  private static void refuseSame(DatabaseUrl source, DatabaseUrl target, String what) {
    boolean same = source.backend() == target.backend() && (source.backend() == DatabaseUrl.Backend.SQLITE
        ? source.sqlitePath().equals(target.sqlitePath())
        : source.host().equalsIgnoreCase(target.host()) && source.port() == target.port()
            && source.database().equals(target.database()));
    if (same) {
      throw new Failures.UserFacingException("the " + what + "source and target are the same database ("
          + source.describe() + ")", ExitCodes.USAGE, null);
    }
  }

  private DatabaseUrl parse(String option, String url) {
    try {
      return DatabaseUrl.parse(url, main.context.workingDir());
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage().replace("DATABASE_URL", "the URL"));
    }
  }

  private static Failures.UserFacingException usage(String message) {
    return new Failures.UserFacingException(message, ExitCodes.USAGE, null);
  }

  /** One line per table on stderr: rows and rate; a running count for large tables. */
  static final class TerminalProgress implements Progress {
    private static final long REPORT_EVERY_ROWS = 100_000;
    private final PrintStream err;

    TerminalProgress(PrintStream err) {
      this.err = err;
    }

    @Override
    public void rowsMoved(String table, long rowsSoFar) {
      if (rowsSoFar % REPORT_EVERY_ROWS == 0) {
        err.printf(Locale.ROOT, "  %-28s %,12d rows so far%n", table, rowsSoFar);
      }
    }

    @Override
    public void tableDone(String table, long rows, long nanos) {
      double seconds = Math.max(nanos, 1) / 1e9;
      err.printf(Locale.ROOT, "  %-28s %,12d rows  %,10.0f rows/s%n", table, rows, rows / seconds);
      err.flush();
    }
  }
}
