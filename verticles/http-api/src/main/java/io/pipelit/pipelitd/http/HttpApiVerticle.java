package io.pipelit.pipelitd.http;

import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.contracts.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipelit's REST API ({@code /api/v1/...} and {@code GET /health}) over the {@code pipelit.store.*}
 * event-bus service. It holds no SQL: it authenticates the bearer key, maps path, query and body to a
 * store request ({@link StoreAddresses}), forwards it with the caller's {@link Identity} and turns the
 * reply, or the failure's {@link io.pipelit.pipelitd.contracts.ErrorCode}, into the HTTP answer.
 *
 * <p>Configuration: {@link HttpConfig} ({@code PIPELITD_HTTP_HOST}, {@code PIPELITD_HTTP_PORT},
 * {@code PIPELITD_HTTP_MAX_BODY_BYTES}) and {@link #VERSION_CONFIG_KEY} for the version reported by
 * {@code /health}.
 */
public final class HttpApiVerticle extends VerticleBase {
  /** Config key of the version string {@code GET /health} reports. */
  public static final String VERSION_CONFIG_KEY = "pipelitd.version";
  public static final String DEFAULT_VERSION = "dev";

  /** Every store request gets an answer within this time, or the client gets 503. */
  public static final long DEFAULT_STORE_TIMEOUT_MS = 30_000;
  /** {@code /health} reports "degraded" when the store takes longer than this. */
  public static final long DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

  static final String API_PREFIX = "/api/v1";
  private static final String APPLICATION_JSON = "application/json";
  private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);

  private final long storeTimeoutMs;
  private final long healthTimeoutMs;

  private EventBus eventBus;
  private BearerAuth auth;
  private HttpConfig httpConfig;
  private String version;
  private volatile int actualPort = -1;
  private HttpServer server;
  /** Set when the verticle stops: requests that still arrive get 503 while in-flight ones finish. */
  private volatile boolean draining;

  /** A verticle with the default timeouts (store 30 s, health 2 s). */
  public HttpApiVerticle() {
    this(DEFAULT_STORE_TIMEOUT_MS, DEFAULT_HEALTH_TIMEOUT_MS);
  }

  /**
   * A verticle with explicit event-bus timeouts (tests use short ones).
   *
   * @param storeTimeoutMs  how long a store request may take before the client gets 503
   * @param healthTimeoutMs how long {@code /health} waits for the store before reporting "degraded"
   */
  public HttpApiVerticle(long storeTimeoutMs, long healthTimeoutMs) {
    if (storeTimeoutMs <= 0 || healthTimeoutMs <= 0) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    this.storeTimeoutMs = storeTimeoutMs;
    this.healthTimeoutMs = healthTimeoutMs;
  }

  /** The port the server listens on once {@link #start()} has completed, -1 before. */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    httpConfig = HttpConfig.from(config());
    version = ConfigValues.string(config(), VERSION_CONFIG_KEY, DEFAULT_VERSION);
    eventBus = vertx.eventBus();
    auth = new BearerAuth(eventBus, storeTimeoutMs);

    return vertx.createHttpServer()
        .requestHandler(router())
        .listen(httpConfig.port(), httpConfig.host())
        .onSuccess(listening -> {
          server = listening;
          actualPort = listening.actualPort();
          LOG.info("HTTP API listening on http://{}:{}", hostForUrl(httpConfig.host()), actualPort);
        });
  }

  private Router router() {
    Router router = Router.router(vertx);
    // While stopping: answer at once, before reading a body or asking the store anything.
    router.route().handler(ctx -> {
      if (draining) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ctx.fail(new ApiError(503, "pipelitd is shutting down; retry on another instance or shortly."));
      } else {
        ctx.next();
      }
    });
    // First, for every request: the body must be read before any asynchronous step (authentication).
    // No uploads and no form merging: this API speaks JSON only.
    router.route().handler(BodyHandler.create(false)
        .setBodyLimit(httpConfig.maxBodyBytes())
        .setMergeFormAttributes(false));

    router.get("/health").handler(this::health);
    for (ApiRoute route : ApiRoutes.ALL) {
      router.route(route.method(), route.routerPath()).handler(ctx -> forward(ctx, route));
    }

    // One failure path for everything: handler failures, body limit, and requests no route matched.
    router.route().failureHandler(this::fail);
    router.errorHandler(404, this::fail);
    router.errorHandler(405, this::fail);
    return router;
  }

  /**
   * Graceful stop: new requests get 503, requests in flight get their answers (each store request is
   * itself bounded by the store timeout), then connections close, all within the drain timeout
   * ({@code PIPELITD_HTTP_DRAIN_TIMEOUT_MS}).
   */
  @Override
  public Future<?> stop() {
    draining = true;
    return server == null ? Future.succeededFuture() : server.shutdown(httpConfig.drainTimeoutMs(), TimeUnit.MILLISECONDS);
  }

  private void forward(RoutingContext ctx, ApiRoute route) {
    auth.authenticate(ctx.request())
        .compose(identity -> send(route.address(), route.buildRequest(ctx), identity))
        .onSuccess(reply -> respond(ctx, route, reply.body()))
        .onFailure(ctx::fail);
  }

  private Future<Message<Object>> send(String address, JsonObject request, Identity identity) {
    DeliveryOptions options = identity.toDeliveryOptions().setSendTimeout(storeTimeoutMs);
    return eventBus.request(address, request, options);
  }

  private static void respond(RoutingContext ctx, ApiRoute route, Object body) {
    HttpServerResponse response = ctx.response().setStatusCode(route.successStatus());
    if (!route.hasResponseBody()) {
      response.end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(Json.encodeToBuffer(body));
  }

  /** Always 200, like Pipelit: load balancers read "status", not the HTTP code. */
  private void health(RoutingContext ctx) {
    eventBus.<JsonObject>request(StoreAddresses.HEALTH, new JsonObject(),
            new DeliveryOptions().setSendTimeout(healthTimeoutMs))
        .map(reply -> healthBody(reply.body()))
        .otherwise(err -> {
          LOG.debug("Health check: store did not answer: {}", err.getMessage());
          return healthBody(null);
        })
        .onSuccess(body -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
            .end(body.toBuffer()));
  }

  private JsonObject healthBody(JsonObject storeReply) {
    boolean database = storeReply != null && Boolean.TRUE.equals(storeReply.getValue("database"));
    Object queue = storeReply == null ? null : storeReply.getValue("write_queue");
    return new JsonObject()
        .put("status", database ? "ok" : "degraded")
        .put("version", version)
        .put("database", database)
        // -1: unknown, the store did not say.
        .put("write_queue", queue instanceof Number n ? n.intValue() : -1);
  }

  private void fail(RoutingContext ctx) {
    ErrorResponse error = ErrorResponse.of(ctx.statusCode(), ctx.failure(), httpConfig.maxBodyBytes());
    log(ctx, error);

    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      // Too late for an error status: cut the connection so the client sees a truncated answer.
      response.reset();
      return;
    }
    response.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    error.headers().forEach(response::putHeader);
    if (error.status() == 413 && ctx.request().version() != HttpVersion.HTTP_2 && !ctx.request().isEnded()) {
      // The rest of the oversized body is never read. Vert.x would keep the connection open waiting for
      // it (the header alone does not close it; a test covers this), so close it once the answer is out.
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      response.end(error.body().toBuffer()).onComplete(done -> ctx.request().connection().close());
      return;
    }
    response.end(error.body().toBuffer());
  }

  /** Logs what the server must know, never the request body nor the Authorization header. */
  private static void log(RoutingContext ctx, ErrorResponse error) {
    Throwable failure = ctx.failure();
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    switch (error.logLevel()) {
      case WARN:
        LOG.warn("{} {} -> {}: {}", method, path, error.status(), failure == null ? "" : failure.getMessage());
        break;
      case ERROR:
        if (failure instanceof ReplyException) {
          // The store reported INTERNAL: its message says what went wrong, its stack is on its side.
          LOG.error("{} {} -> {}: store failure: {}", method, path, error.status(), failure.getMessage());
        } else {
          LOG.error("{} {} -> {}: unexpected failure", method, path, error.status(), failure);
        }
        break;
      default:
        break;
    }
  }

  private static String hostForUrl(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
