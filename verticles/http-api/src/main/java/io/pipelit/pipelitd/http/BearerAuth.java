package io.pipelit.pipelitd.http;

import io.pipelit.pipelitd.contracts.AuthCache;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreDelivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * Turns {@code Authorization: Bearer <key>} into an {@link Identity}: from the store's {@link AuthCache} in
 * this process when it holds a fresh success for the key, else by asking the store
 * ({@link StoreAddresses#AUTHENTICATE}), which looks it up, fills the cache and keeps
 * {@code last_used_at}. The key itself is never logged nor kept (the cache holds its digest).
 */
final class BearerAuth {
  static final String NOT_AUTHENTICATED = "Not authenticated";

  private final Vertx vertx;
  private final EventBus eventBus;
  private final long timeoutMs;

  BearerAuth(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.timeoutMs = timeoutMs;
  }

  /**
   * The caller's identity. Fails with {@link ApiError} 401 when the header is missing or not a bearer
   * key, and with the store's {@code ReplyException} (UNAUTHENTICATED, timeouts...) otherwise.
   */
  Future<Identity> authenticate(HttpServerRequest request) {
    String key = bearerKey(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (key == null) {
      return Future.failedFuture(new ApiError(401, NOT_AUTHENTICATED));
    }
    AuthCache cache = AuthCache.of(vertx); // looked up each time: the store may start or stop after us
    AuthCache.Found found = cache == null ? null : cache.fresh(AuthCache.digest(key), Instant.now());
    if (found != null) {
      return Future.succeededFuture(new Identity(found.userId(), found.role()));
    }
    return eventBus
        .<JsonObject>request(StoreAddresses.AUTHENTICATE, new JsonObject().put("key", key),
            StoreDelivery.local(timeoutMs))
        .map(reply -> toIdentity(reply.body()));
  }

  /**
   * The key of a bearer header, or null when the header is absent, uses another scheme or has no key.
   * Like FastAPI's {@code HTTPBearer}, the scheme is matched case-insensitively.
   */
  static String bearerKey(String header) {
    if (header == null) {
      return null;
    }
    String trimmed = header.trim();
    int space = trimmed.indexOf(' ');
    if (space < 0 || !trimmed.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      return null;
    }
    String key = trimmed.substring(space + 1).trim();
    return key.isEmpty() ? null : key;
  }

  static Identity toIdentity(JsonObject reply) {
    Object userId = reply == null ? null : reply.getValue("user_id");
    Object role = reply == null ? null : reply.getValue("role");
    if (!(userId instanceof Number id) || !(role instanceof String roleName)) {
      // A store bug, not a client mistake: surfaces as 500 and is logged by the failure handler.
      throw new IllegalStateException("AUTHENTICATE reply lacks a numeric user_id or a string role");
    }
    return new Identity(id.longValue(), roleName);
  }
}
