package io.pipelit.pipelitd.checkpoints.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * Strict reads of checkpoint request fields. Every problem is a VALIDATION_FAILED {@link StoreException}
 * whose detail names the field ({@code "thread_id: field required"}); a blob over the size limit is
 * PAYLOAD_TOO_LARGE. Numbers may arrive as JSON numbers (event bus) or as strings (HTTP query).
 */
final class Fields {
  private Fields() {}

  /** Longest thread id, namespace, checkpoint id, task id or channel accepted, in characters. */
  static final int MAX_ID_LENGTH = 1024;
  /** Longest serializer type tag accepted ({@code "msgpack+aes"} is 11). */
  static final int MAX_TYPE_LENGTH = 255;

  static JsonObject body(JsonObject request) {
    return RequestFields.body(request);
  }

  /** A required identifier: a non-empty string without NUL (PostgreSQL TEXT cannot hold one). */
  static String id(JsonObject o, String name) {
    String value = optionalId(o, name, null);
    if (value == null) {
      throw StoreException.validation(name + ": field required");
    }
    if (value.isEmpty()) {
      throw StoreException.validation(name + ": must not be empty");
    }
    return value;
  }

  /** An optional identifier (may be empty, as the root namespace is); {@code defaultValue} when absent. */
  static String optionalId(JsonObject o, String name, String defaultValue) {
    Object value = o.getValue(name);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String text)) {
      throw StoreException.validation(name + ": must be a string");
    }
    if (text.length() > MAX_ID_LENGTH) {
      throw StoreException.validation(name + ": must be at most " + MAX_ID_LENGTH + " characters");
    }
    if (text.indexOf('\0') >= 0) {
      throw StoreException.validation(name + ": must not contain NUL characters");
    }
    return text;
  }

  /** The serializer tag of a blob: required string, at most 255 characters. */
  static String type(JsonObject o, String name) {
    Object value = o.getValue(name);
    if (value == null) {
      throw StoreException.validation(name + ": field required");
    }
    if (!(value instanceof String text) || text.length() > MAX_TYPE_LENGTH || text.indexOf('\0') >= 0) {
      throw StoreException.validation(name + ": must be a string of at most " + MAX_TYPE_LENGTH + " characters");
    }
    return text;
  }

  /** A whole number in [min, max], or {@code defaultValue} when absent; accepts decimal strings. */
  static long integer(JsonObject o, String name, long defaultValue, long min, long max) {
    Object value = o.getValue(name);
    if (value instanceof String text) {
      // Query parameters arrive as text over the bus; parsed here, range-checked like numbers.
      try {
        return RequestFields.optionalLong(new JsonObject().put(name, Long.parseLong(text.trim())), name, min, max,
            defaultValue);
      } catch (NumberFormatException e) {
        throw StoreException.validation(name + ": must be an integer between " + min + " and " + max);
      }
    }
    return RequestFields.optionalLong(o, name, min, max, defaultValue);
  }

  static boolean bool(JsonObject o, String name, boolean defaultValue) {
    return RequestFields.optionalBool(o, name, defaultValue);
  }

  static JsonArray optionalArray(JsonObject o, String name) {
    Object value = o.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw StoreException.validation(name + ": must be a list");
    }
    return array;
  }

  /**
   * The decoded bytes of a required base64 string (standard alphabet, padding optional). Refuses with
   * PAYLOAD_TOO_LARGE before decoding when the decoded size would exceed {@code maxBytes}.
   */
  static byte[] base64(JsonObject o, String name, long maxBytes) {
    Object value = o.getValue(name);
    if (value == null) {
      throw StoreException.validation(name + ": field required");
    }
    if (!(value instanceof String text)) {
      throw StoreException.validation(name + ": must be a base64 string");
    }
    // 4 characters carry 3 bytes; checked before decoding so that an oversized blob costs nothing.
    if ((long) text.length() / 4 * 3 > maxBytes + 3) {
      throw tooLarge(maxBytes);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw StoreException.validation(name + ": must be a base64 string");
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return bytes;
  }

  static StoreException tooLarge(long maxBytes) {
    return new StoreException(ErrorCode.PAYLOAD_TOO_LARGE,
        "Checkpoint larger than the limit of " + maxBytes + " bytes (CHECKPOINTS_MAX_BYTES).");
  }
}
