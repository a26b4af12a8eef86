package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.checkpoints.impl.Schema;
import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.JdbcConnections;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd db adopt [--dry-run] [--checkpoints]}: takes over the SQLite database Pipelit made at
 * {@code DATABASE_URL} ({@link PipelitAdoption}); with {@code --checkpoints} also recognises LangGraph's
 * {@code checkpoints.db} at {@code CHECKPOINTS_DATABASE_URL}, which pipelitd serves in LangGraph's own
 * layout (snapshot, then the {@code writes.task_path} column newer LangGraph versions have is added when
 * missing). Stop Pipelit (and any pipelitd on these files) first.
 */
@Command(name = "adopt", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = {
        "Adopt the SQLite database Pipelit made at DATABASE_URL (create_all, or Alembic at head c5d6e7f8a9b0):",
        "snapshot it next to itself, build the pipelitd schema in a new file, move every row over (API keys",
        "hashed, plaintext secrets sealed), verify, and swap it in atomically. Stop Pipelit first."})
final class DbAdoptCommand implements Callable<Integer> {

  @ParentCommand
  DbCommand parent;

  @Option(names = "--dry-run", description = "Print what would change; write nothing.")
  boolean dryRun;

  @Option(names = "--checkpoints", description = "Also adopt LangGraph's checkpoints.db (CHECKPOINTS_DATABASE_URL).")
  boolean checkpoints;

  @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
  String databaseUrl;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    Main main = parent.main;
    LaunchContext context = main.context;
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);
    PipelitdConfig config = main.loadConfig(flags);
    DatabaseUrl url = config.databaseUrl();
    if (url.backend() != DatabaseUrl.Backend.SQLITE) {
      throw new Failures.UserFacingException("db adopt takes over a Pipelit SQLite database; DATABASE_URL is "
          + url.describe() + " (to move a pipelitd database to PostgreSQL use 'pipelitd copy')", ExitCodes.USAGE, null);
    }
    if (!Files.isRegularFile(url.sqlitePath())) {
      throw new Failures.UserFacingException("there is no database at " + url.sqlitePath(), ExitCodes.FAILURE, null);
    }
    DatabaseUrl checkpointUrl = DatabaseUrl.parse(CheckpointConfig.from(config.json()).url(), config.workingDir());
    PrintStream out = context.out();
    try {
      if (dryRun) {
        PipelitAdoption.lines(PipelitAdoption.dryRun(url.sqlitePath(), keyring(config)), true).forEach(out::println);
        if (checkpoints) {
          checkpointReport(checkpointUrl, true).forEach(out::println);
        }
        out.println("dry run: nothing was written");
        out.flush();
        return ExitCodes.OK;
      }
      try (InstanceGuard guard = InstanceGuard.acquireAll(List.of(url, checkpointUrl))) {
        adopt(config, url, out, context.err());
        if (checkpoints) {
          checkpointReport(checkpointUrl, false).forEach(out::println);
        }
      }
      out.flush();
      return ExitCodes.OK;
    } catch (SQLException | IOException e) {
      throw new Failures.UserFacingException("adoption failed, the database was left as it was: "
          + Failures.oneLine(e.getMessage()), ExitCodes.FAILURE, e);
    }
  }

  /** Adopts {@code url} (Pipelit's) with the configured key; a Pipelit database with secrets needs that key. */
  static void adopt(PipelitdConfig config, DatabaseUrl url, PrintStream out, PrintStream err)
      throws SQLException, IOException {
    FieldKeySetup.ensure(config); // refuses when the database holds secrets and no key is set
    FieldKeyring keyring = keyring(config);
    PipelitAdoption.Report report = PipelitAdoption.adopt(url.sqlitePath(), keyring, new CopyCommand.TerminalProgress(err));
    PipelitAdoption.lines(report, false).forEach(out::println);
  }

  private static FieldKeyring keyring(PipelitdConfig config) {
    Object key = config.json().getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
    return key == null || key.toString().isBlank() ? null : FieldKeyring.parse(key.toString());
  }

  /**
   * LangGraph's checkpoints.db: pipelitd reads and writes it in LangGraph's own layout, so adopting it is a
   * snapshot and, when missing, the {@code task_path} column (what newer LangGraph adds itself).
   */
  static List<String> checkpointReport(DatabaseUrl url, boolean dryRun) throws SQLException, IOException {
    if (url.backend() != DatabaseUrl.Backend.SQLITE || !Files.isRegularFile(url.sqlitePath())) {
      return List.of("checkpoints: no LangGraph checkpoints.db at " + url.describe() + "; nothing to adopt");
    }
    Path file = url.sqlitePath();
    long checkpointsRows;
    long writesRows;
    boolean hasTaskPath = false;
    try (Connection c = JdbcConnections.openSqliteReadOnly(file); Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("SELECT (SELECT count(*) FROM checkpoints), (SELECT count(*) FROM writes)")) {
        rows.next();
        checkpointsRows = rows.getLong(1);
        writesRows = rows.getLong(2);
      } catch (SQLException e) {
        throw new SQLException(file + " is not a LangGraph checkpoint database (no checkpoints/writes tables)", e);
      }
      try (ResultSet columns = s.executeQuery("PRAGMA table_info(writes)")) {
        while (columns.next()) {
          hasTaskPath |= "task_path".equals(columns.getString("name"));
        }
      }
    }
    String counts = checkpointsRows + " checkpoint(s), " + writesRows + " write(s)";
    if (dryRun) {
      return List.of("checkpoints: " + file + " is LangGraph's layout (" + counts + "); pipelitd serves it as it is"
          + (hasTaskPath ? "" : "; would add writes.task_path (as newer LangGraph does)"));
    }
    Path snapshot = file.resolveSibling(file.getFileName() + ".pipelit-original-"
        + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss", Locale.ROOT)));
    try (Connection c = JdbcConnections.open(url, "pipelitd-adopt")) {
      try (PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
        vacuum.setString(1, snapshot.toString());
        vacuum.execute();
      }
      Schema.ensure(c, DatabaseUrl.Backend.SQLITE);
    }
    return List.of("checkpoints: adopted " + file + " (" + counts + "), snapshot " + snapshot
        + (hasTaskPath ? "" : "; added writes.task_path"));
  }
}
