package io.pipelit.pipelitd.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The write path's meters, in Micrometer's global registry (the launcher adds a Prometheus registry
 * to it; without one every meter is a no-op). Tagged with {@code database}: "main" or "checkpoints".
 *
 * <ul>
 *   <li>{@code pipelitd_write_queue_depth}: writes waiting for the writer (SQLite) or a connection;</li>
 *   <li>{@code pipelitd_write_batch_size}: writes per transaction (SQLite group commit);</li>
 *   <li>{@code pipelitd_commit_seconds}: time per transaction, BEGIN to COMMIT, as a histogram;</li>
 *   <li>{@code pipelitd_writes_total{outcome}}: committed, failed (the work's own error), lost (the
 *       batch or commit failed);</li>
 *   <li>{@code pipelitd_database_busy_total}: SQLITE_BUSY/LOCKED met by the writer (should stay 0: the
 *       single writer exists so that it does), or PostgreSQL serialization and deadlock retries;</li>
 *   <li>{@code pipelitd_database_size_bytes}: the SQLite file plus its WAL, or PostgreSQL's
 *       {@code pg_database_size}, refreshed every {@link #SIZE_REFRESH_MS} ms.</li>
 * </ul>
 */
final class StoreMetrics {
  /** How often PostgreSQL's database size is read (a query; a scrape must not wait for it), in ms. */
  static final long SIZE_REFRESH_MS = 30_000;

  private final Timer commit;
  private final DistributionSummary batchSize;
  private final Counter committed;
  private final Counter failed;
  private final Counter lost;
  private final Counter busy;

  StoreMetrics(String database, Supplier<Number> queueDepth, Path sqliteFile) {
    this(database, queueDepth, sqliteFile == null ? null
        : () -> size(sqliteFile) + size(Path.of(sqliteFile + "-wal")));
  }

  /**
   * @param databaseSize bytes on disk, read when scraped: it must not block (PostgreSQL's is a value
   *                     refreshed in the background); null for none
   */
  StoreMetrics(String database, Supplier<Number> queueDepth, Supplier<Number> databaseSize) {
    MeterRegistry registry = Metrics.globalRegistry;
    commit = Timer.builder("pipelitd.commit").description("Time per write transaction, BEGIN to COMMIT")
        .tag("database", database).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
    batchSize = DistributionSummary.builder("pipelitd.write.batch.size").description("Writes per transaction")
        .tag("database", database).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
        .register(registry);
    committed = outcome(registry, database, "committed");
    failed = outcome(registry, database, "failed");
    lost = outcome(registry, database, "lost");
    busy = Counter.builder("pipelitd.database.busy").description("Lock conflicts met by the writer, or retries")
        .tag("database", database).register(registry);
    Gauge.builder("pipelitd.write.queue.depth", queueDepth).description("Writes waiting")
        .tag("database", database).register(registry);
    if (databaseSize != null) {
      Gauge.builder("pipelitd.database.size", databaseSize)
          .description("Database size: SQLite file plus WAL, or pg_database_size").baseUnit("bytes")
          .tag("database", database).register(registry);
    }
  }

  private static Counter outcome(MeterRegistry registry, String database, String outcome) {
    return Counter.builder("pipelitd.writes").description("Writes by outcome")
        .tag("database", database).tag("outcome", outcome).register(registry);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException missing) {
      return 0;
    }
  }

  void batch(int writes, int failedWrites, long nanos) {
    commit.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    batchSize.record(writes);
    committed.increment(writes - failedWrites);
    failed.increment(failedWrites);
  }

  void lostBatch(int writes) {
    lost.increment(writes);
  }

  void busy() {
    busy.increment();
  }
}
