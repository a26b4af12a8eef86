package io.pipelit.pipelitd.bridge.impl;

import io.pipelit.pipelitd.contracts.ClientAddresses;
import io.pipelit.pipelitd.contracts.Authenticator;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreDelivery;
import io.pipelit.pipelitd.contracts.StoreHeaders;
import io.pipelit.pipelitd.contracts.config.BridgeConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the bridge. Every frame but {@code ping} must carry
 * {@code "headers": {"Authorization": "Bearer <key>"}}; the key is checked for each frame, exactly like an
 * HTTP request ({@link Authenticator}: the store's {@link StoreAddresses#AUTHENTICATE}, whose answer is
 * reused for as long as the store says), and the request is
 * forwarded with the resulting identity in the {@link StoreHeaders} — whatever headers the client sent
 * are not forwarded, so a client cannot claim another identity. Refused frames (bad key, forbidden
 * address, malformed frame) get an {@code err} frame; after {@code maxRefusals} of them the connection
 * is closed. All of it runs on the connection's event loop.
 */
public final class BridgeConnection {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);

  /** How long a request may wait for the store's answer before it fails with UNAVAILABLE, in ms. */
  public static final long STORE_TIMEOUT_MS = 30_000;

  private final long id;
  private final NetSocket socket;
  private final EventBus eventBus;
  private final Authenticator authenticator;
  private final BridgeConfig config;
  private final BridgeMetrics metrics;
  private final Map<String, MessageConsumer<Object>> followed = new HashMap<>();
  private final FrameDecoder decoder;
  private int refusals;
  private int inFlight;
  private long requests;
  private boolean paused;
  private boolean closed;
  private boolean draining;
  private Promise<Void> drained;

  /** @param authenticator the bridge verticle's, shared by its connections (all on its event loop) */
  public BridgeConnection(long id, NetSocket socket, EventBus eventBus, Authenticator authenticator,
      BridgeConfig config, BridgeMetrics metrics) {
    this.id = id;
    this.socket = socket;
    this.eventBus = eventBus;
    this.authenticator = authenticator;
    this.config = config;
    this.metrics = metrics;
    this.decoder = new FrameDecoder(config.maxFrameBytes(), new FrameDecoder.Listener() {
      @Override
      public void frame(Buffer payload) {
        onFrame(payload);
      }

      @Override
      public void oversized(long announcedLength) {
        refuseAndClose(Frames.FRAME_TOO_LARGE, "a frame of " + announcedLength + " bytes is over the limit of "
            + config.maxFrameBytes() + " bytes (PIPELITD_BRIDGE_MAX_FRAME_BYTES)", ErrorCode.PAYLOAD_TOO_LARGE);
      }
    });
  }

  /** Starts reading; {@code onClose} runs once when the socket is closed, whoever closed it. */
  public void start(Runnable onClose) {
    socket.handler(decoder);
    socket.exceptionHandler(failure -> {
      LOG.debug("bridge connection {}: {}", id, failure.toString());
      socket.close();
    });
    socket.closeHandler(ignored -> {
      closed = true;
      followed.values().forEach(MessageConsumer::unregister);
      followed.clear();
      completeDrainIfIdle();
      onClose.run();
    });
  }

  /**
   * Stops taking requests (new ones get {@code shutting_down}); completes when every request in flight has
   * been answered.
   */
  public Future<Void> drain() {
    draining = true;
    drained = Promise.promise();
    completeDrainIfIdle();
    return drained.future();
  }

  public void close() {
    socket.close();
  }

  private void onFrame(Buffer payload) {
    if (closed) {
      return;
    }
    JsonObject frame;
    try {
      Object decoded = Json.decodeValue(payload);
      if (!(decoded instanceof JsonObject object)) {
        refuse(Frames.INVALID_FRAME, "a frame must be a JSON object", ErrorCode.BAD_REQUEST, null, null);
        return;
      }
      frame = object;
    } catch (DecodeException e) {
      refuse(Frames.INVALID_FRAME, "a frame must be UTF-8 JSON", ErrorCode.BAD_REQUEST, null, null);
      return;
    }
    Object type = frame.getValue("type");
    Object replyValue = frame.getValue("replyAddress");
    String replyAddress = replyValue instanceof String text ? text : null;
    if ("ping".equals(type)) {
      write(Frames.pong());
      return;
    }
    Object addressValue = frame.getValue("address");
    if (!(addressValue instanceof String address) || address.isEmpty()) {
      refuse(Frames.MISSING_ADDRESS, "the frame has no \"address\" string", ErrorCode.BAD_REQUEST, replyAddress, null);
      return;
    }
    if (replyValue != null && replyAddress == null) {
      refuse(Frames.INVALID_FRAME, "\"replyAddress\" must be a string", ErrorCode.BAD_REQUEST, null, address);
      return;
    }
    if (!(type instanceof String kind)) {
      refuse(Frames.UNKNOWN_TYPE, "\"type\" must be one of send, register, unregister, ping",
          ErrorCode.BAD_REQUEST, replyAddress, address);
      return;
    }
    switch (kind) {
      case "send" -> onSend(frame, address, replyAddress);
      case "register" -> onRegister(frame, address, replyAddress);
      case "unregister" -> onUnregister(frame, address, replyAddress);
      case "publish" -> refuse(Frames.ACCESS_DENIED, "publishing to pipelitd addresses is not allowed; use send",
          ErrorCode.FORBIDDEN, replyAddress, address);
      default -> refuse(Frames.UNKNOWN_TYPE, "\"type\" must be one of send, register, unregister, ping",
          ErrorCode.BAD_REQUEST, replyAddress, address);
    }
  }

  private void onSend(JsonObject frame, String address, String replyAddress) {
    if (draining) {
      write(Frames.refusal(Frames.SHUTTING_DOWN, "pipelitd is shutting down; retry on another node or later",
          ErrorCode.UNAVAILABLE.value(), replyAddress, address));
      return;
    }
    Object bodyValue = frame.getValue("body");
    if (bodyValue != null && !(bodyValue instanceof JsonObject)) {
      refuse(Frames.INVALID_FRAME, "\"body\" must be a JSON object", ErrorCode.BAD_REQUEST, replyAddress, address);
      return;
    }
    JsonObject body = bodyValue == null ? new JsonObject() : (JsonObject) bodyValue;
    if (!ClientAddresses.requestAllowed(address)) {
      refuse(Frames.ACCESS_DENIED, "bridge clients may send to pipelit.store.* and pipelit.checkpoints.* service"
          + " addresses only", ErrorCode.FORBIDDEN, replyAddress, address);
      return;
    }
    String key = bearerKey(frame);
    if (key == null) {
      refuse(Frames.NOT_AUTHENTICATED, "headers need \"Authorization\": \"Bearer <API key>\"",
          ErrorCode.UNAUTHENTICATED, replyAddress, address);
      return;
    }
    String requestId = "bridge-" + id + "-" + (++requests);
    started();
    authenticate(key, replyAddress, address)
        .compose(identity -> eventBus.request(address, body,
            StoreDelivery.local(identity, STORE_TIMEOUT_MS).addHeader(StoreHeaders.REQUEST_ID, requestId)))
        .onComplete(result -> {
          finished();
          if (replyAddress == null || result.failed() && result.cause() instanceof Refused) {
            return; // fire-and-forget, or already refused
          }
          if (result.succeeded()) {
            write(Frames.reply(replyAddress, result.result().body()));
          } else {
            write(failureFrame(result.cause(), replyAddress, address));
          }
        });
  }

  private void onRegister(JsonObject frame, String address, String replyAddress) {
    if (!ClientAddresses.eventsAllowed(address)) {
      refuse(Frames.ACCESS_DENIED, "bridge clients may follow pipelit.events.* addresses only", ErrorCode.FORBIDDEN,
          replyAddress, address);
      return;
    }
    String key = bearerKey(frame);
    if (key == null) {
      refuse(Frames.NOT_AUTHENTICATED, "headers need \"Authorization\": \"Bearer <API key>\"",
          ErrorCode.UNAUTHENTICATED, replyAddress, address);
      return;
    }
    started();
    authenticate(key, replyAddress, address)
        .compose(identity -> mayFollow(identity, address, replyAddress))
        .compose(allowed -> follow(address))
        .onComplete(result -> {
          finished();
          if (result.succeeded()) {
            if (replyAddress != null) {
              write(Frames.reply(replyAddress, new JsonObject().put("registered", address)));
            }
          } else if (!(result.cause() instanceof Refused)) {
            write(failureFrame(result.cause(), replyAddress, address));
          }
        });
  }

  private void onUnregister(JsonObject frame, String address, String replyAddress) {
    String key = bearerKey(frame);
    if (key == null) {
      refuse(Frames.NOT_AUTHENTICATED, "headers need \"Authorization\": \"Bearer <API key>\"",
          ErrorCode.UNAUTHENTICATED, replyAddress, address);
      return;
    }
    started();
    authenticate(key, replyAddress, address).onComplete(result -> {
      finished();
      if (result.failed()) {
        if (!(result.cause() instanceof Refused)) {
          write(failureFrame(result.cause(), replyAddress, address));
        }
        return;
      }
      MessageConsumer<Object> consumer = followed.remove(address);
      if (consumer == null) {
        write(Frames.refusal(Frames.UNKNOWN_ADDRESS, "this connection does not follow " + address,
            ErrorCode.NOT_FOUND.value(), replyAddress, address));
        return;
      }
      consumer.unregister();
      if (replyAddress != null) {
        write(Frames.reply(replyAddress, new JsonObject().put("unregistered", address)));
      }
    });
  }

  /**
   * The same ownership rule as the HTTP API: a workflow's events to whoever may read the workflow
   * (asked of the store with the caller's identity), everything else ({@code all}, checkpoints,
   * settings) to admins only.
   */
  private Future<Void> mayFollow(Identity identity, String address, String replyAddress) {
    if (address.startsWith(EventAddresses.WORKFLOW_PREFIX)) {
      String slug = address.substring(EventAddresses.WORKFLOW_PREFIX.length());
      return eventBus.request(StoreAddresses.WORKFLOWS_GET, new JsonObject().put("slug", slug),
              StoreDelivery.local(identity, STORE_TIMEOUT_MS))
          .transform(result -> {
            if (result.succeeded()) {
              return Future.succeededFuture();
            }
            if (result.cause() instanceof ReplyException reply && reply.failureCode() == ErrorCode.NOT_FOUND.value()) {
              return Future.failedFuture(refuse(Frames.ACCESS_DENIED, "no workflow '" + slug
                  + "' visible to this key", ErrorCode.NOT_FOUND, replyAddress, address));
            }
            return Future.failedFuture(result.cause());
          });
    }
    if (!identity.isAdmin()) {
      return Future.failedFuture(refuse(Frames.ACCESS_DENIED, "following " + address + " needs an admin key",
          ErrorCode.FORBIDDEN, replyAddress, address));
    }
    return Future.succeededFuture();
  }

  /** Registers (once per address) a consumer that writes the events to the socket. */
  private Future<Void> follow(String address) {
    if (followed.containsKey(address) || closed) {
      return Future.succeededFuture();
    }
    MessageConsumer<Object> consumer = eventBus.consumer(address, message -> {
      if (socket.writeQueueFull()) {
        // At-most-once: a follower that cannot keep up loses events; the seq numbers show it the gap.
        metrics.eventDropped();
        return;
      }
      write(Frames.event(address, message.body()));
    });
    followed.put(address, consumer);
    return consumer.completion();
  }

  /** The caller's identity; a refused key is counted as a refusal and answered with an err frame. */
  private Future<Identity> authenticate(String key, String replyAddress, String address) {
    return authenticator.identify(key).recover(failure -> {
      if (failure instanceof ReplyException reply && reply.failureCode() == ErrorCode.UNAUTHENTICATED.value()) {
        return Future.failedFuture(refuse(Frames.NOT_AUTHENTICATED, "the API key is unknown, revoked or expired",
            ErrorCode.UNAUTHENTICATED, replyAddress, address));
      }
      return Future.failedFuture(failure);
    });
  }

  /** The err frame of a request the store failed (or that could not reach it). */
  private static JsonObject failureFrame(Throwable failure, String replyAddress, String address) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return Frames.failure(replyAddress, address, reply.failureCode(), reply.getMessage());
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return Frames.refusal(Frames.UNKNOWN_ADDRESS, "no pipelitd service answers on " + address,
            ErrorCode.NOT_FOUND.value(), replyAddress, address);
      }
      return Frames.refusal(Frames.UNAVAILABLE, "the store did not answer within " + STORE_TIMEOUT_MS + " ms",
          ErrorCode.UNAVAILABLE.value(), replyAddress, address);
    }
    LOG.warn("bridge request to {} failed: {}", address, failure.toString());
    return Frames.failure(replyAddress, address, ErrorCode.INTERNAL.value(), "Internal server error");
  }

  /** The key of {@code "headers": {"Authorization": "Bearer <key>"}} (header name in any case), or null. */
  static String bearerKey(JsonObject frame) {
    if (!(frame.getValue("headers") instanceof JsonObject headers)) {
      return null;
    }
    for (Map.Entry<String, Object> header : headers) {
      if ("authorization".equalsIgnoreCase(header.getKey()) && header.getValue() instanceof String value) {
        String trimmed = value.trim();
        int space = trimmed.indexOf(' ');
        if (space > 0 && trimmed.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
          String key = trimmed.substring(space + 1).trim();
          return key.isEmpty() ? null : key;
        }
        return null;
      }
    }
    return null;
  }

  /** Marker of a frame already answered with a refusal. */
  private static final class Refused extends RuntimeException {
    Refused() {
      super(null, null, false, false);
    }
  }

  /** Answers a refused frame, counts it, and closes the connection after too many. */
  private Refused refuse(String code, String detail, ErrorCode errorCode, String replyAddress, String address) {
    metrics.refused(code);
    write(Frames.refusal(code, detail, errorCode.value(), replyAddress, address));
    if (++refusals >= config.maxRefusals()) {
      refuseAndClose(Frames.TOO_MANY_REFUSALS, refusals + " refused frames on this connection; closing it",
          ErrorCode.FORBIDDEN);
    }
    return new Refused();
  }

  private void refuseAndClose(String code, String detail, ErrorCode errorCode) {
    if (closed) {
      return;
    }
    LOG.info("bridge connection {} from {} closed: {}", id, socket.remoteAddress(), detail);
    metrics.refused(code);
    write(Frames.refusal(code, detail, errorCode.value(), null, null));
    closed = true;
    socket.end();
  }

  private void write(JsonObject frame) {
    if (!closed) {
      socket.write(Frames.encode(frame));
    }
  }

  /** One more request waiting; stop reading when the connection has its fill. */
  private void started() {
    metrics.request();
    if (++inFlight >= config.maxInFlight() && !paused) {
      paused = true;
      socket.pause();
    }
  }

  private void finished() {
    inFlight--;
    if (paused && inFlight < config.maxInFlight()) {
      paused = false;
      socket.resume();
    }
    completeDrainIfIdle();
  }

  private void completeDrainIfIdle() {
    if (drained != null && (inFlight == 0 || closed)) {
      drained.tryComplete();
    }
  }
}
