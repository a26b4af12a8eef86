package io.pipelit.pipelitd.bridge.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The frames the bridge writes, in the vertx-tcp-eventbus-bridge format so that its clients work
 * unchanged: {@code message} (a reply or an event) and {@code err} (a refusal or a failed request).
 */
public final class Frames {
  private Frames() {}

  // Refusal codes (the "message" of an err frame that answers no request of the store).
  public static final String MISSING_ADDRESS = "missing_address";
  public static final String UNKNOWN_TYPE = "unknown_type";
  public static final String INVALID_FRAME = "invalid_frame";
  public static final String FRAME_TOO_LARGE = "frame_too_large";
  public static final String NOT_AUTHENTICATED = "not_authenticated";
  public static final String ACCESS_DENIED = "access_denied";
  public static final String UNKNOWN_ADDRESS = "unknown_address";
  public static final String TOO_MANY_REFUSALS = "too_many_refusals";
  public static final String SHUTTING_DOWN = "shutting_down";
  public static final String UNAVAILABLE = "unavailable";

  /** A reply to a request, sent to the client's reply address. */
  public static JsonObject reply(String replyAddress, Object body) {
    return new JsonObject().put("type", "message").put("address", replyAddress).put("headers", new JsonObject())
        .put("send", true).put("body", body);
  }

  /** An event the client follows. */
  public static JsonObject event(String address, Object body) {
    return new JsonObject().put("type", "message").put("address", address).put("headers", new JsonObject())
        .put("send", false).put("body", body);
  }

  /**
   * A failed request: the store's error code ({@code failureCode}, see ErrorCode) and detail. Sent to
   * the reply address so that a client waiting there gets its answer.
   */
  public static JsonObject failure(String replyAddress, String sourceAddress, int failureCode, String message) {
    JsonObject frame = new JsonObject().put("type", "err").put("failureCode", failureCode)
        .put("failureType", "RECIPIENT_FAILURE").put("message", message);
    if (replyAddress != null) {
      frame.put("address", replyAddress);
    }
    if (sourceAddress != null) {
      frame.put("sourceAddress", sourceAddress);
    }
    return frame;
  }

  /**
   * A refused frame: {@code message} is one of the codes above, {@code detail} says why in words, and
   * {@code failureCode} is the matching ErrorCode value. Carries the reply address when the refused frame
   * had one, so a client waiting for that answer is released.
   */
  public static JsonObject refusal(String code, String detail, int failureCode, String replyAddress,
      String sourceAddress) {
    return failure(replyAddress, sourceAddress, failureCode, code).put("failureType", "REFUSED").put("detail", detail);
  }

  public static JsonObject pong() {
    return new JsonObject().put("type", "pong");
  }

  /** The frame on the wire: 4-byte big-endian length, then the UTF-8 JSON. */
  public static Buffer encode(JsonObject frame) {
    Buffer json = frame.toBuffer();
    return Buffer.buffer(json.length() + 4).appendInt(json.length()).appendBuffer(json);
  }
}
