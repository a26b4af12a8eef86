package io.pipelit.pipelitd.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP load: {@code connections} keep-alive connections, each with one request in flight
 * (as Pipelit's Python clients do), for a warm-up then a measured window. Runs on ONE Vert.x event loop
 * of the bench JVM: a single loop drives well over 50k small requests/s, and leaves the other core to the
 * server under test (the machine has 2; see docs/benchmarks.md).
 */
final class HttpLoad implements AutoCloseable {
  /** What one measured window gave; latencies in milliseconds. */
  record Result(long ok, long errors, double seconds, double p50Ms, double p99Ms) {
    double okPerSecond() {
      return ok / seconds;
    }

    double errorRate() {
      return ok + errors == 0 ? 0 : (double) errors / (ok + errors);
    }
  }

  /** One kind of request; {@code body} null for none; a reply with {@code expectedStatus} counts as ok. */
  record Target(HttpMethod method, String path, String bearerKey, String body, int expectedStatus) {}

  private final Vertx vertx;

  HttpLoad() {
    this.vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
  }

  Result run(int port, Target target, int connections, long warmupMs, long measureMs) throws Exception {
    HttpClientAgent client = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true)
            .setConnectTimeout(10_000).setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    Window window = new Window(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMs), measureMs);
    Buffer body = target.body() == null ? null : Buffer.buffer(target.body());
    Promise<Void> allDone = Promise.promise();
    vertx.runOnContext(start -> {
      int[] running = {connections};
      for (int i = 0; i < connections; i++) {
        loop(client, target, body, window, () -> {
          if (--running[0] == 0) {
            allDone.complete();
          }
        });
      }
    });
    allDone.future().await(warmupMs + measureMs + 120_000, TimeUnit.MILLISECONDS);
    client.close().await(30, TimeUnit.SECONDS);
    return window.result();
  }

  private void loop(HttpClientAgent client, Target target, Buffer body, Window window, Runnable finished) {
    long started = System.nanoTime();
    if (started >= window.endNanos) {
      finished.run();
      return;
    }
    Future<Integer> status = client.request(target.method(), target.path()).compose(request -> {
      if (target.bearerKey() != null) {
        request.putHeader("Authorization", "Bearer " + target.bearerKey());
      }
      if (body != null) {
        request.putHeader("Content-Type", "application/json");
        return request.send(body);
      }
      return request.send();
    }).compose(response -> response.body().map(ignored -> response.statusCode()));
    status.onComplete(outcome -> {
      long ended = System.nanoTime();
      window.record(started, ended, outcome.succeeded() && outcome.result() == target.expectedStatus());
      loop(client, target, body, window, finished);
    });
  }

  /**
   * Counts the requests answered inside the measured window, whenever they started (a request stuck in a
   * busy wait still counts when it ends); touched only on the load's one event loop.
   */
  private static final class Window {
    final long startNanos;
    final long endNanos;
    long ok;
    long errors;
    long[] latencies = new long[1 << 16];
    int count;

    Window(long startNanos, long measureMs) {
      this.startNanos = startNanos;
      this.endNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(measureMs);
    }

    void record(long started, long ended, boolean success) {
      if (ended < startNanos || ended > endNanos) {
        return;
      }
      if (success) {
        ok++;
      } else {
        errors++;
      }
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = ended - started;
    }

    Result result() {
      long[] sorted = Arrays.copyOf(latencies, count);
      Arrays.sort(sorted);
      double seconds = (endNanos - startNanos) / 1e9;
      return new Result(ok, errors, seconds, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    private static double percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
