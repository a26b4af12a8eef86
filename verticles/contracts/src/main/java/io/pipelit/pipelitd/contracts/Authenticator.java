package io.pipelit.pipelitd.contracts;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * The front doors' side of {@link StoreAddresses#AUTHENTICATE} (the HTTP API and the bridge, which check
 * the key of every request): a key's identity from the store, or from an earlier answer for the same key
 * while the store said it may be reused ({@code reuse_ms}), so that a recently seen key costs no round
 * trip. Every kept answer is dropped when {@link StoreAddresses#AUTH_INVALIDATED} arrives. The key itself is
 * never kept: answers are kept by its digest ({@link ApiKeyDigest}).
 *
 * <p>One per verticle instance, used on its event loop only; call {@link #listen()} before serving.
 */
public final class Authenticator {
  private final EventBus eventBus;
  private final long timeoutMs;
  private final KeyAnswers answers;

  /** @param timeoutMs how long to wait for the store's answer, in ms */
  public Authenticator(EventBus eventBus, long timeoutMs) {
    this.eventBus = eventBus;
    this.timeoutMs = timeoutMs;
    this.answers = new KeyAnswers();
  }

  /**
   * Registers, on the caller's context, the consumer that drops the kept answers on AUTH_INVALIDATED.
   * Complete it before the first request: an answer must never outlive the change that made it stale.
   */
  public Future<Void> listen() {
    return eventBus.consumer(StoreAddresses.AUTH_INVALIDATED, invalidated -> answers.clear()).completion();
  }

  /** The identity of {@code key}; fails with the store's {@code ReplyException} (UNAUTHENTICATED, timeouts...). */
  public Future<Identity> identify(String key) {
    String digest = ApiKeyDigest.of(key);
    Identity reused = answers.get(digest);
    if (reused != null) {
      return Future.succeededFuture(reused);
    }
    return eventBus
        .<JsonObject>request(StoreAddresses.AUTHENTICATE, new JsonObject().put("key", key),
            StoreDelivery.local(timeoutMs))
        .map(reply -> {
          Identity identity = identityOf(reply.body());
          answers.put(digest, identity, reply.body().getLong("reuse_ms", 0L));
          return identity;
        });
  }

  static Identity identityOf(JsonObject reply) {
    Object userId = reply == null ? null : reply.getValue("user_id");
    Object role = reply == null ? null : reply.getValue("role");
    if (!(userId instanceof Number id) || !(role instanceof String roleName)) {
      // A store bug, not a client mistake: the front door answers it as an internal error and logs it.
      throw new IllegalStateException("AUTHENTICATE reply lacks a numeric user_id or a string role");
    }
    return new Identity(id.longValue(), roleName);
  }
}
