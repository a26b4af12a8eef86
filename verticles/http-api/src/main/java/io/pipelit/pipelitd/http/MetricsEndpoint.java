package io.pipelit.pipelitd.http;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /metrics}: the Prometheus text of the registry the launcher installed in Micrometer's
 * global registry (Vert.x HTTP and event-bus meters, JVM meters, the write path's meters). Without one
 * (metrics off, or a test), the answer is 503 with a detail.
 */
final class MetricsEndpoint {
  /** Prometheus text exposition format, version 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsEndpoint() {}

  static Optional<PrometheusMeterRegistry> registry() {
    return Metrics.globalRegistry.getRegistries().stream()
        .filter(PrometheusMeterRegistry.class::isInstance).map(PrometheusMeterRegistry.class::cast).findFirst();
  }

  /** Answers with the scrape; the caller has checked access. */
  static void scrape(RoutingContext ctx) {
    Optional<PrometheusMeterRegistry> registry = registry();
    if (registry.isEmpty()) {
      ctx.fail(new ApiError(503, "Metrics are not enabled in this process."));
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(registry.get().scrape());
  }
}
