package io.pipelit.pipelitd.bridge.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.function.Supplier;

/**
 * The bridge's meters in Micrometer's global registry (Prometheus when the launcher adds it):
 * {@code pipelitd_bridge_connections} (open now), {@code pipelitd_bridge_requests_total} (frames that
 * reached authentication), {@code pipelitd_bridge_refusals_total{reason}} (err frames for refused frames,
 * by code) and {@code pipelitd_bridge_events_dropped_total} (events not written to a follower whose socket
 * could not keep up).
 */
public final class BridgeMetrics {
  private final MeterRegistry registry = Metrics.globalRegistry;
  private final Counter requests;
  private final Counter dropped;

  public BridgeMetrics(Supplier<Number> openConnections) {
    Gauge.builder("pipelitd.bridge.connections", openConnections).description("Open bridge connections")
        .strongReference(true).register(registry);
    requests = Counter.builder("pipelitd.bridge.requests").description("Bridge frames that reached authentication")
        .register(registry);
    dropped = Counter.builder("pipelitd.bridge.events.dropped")
        .description("Events not delivered to a bridge follower that could not keep up").register(registry);
  }

  void request() {
    requests.increment();
  }

  void eventDropped() {
    dropped.increment();
  }

  void refused(String reason) {
    Counter.builder("pipelitd.bridge.refusals").description("Refused bridge frames").tag("reason", reason)
        .register(registry).increment();
  }
}
