package io.pipelit.pipelitd.http;

import io.pipelit.pipelitd.contracts.ApiKeyDigest;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreDelivery;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Turns {@code Authorization: Bearer <key>} into an {@link Identity} by asking the store
 * ({@link StoreAddresses#AUTHENTICATE}), or from an earlier answer for the same key while the store said it
 * may be reused ({@link KeyAnswers}): a recently seen key then costs no round trip. The key itself is never
 * logged nor kept (answers are kept by its digest).
 */
final class BearerAuth {
  static final String NOT_AUTHENTICATED = "Not authenticated";

  private final EventBus eventBus;
  private final long timeoutMs;
  private final KeyAnswers answers;

  /** @param answers reused answers, cleared by the verticle on {@link StoreAddresses#AUTH_INVALIDATED} */
  BearerAuth(EventBus eventBus, long timeoutMs, KeyAnswers answers) {
    this.eventBus = eventBus;
    this.timeoutMs = timeoutMs;
    this.answers = answers;
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
    String digest = ApiKeyDigest.of(key);
    Identity reused = answers.get(digest);
    if (reused != null) {
      return Future.succeededFuture(reused);
    }
    return eventBus
        .<JsonObject>request(StoreAddresses.AUTHENTICATE, new JsonObject().put("key", key),
            StoreDelivery.local(timeoutMs))
        .map(reply -> {
          Identity identity = toIdentity(reply.body());
          answers.put(digest, identity, reply.body().getLong("reuse_ms", 0L));
          return identity;
        });
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
