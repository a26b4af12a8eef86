package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.Dialect;
import io.pipelit.pipelitd.storage.SpaceReclaimer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Retention: deletes FINISHED executions (completed, failed, cancelled) and what hangs off them
 * (Pipelit §1.15: their {@code execution_logs} and {@code pending_tasks}; children's
 * {@code parent_execution_id}, {@code conversations.execution_id} and {@code memory_episodes.execution_id}
 * are set to NULL by their foreign keys), then gives the space back ({@link SpaceReclaimer}).
 *
 * <p>Rules, each optional, combined with OR: an execution goes when it finished more than
 * {@code olderThanDays} days ago, or when it is not among the {@code keepPerWorkflow} most recently
 * finished ones of its workflow. When it finished: {@code completed_at}, else {@code started_at}, else
 * {@code created_at}.
 *
 * <p>The candidates are read in pages of {@value #BATCHES_PER_PAGE} batches (bounded memory however
 * large the table, and one candidate query per page rather than per batch), then deleted in writes of at most {@code batchSize} rows each: a batch's logs first (in as many
 * writes as needed), then its pending tasks and the executions themselves. On SQLite every write goes
 * through the single writer, so other writes wait at most one batch. Reading the next page after the
 * deletes is safe: a deleted execution only ever ranked below the ones the count rule keeps.
 */
public final class ExecutionPruner {
  static final String FINISHED = "('completed', 'failed', 'cancelled')";
  private static final String FINISHED_AT = "COALESCE(e.completed_at, e.started_at, e.created_at)";
  /** Candidate ids read at a time, in batches; at most {@link #MAX_PAGE}. */
  static final int BATCHES_PER_PAGE = 20;
  static final int MAX_PAGE = 100_000;

  /**
   * The rules of one prune.
   *
   * @param olderThanDays   0 = no age rule
   * @param keepPerWorkflow 0 = no count rule
   */
  public record Rules(long olderThanDays, long keepPerWorkflow) {
    public boolean any() {
      return olderThanDays > 0 || keepPerWorkflow > 0;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("older_than_days", olderThanDays > 0 ? olderThanDays : null)
          .put("keep_per_workflow", keepPerWorkflow > 0 ? keepPerWorkflow : null);
    }
  }

  private final Database db;
  private final Dialect dialect;
  private final SpaceReclaimer space;
  /** One prune at a time per store: the schedule and an operator must not delete the same rows twice. */
  private final AtomicBoolean running = new AtomicBoolean();

  public ExecutionPruner(Database db) {
    this.db = db;
    this.dialect = db.dialect();
    this.space = SpaceReclaimer.of(db);
  }

  /**
   * Prunes with these rules; {@code progress} receives {@code {"executions_deleted", "executions_total",
   * "logs_deleted"}} after each batch. Answers {@code {"dry_run", "rules", "deleted": {table: rows},
   * "bytes_before", "bytes_after", "bytes_freed", "space"}}. CONFLICT while another prune runs.
   */
  public Future<JsonObject> prune(Rules rules, boolean dryRun, boolean fullVacuum, int batchSize,
      Consumer<JsonObject> progress) {
    if (!rules.any()) {
      return Future.failedFuture(StoreException.validation(
          "no retention rule: give older_than_days and/or keep_per_workflow (at least 1)"));
    }
    if (!running.compareAndSet(false, true)) {
      return Future.failedFuture(StoreException.conflict("A prune is already running."));
    }
    Instant cutoff = Instant.now().minus(Duration.ofDays(rules.olderThanDays()));
    Candidates candidates = new Candidates(rules, cutoff);
    JsonObject report = new JsonObject().put("dry_run", dryRun).put("rules", rules.toJson());
    Future<JsonObject> work = space.sizeBytes().compose(before -> {
      report.put("bytes_before", before);
      if (dryRun) {
        return db.read(c -> count(c, candidates)).map(counts -> report.put("deleted", counts)
            .put("bytes_after", before).put("bytes_freed", 0L).put("space", "not reclaimed (dry run)"));
      }
      return db.read(c -> candidates.count(c, "SELECT COUNT(*) FROM (" + candidates.sql() + ") p"))
          .compose(total -> {
            Totals totals = new Totals(total);
            return deletePages(candidates, batchSize, totals, progress).map(totals);
          })
          .compose(totals -> space.reclaim(fullVacuum).compose(method -> space.sizeBytes().map(after ->
              report.put("deleted", totals.toJson())
                  .put("bytes_after", after)
                  .put("bytes_freed", Math.max(0, before - after))
                  .put("space", describe(method)))));
    });
    return work.onComplete(done -> running.set(false));
  }

