package io.pipelit.pipelitd.http;

import io.pipelit.pipelitd.contracts.Authenticator;
import io.pipelit.pipelitd.contracts.BackupAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreDelivery;
import io.pipelit.pipelitd.contracts.StoreHeaders;
import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
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
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.ThreadLocalRandom;
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
  public static final String VERSION_CONFIG_KEY = ConfigKeys.VERSION;
  public static final String DEFAULT_VERSION = "dev";

  /** Every store request gets an answer within this time, or the client gets 503. */
  public static final long DEFAULT_STORE_TIMEOUT_MS = 30_000;

  /** {@code /health} reports "degraded" when the store takes longer than this. */
  public static final long DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

  static final String API_PREFIX = "/api/v1";
  /** After a 413, how long the client may go on sending the body it started before we close, in ms. */
  static final long OVERSIZED_DRAIN_MS = 2_000;
  /** Response (and optional request) header carrying the request id. */
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final java.util.regex.Pattern REQUEST_ID_SHAPE = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String APPLICATION_JSON = "application/json";
  private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);
  /** Routing-context key: the identity already authenticated before the body was read. */
  private static final String IDENTITY = "pipelitd.identity";
  /** Routing-context key: set while a request's body is paused and unread (checkpoint routes). */
  private static final String BODY_UNREAD = "pipelitd.bodyUnread";

  static {
    // Fallback for embedders that do not start through the launcher's Main: raises the JSON string limit
    // for checkpoints' base64 (see RequestPart.MAX_JSON_STRING_LENGTH). It only helps if it runs before
    // Vert.x's JSON codec (io.vertx.core.json.jackson.JacksonCodec) is first used; HTTP bodies do not
    // depend on it, RequestPart parses them with its own factory.
    if (System.getProperty("vertx.jackson.defaultReadMaxStringLength") == null) {
      System.setProperty("vertx.jackson.defaultReadMaxStringLength",
          Integer.toString(RequestPart.MAX_JSON_STRING_LENGTH));
    }
    com.fasterxml.jackson.core.StreamReadConstraints.overrideDefaultStreamReadConstraints(
        com.fasterxml.jackson.core.StreamReadConstraints.builder()
            .maxStringLength(RequestPart.MAX_JSON_STRING_LENGTH).build());
  }

  private final long storeTimeoutMs;
  private final long healthTimeoutMs;

  private EventBus eventBus;
  private BearerAuth auth;
  private HttpConfig httpConfig;
  private String version;
  private volatile int actualPort = -1;
  private HttpServer server;
  private HttpServer metricsServer;
  private volatile int metricsPort = -1;
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
    Authenticator authenticator = new Authenticator(eventBus, storeTimeoutMs);
    auth = new BearerAuth(authenticator);

    return authenticator.listen()
        .compose(invalidationsHeard -> vertx.createHttpServer(serverOptions()).requestHandler(router())
            .listen(httpConfig.port(), httpConfig.host()))
        .onSuccess(listening -> {
          server = listening;
          actualPort = listening.actualPort();
          LOG.info("HTTP API listening on http://{}:{}", hostForUrl(httpConfig.host()), actualPort);
        })
        .compose(api -> startMetricsListener());
  }

  /**
   * No WebSocket compression: the API serves no WebSocket, and with it on Vert.x puts its WebSocket
   * extension handler in every connection's pipeline, where it inspects every request and response: 7-13 %
   * of the event loops' samples in a JFR profile of B2 (docs/benchmarks.md).
   */
  private static HttpServerOptions serverOptions() {
    return new HttpServerOptions()
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
  }

  /** The optional unauthenticated listener serving only {@code GET /metrics} (PIPELITD_METRICS_PORT). */
  private Future<?> startMetricsListener() {
    if (httpConfig.metricsPort() < 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get("/metrics").handler(MetricsEndpoint::scrape);
    router.route().failureHandler(this::fail);
    router.errorHandler(404, this::fail);
    return vertx.createHttpServer(serverOptions()).requestHandler(router)
        .listen(httpConfig.metricsPort(), httpConfig.metricsHost())
        .onSuccess(listening -> {
          metricsServer = listening;
          metricsPort = listening.actualPort();
          LOG.info("Metrics listening on http://{}:{}/metrics", hostForUrl(httpConfig.metricsHost()), metricsPort);
        });
  }

  /** The port of the metrics listener once started, -1 when there is none. */
  public int metricsPort() {
    return metricsPort;
  }

  private Router router() {
    Router router = Router.router(vertx);
    // A request id on every answer and every log line about the request; a caller's own X-Request-Id
    // is kept when it is a plain token, so that a client's logs and ours can be matched.
    router.route().handler(ctx -> {
      String given = ctx.request().getHeader(REQUEST_ID_HEADER);
      String id = given != null && REQUEST_ID_SHAPE.matcher(given).matches() ? given
          : Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
      ctx.put(REQUEST_ID_HEADER, id);
      ctx.response().putHeader(REQUEST_ID_HEADER, id);
      ctx.next();
    });
    // While stopping: answer at once, before reading a body or asking the store anything.
    router.route().handler(ctx -> {
      if (draining) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ctx.fail(new ApiError(503, "pipelitd is shutting down; retry on another instance or shortly."));
      } else {
        ctx.next();
      }
    });
    // Checkpoint routes carry base64 blobs up to CHECKPOINTS_MAX_BYTES (default 64 MiB, plus a third
    // for base64): their body limit follows that setting when it is the larger one. Vert.x runs only
    // the first BodyHandler a request meets, so this one takes precedence for these paths.
    // ... but only after the caller is known to be an admin: this limit (~86 MiB by default) must not
    // be offered to anyone without a key. The request stays paused (nothing read) while the key is
    // checked; a refused caller gets 401/403 and the connection closes without the body being kept.
    router.route(API_PREFIX + "/checkpoints/*").handler(this::adminBeforeBody);
    router.route(API_PREFIX + "/checkpoints/*").handler(BodyHandler.create(false)
        .setBodyLimit(checkpointBodyLimit())
        .setMergeFormAttributes(false));
    // First, for every request: the body must be read before any asynchronous step (authentication).
    // No uploads and no form merging: this API speaks JSON only.
    router.route().handler(BodyHandler.create(false)
        .setBodyLimit(httpConfig.maxBodyBytes())
        .setMergeFormAttributes(false));

    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    // Prometheus scrape on the API: admin keys only (it tells how busy and how big the store is).
    router.get("/metrics").handler(ctx -> auth.authenticate(ctx.request())
        .onSuccess(identity -> {
          if (identity.isAdmin()) {
            MetricsEndpoint.scrape(ctx);
          } else {
            ctx.fail(new ApiError(403, "Admin access required."));
          }
        })
        .onFailure(ctx::fail));
    for (ApiRoute route : ApiRoutes.ALL) {
      router.route(route.method(), route.routerPath()).handler(ctx -> forward(ctx, route));
    }
    for (ApiRoute route : ApiRoutes.ACCOUNTS) {
      router.route(route.method(), route.routerPath()).handler(ctx -> forward(ctx, route));
    }
    for (ApiRoute route : ApiRoutes.PUBLIC) {
      router.route(route.method(), route.routerPath()).handler(ctx -> forwardWithoutKey(ctx, route));
    }

    // One failure path for everything: handler failures, body limit, and requests no route matched.
    router.route().failureHandler(this::fail);
    router.errorHandler(404, this::fail);
    router.errorHandler(405, this::fail);
    return router;
  }

  /**
   * The body limit of the checkpoint routes, in bytes: the general limit, or the base64 size of the
   * largest checkpoint accepted plus 1 MiB for the JSON around it, whichever is larger.
   */
  private long checkpointBodyLimit() {
    long checkpointBytes = CheckpointConfig.from(config()).maxBytes();
    return Math.max(httpConfig.maxBodyBytes(), (checkpointBytes + 2) / 3 * 4 + 1024 * 1024);
  }

  /**
   * Graceful stop: new requests get 503, requests in flight get their answers (each store request is
   * itself bounded by the store timeout), then connections close, all within the drain timeout
   * ({@code PIPELITD_HTTP_DRAIN_TIMEOUT_MS}).
   */
  @Override
  public Future<?> stop() {
    draining = true;
    Future<Void> metrics = metricsServer == null ? Future.succeededFuture() : metricsServer.close();
    Future<Void> api = server == null ? Future.succeededFuture()
        : server.shutdown(httpConfig.drainTimeoutMs(), TimeUnit.MILLISECONDS);
    return Future.all(metrics, api);
  }

  /**
   * Checkpoint routes: pauses the request, authenticates the bearer key and requires the admin role,
   * then hands over to the BodyHandler (which resumes reading). Refusals fail the context with the
   * body still unread ({@link #BODY_UNREAD}), so that {@link #fail} closes the connection.
   */
  private void adminBeforeBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded()) {
      request.pause();
      ctx.put(BODY_UNREAD, Boolean.TRUE);
    }
    auth.authenticate(request).onComplete(authenticated -> {
      if (authenticated.failed()) {
        ctx.fail(authenticated.cause());
      } else if (!authenticated.result().isAdmin()) {
        ctx.fail(new ApiError(403, "Admin access required."));
      } else {
        ctx.put(IDENTITY, authenticated.result());
        ctx.remove(BODY_UNREAD);
        ctx.next();
      }
    });
  }

  private void forward(RoutingContext ctx, ApiRoute route) {
    Identity known = ctx.get(IDENTITY);
    (known != null ? Future.succeededFuture(known) : auth.authenticate(ctx.request()))
        .compose(identity -> send(route, route.buildRequest(ctx), identity, ctx.get(REQUEST_ID_HEADER)))
        .onSuccess(reply -> respond(ctx, route, reply.body()))
        .onFailure(ctx::fail);
  }

  /** A route that needs no bearer key (login): forwarded without identity headers. */
  private void forwardWithoutKey(RoutingContext ctx, ApiRoute route) {
    JsonObject request;
    try {
      request = route.buildRequest(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    String requestId = ctx.get(REQUEST_ID_HEADER);
    DeliveryOptions options = StoreDelivery.local(storeTimeoutMs);
    if (requestId != null) {
      options.addHeader(StoreHeaders.REQUEST_ID, requestId);
    }
    eventBus.request(route.address(), request, options)
        .onSuccess(reply -> respond(ctx, route, reply.body()))
        .onFailure(ctx::fail);
  }

  private Future<Message<Object>> send(ApiRoute route, JsonObject request, Identity identity, String requestId) {
    DeliveryOptions options = StoreDelivery.local(identity, route.timeoutMs(storeTimeoutMs))
        .addHeader(StoreHeaders.REQUEST_ID, requestId);
    return eventBus.request(route.address(), request, options);
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
            StoreDelivery.local(healthTimeoutMs))
        .map(reply -> healthBody(reply.body()))
        .otherwise(err -> {
          LOG.debug("Health check: store did not answer: {}", err.getMessage());
          return healthBody(null);
        })
        .compose(body -> backupStatus().map(backup -> backup == null ? body : body.put("backups", backupCheck(backup))))
        .onSuccess(body -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
            .end(body.toBuffer()));
  }

  /**
   * Readiness, for load balancers and systemd-style checks: 200 when the database answers and its
   * writer runs, 503 otherwise (and while draining, through the draining handler), with the checks.
   */
  private void ready(RoutingContext ctx) {
    eventBus.<JsonObject>request(StoreAddresses.HEALTH, new JsonObject(),
            StoreDelivery.local(healthTimeoutMs))
        .map(Message::body)
        .otherwise(err -> null)
        .compose(store -> backupStatus().map(backup -> new JsonObject[] {store, backup}))
        .onSuccess(replies -> {
          JsonObject store = replies[0];
          JsonObject backup = replies[1];
          boolean database = store != null && Boolean.TRUE.equals(store.getValue("database"));
          boolean writer = store != null && Boolean.TRUE.equals(store.getValue("writer"));
          boolean ready = database && writer;
          JsonObject body = new JsonObject()
              .put("status", ready ? "ready" : "not_ready")
              .put("version", version)
              .put("checks", new JsonObject()
                  .put("store", store != null)
                  .put("database", database)
                  .put("writer", writer)
                  // Start-up refuses a database with pending migrations, so a running store means applied.
                  .put("migrations", store != null)
                  .put("schema_version", store == null ? null : store.getValue("schema_version"))
                  .put("last_backup", backup == null ? null : backup.getValue("last_backup"))
                  .put("backups", backup == null ? null : backupCheck(backup)));
          ctx.response().setStatusCode(ready ? 200 : 503)
              .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
              .end(body.toBuffer());
        });
  }

  /**
   * The backup scheduler's status, or null when it does not answer (not deployed): a failed backup or an
   * unwritable backup folder shows in /ready and /health but does not make the node unready.
   */
  private Future<JsonObject> backupStatus() {
    return eventBus.<JsonObject>request(BackupAddresses.STATUS, new JsonObject(),
            new DeliveryOptions().setSendTimeout(healthTimeoutMs))
        .map(Message::body)
        .otherwise(err -> null);
  }

  /** "ok", or the backup problem an operator must look at. */
  private static String backupCheck(JsonObject backup) {
    if (backup.getValue("problem") != null) {
      return backup.getString("problem");
    }
    JsonObject last = backup.getJsonObject("last_backup");
    if (last != null && "failed".equals(last.getString("status"))) {
      return "last backup failed: " + last.getString("error");
    }
    return "ok";
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
      // Answer at once, then let the client finish sending (the rest of the body is read and dropped)
      // and close the connection when it has, or after OVERSIZED_DRAIN_MS. Closing while the client is
      // still sending would reset the connection before it reads the 413. Vert.x does not close on the
      // Connection header alone (a test covers this).
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      response.end(error.body().toBuffer());
      HttpServerRequest request = ctx.request();
      long timer = vertx.setTimer(OVERSIZED_DRAIN_MS, t -> request.connection().close());
      request.endHandler(ended -> {
        vertx.cancelTimer(timer);
        request.connection().close();
      });
      return;
    }
    if (Boolean.TRUE.equals(ctx.get(BODY_UNREAD)) && !ctx.request().isEnded()) {
      // Refused before its body was read (checkpoint routes): answer, then drop whatever the client
      // still sends (read and discarded, never buffered) and close, as for 413 above.
      HttpServerRequest request = ctx.request();
      if (request.version() == HttpVersion.HTTP_2) {
        // One stream among others: answer and reset it (no Connection header in HTTP/2).
        response.end(error.body().toBuffer());
        response.reset();
        return;
      }
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      response.end(error.body().toBuffer());
      long timer = vertx.setTimer(OVERSIZED_DRAIN_MS, t -> request.connection().close());
      request.handler(discarded -> { });
      request.endHandler(ended -> {
        vertx.cancelTimer(timer);
        request.connection().close();
      });
      request.resume();
      return;
    }
    response.end(error.body().toBuffer());
  }

  /** Logs what the server must know, never the request body nor the Authorization header. */
  private static void log(RoutingContext ctx, ErrorResponse error) {
    Throwable failure = ctx.failure();
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    Object id = ctx.get(REQUEST_ID_HEADER);
    switch (error.logLevel()) {
      case WARN:
        LOG.warn("[req {}] {} {} -> {}: {}", id, method, path, error.status(),
            failure == null ? "" : failure.getMessage());
        break;
      case ERROR:
        if (failure instanceof ReplyException) {
          // The store reported INTERNAL: its message says what went wrong, its stack is on its side.
          LOG.error("[req {}] {} {} -> {}: store failure: {}", id, method, path, error.status(), failure.getMessage());
        } else {
          LOG.error("[req {}] {} {} -> {}: unexpected failure", id, method, path, error.status(), failure);
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
