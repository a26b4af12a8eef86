package io.pipelit.pipelitd.backup.impl;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The last backup, in Micrometer's global registry (Prometheus names):
 * <ul>
 *   <li>{@code pipelitd_backup_last_timestamp_seconds}: when the last backup finished (Unix seconds; 0: none yet);</li>
 *   <li>{@code pipelitd_backup_last_duration_seconds}: how long it took;</li>
 *   <li>{@code pipelitd_backup_last_success}: 1 when it was verified, 0 when it failed, -1 when none yet.</li>
 * </ul>
 */
public final class BackupMetrics {
  private final List<Meter> meters;

  public BackupMetrics(Supplier<JsonObject> last) {
    MeterRegistry registry = Metrics.globalRegistry;
    meters = List.of(
        Gauge.builder("pipelitd.backup.last.timestamp", () -> {
          JsonObject summary = last.get();
          return summary == null || summary.getString("finished_at") == null ? 0
              : Instant.parse(summary.getString("finished_at")).toEpochMilli() / 1000.0;
        }).description("When the last backup finished").baseUnit("seconds").register(registry),
        Gauge.builder("pipelitd.backup.last.duration", () -> {
          JsonObject summary = last.get();
          return summary == null ? 0 : summary.getLong("duration_ms", 0L) / 1000.0;
        }).description("Duration of the last backup").baseUnit("seconds").register(registry),
        Gauge.builder("pipelitd.backup.last.success", () -> {
          JsonObject summary = last.get();
          return summary == null ? -1 : "verified".equals(summary.getString("status")) ? 1 : 0;
        }).description("1: the last backup was verified, 0: it failed, -1: none yet").register(registry));
  }

  /** Removes the meters (a redeployed verticle registers its own). */
  public void close() {
    meters.forEach(Metrics.globalRegistry::remove);
  }
}