  private static String describe(SpaceReclaimer.Method method) {
    return switch (method) {
      case INCREMENTAL_VACUUM -> "incremental_vacuum: free pages released to the file system";
      case FULL_VACUUM -> "VACUUM: file rebuilt (now with auto_vacuum=INCREMENTAL)";
      case AUTO_VACUUM_FULL -> "auto_vacuum=FULL: released at each commit";
      case NONE -> "kept as free pages for reuse: this file predates auto_vacuum=INCREMENTAL;"
          + " run prune --vacuum once to release them and convert it";
      case AUTOVACUUM -> "PostgreSQL: left to autovacuum (space reused, the files do not shrink)";
    };
  }

  /** What a real prune deleted so far. */
  private static final class Totals {
    final long executionsTotal;
    long executions;
    long logs;
    long pendingTasks;

    Totals(long executionsTotal) {
      this.executionsTotal = executionsTotal;
    }

    JsonObject toJson() {
      return new JsonObject().put("workflow_executions", executions).put("execution_logs", logs)
          .put("pending_tasks", pendingTasks);
    }
  }

  /** Reads a page of candidates, deletes it, and goes on while pages come full and rows go. */
  private Future<Void> deletePages(Candidates candidates, int batchSize, Totals totals,
      Consumer<JsonObject> progress) {
    int page = (int) Math.min(MAX_PAGE, (long) batchSize * BATCHES_PER_PAGE);
    return db.read(c -> candidates.list(c, page)).compose(ids -> {
      long before = totals.executions;
      return deleteChunks(ids, 0, batchSize, totals, progress).compose(done ->
          // A page that deleted nothing would come back the same: stop rather than loop.
          ids.size() == page && totals.executions > before
              ? deletePages(candidates, batchSize, totals, progress) : Future.succeededFuture());
    });
  }

  private Future<Void> deleteChunks(List<String> ids, int from, int batchSize, Totals totals,
      Consumer<JsonObject> progress) {
    if (from >= ids.size()) {
      return Future.succeededFuture();
    }
    List<String> chunk = ids.subList(from, Math.min(ids.size(), from + batchSize));
    return deleteLogs(chunk, batchSize, totals)
        .compose(logsGone -> db.write(c -> deleteExecutions(c, chunk)))
        .compose(deleted -> {
          totals.pendingTasks += deleted[0];
          totals.executions += deleted[1];
          progress.accept(new JsonObject().put("executions_deleted", totals.executions)
              .put("executions_total", totals.executionsTotal).put("logs_deleted", totals.logs));
          return deleteChunks(ids, from + chunk.size(), batchSize, totals, progress);
        });
  }

  /** The logs of {@code chunk}, at most {@code batchSize} rows per write. */
  private Future<Void> deleteLogs(List<String> chunk, int batchSize, Totals totals) {
    return db.write(c -> {
      try (PreparedStatement statement = c.prepareStatement("DELETE FROM execution_logs WHERE id IN"
          + " (SELECT id FROM execution_logs WHERE execution_id IN (" + marks(chunk.size()) + ") LIMIT ?)")) {
        int i = bind(statement, 1, chunk);
        statement.setInt(i, batchSize);
        return statement.executeUpdate();
      }
    }).compose(deleted -> {
      totals.logs += deleted;
      return deleted < batchSize ? Future.succeededFuture() : deleteLogs(chunk, batchSize, totals);
    });
  }

