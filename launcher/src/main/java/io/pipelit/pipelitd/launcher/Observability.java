package io.pipelit.pipelitd.launcher;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * The daemon's Vert.x instance with metrics: one Prometheus registry, added to Micrometer's global
 * registry (where the write path records its meters) and handed to Vert.x (HTTP server, event bus,
 * pools, JVM). {@code GET /metrics} scrapes it.
 */
final class Observability {
  private Observability() {}

  /** A Vert.x instance whose metrics go to a Prometheus registry installed for this process. */
  static Vertx vertxWithMetrics() {
    return builder(new VertxOptions()).build();
  }

  /** The same, as a member of a cluster (Hazelcast); completes once the node has joined. */
  static Future<Vertx> clusteredVertxWithMetrics(ClusterManager clusterManager, EventBusOptions eventBus) {
    return builder(new VertxOptions().setEventBusOptions(eventBus)).withClusterManager(clusterManager)
        .buildClustered();
  }

  private static VertxBuilder builder(VertxOptions options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.addRegistry(registry);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // One series for all change-event addresses (one per workflow slug otherwise: unbounded).
        .addLabelMatch(new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel(Label.EB_ADDRESS.toString())
            .setType(MatchType.REGEX).setValue("pipelit\\.events\\..*").setAlias("pipelit.events.*"));
    return Vertx.builder()
        .with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }
}