  /** {pending tasks deleted, executions deleted} of a chunk whose logs are gone. */
  private long[] deleteExecutions(Connection c, List<String> chunk) throws SQLException {
    long pendingTasks = 0;
    if (hasTable(c, "pending_tasks")) {
      try (PreparedStatement statement = c.prepareStatement(
          "DELETE FROM pending_tasks WHERE execution_id IN (" + marks(chunk.size()) + ")")) {
        bind(statement, 1, chunk);
        pendingTasks = statement.executeUpdate();
      }
    }
    try (PreparedStatement statement = c.prepareStatement("DELETE FROM workflow_executions WHERE execution_id IN ("
        + marks(chunk.size()) + ") AND status IN " + FINISHED)) {
      bind(statement, 1, chunk);
      return new long[] {pendingTasks, statement.executeUpdate()};
    }
  }

  /** Rows a dry run would delete, per table. */
  private JsonObject count(Connection c, Candidates candidates) throws SQLException {
    JsonObject counts = new JsonObject()
        .put("workflow_executions", candidates.count(c, "SELECT COUNT(*) FROM (" + candidates.sql() + ") p"))
        .put("execution_logs", candidates.count(c, "SELECT COUNT(*) FROM execution_logs WHERE execution_id IN ("
            + candidates.sql() + ")"));
    counts.put("pending_tasks", hasTable(c, "pending_tasks")
        ? candidates.count(c, "SELECT COUNT(*) FROM pending_tasks WHERE execution_id IN (" + candidates.sql() + ")")
        : 0L);
    return counts;
  }

  /** The executions the rules select: one query, listed or counted. */
  private final class Candidates {
    private final Rules rules;
    private final Instant cutoff;

    Candidates(Rules rules, Instant cutoff) {
      this.rules = rules;
      this.cutoff = cutoff;
    }

    /** {@code SELECT execution_id ...}; parameters bound by {@link #bindRules}. */
    String sql() {
      List<String> conditions = new ArrayList<>();
      if (rules.olderThanDays() > 0) {
        conditions.add("f.finished_at < ?");
      }
      if (rules.keepPerWorkflow() > 0) {
        conditions.add("f.newest > ?");
      }
      return "SELECT f.execution_id FROM (SELECT e.execution_id, " + FINISHED_AT + " AS finished_at,"
          + " ROW_NUMBER() OVER (PARTITION BY e.workflow_id ORDER BY " + FINISHED_AT + " DESC NULLS LAST,"
          + " e.execution_id DESC) AS newest FROM workflow_executions e WHERE e.status IN " + FINISHED + ") f"
          + " WHERE " + String.join(" OR ", conditions);
    }

    void bindRules(PreparedStatement statement) throws SQLException {
      int i = 1;
      if (rules.olderThanDays() > 0) {
        dialect.setTimestamp(statement, i++, cutoff);
      }
      if (rules.keepPerWorkflow() > 0) {
        statement.setLong(i, rules.keepPerWorkflow());
      }
    }

    /** The first {@code limit} candidates, by id. */
    List<String> list(Connection c, int limit) throws SQLException {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement statement = c.prepareStatement(sql() + " ORDER BY f.execution_id LIMIT " + limit)) {
        bindRules(statement);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            ids.add(rows.getString(1));
          }
        }
      }
      return Collections.unmodifiableList(ids);
    }

    long count(Connection c, String sql) throws SQLException {
      try (PreparedStatement statement = c.prepareStatement(sql)) {
        bindRules(statement);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          return rows.getLong(1);
        }
      }
    }
  }

  private static boolean hasTable(Connection c, String table) throws SQLException {
    try (ResultSet tables = c.getMetaData().getTables(null, null, table, null)) {
      return tables.next();
    }
  }

  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  private static int bind(PreparedStatement statement, int from, List<String> values) throws SQLException {
    int i = from;
    for (String value : values) {
      statement.setString(i++, value);
    }
    return i;
  }
}
