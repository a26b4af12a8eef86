package io.pipelit.pipelitd.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import java.util.Map;

/**
 * The JSON answer to a failed request: a status, the value of {@code "detail"} and extra headers.
 * {@link #of} is the single place where failures become HTTP answers.
 *
 * @param status   HTTP status
 * @param detail   a string, or the JSON object/array a store sent as structured detail
 * @param headers  extra response headers (Retry-After, WWW-Authenticate)
 * @param logLevel how the failure handler should log it: {@code NONE} for client mistakes
 */
record ErrorResponse(int status, Object detail, Map<String, String> headers, LogLevel logLevel) {

  /** How loudly a failure is logged server-side. */
  enum LogLevel { NONE, WARN, ERROR }

  static final String STORE_UNAVAILABLE = "Store unavailable.";
  static final String INTERNAL_SERVER_ERROR = "Internal Server Error";

  ErrorResponse {
    headers = Map.copyOf(headers);
  }

  JsonObject body() {
    return new JsonObject().put("detail", detail);
  }

  /**
   * Maps a routing failure to its answer.
   *
   * @param statusCode   the routing context's status code, -1 when a throwable failed it
   * @param failure      the throwable, or null when only a status code was given (404, 405, 413, ...)
   * @param maxBodyBytes the configured body limit, quoted in the 413 detail
   */
  static ErrorResponse of(int statusCode, Throwable failure, long maxBodyBytes) {
    if (failure instanceof ApiError error) {
      return simple(error.status(), error.detail());
    }
    if (failure instanceof ReplyException reply) {
      return ofReply(reply);
    }
    if (failure instanceof HttpException http && http.getStatusCode() < 500) {
      String payload = http.getPayload();
      return simple(http.getStatusCode(), payload != null ? payload : reasonPhrase(http.getStatusCode()));
    }
    if (statusCode == 413) {
      return simple(413, "Request body too large (limit " + maxBodyBytes + " bytes).");
    }
    if (statusCode >= 400 && statusCode < 500) {
      // Client errors raised by Vert.x itself (no route, wrong method, missing Host header, ...).
      return simple(statusCode, reasonPhrase(statusCode));
    }
    // Anything else is a bug or an unknown condition: 500 without the message, which may leak internals.
    return new ErrorResponse(500, INTERNAL_SERVER_ERROR, Map.of(), LogLevel.ERROR);
  }

  private static ErrorResponse ofReply(ReplyException reply) {
    switch (reply.failureType()) {
      case NO_HANDLERS:
      case TIMEOUT:
        return new ErrorResponse(503, STORE_UNAVAILABLE, Map.of(), LogLevel.WARN);
      case RECIPIENT_FAILURE:
        break;
      default:
        return new ErrorResponse(500, INTERNAL_SERVER_ERROR, Map.of(), LogLevel.ERROR);
    }
    ErrorCode code = ErrorCode.fromValue(reply.failureCode());
    switch (code) {
      case INTERNAL:
        // The store's message stays in the server log; the client learns nothing about internals.
        return new ErrorResponse(500, INTERNAL_SERVER_ERROR, Map.of(), LogLevel.ERROR);
      case INSUFFICIENT_STORAGE:
        // Operators must hear of a full disk: logged as a warning, answered 507 with the store's detail.
        return new ErrorResponse(code.httpStatus(), storeDetail(reply.getMessage(), code), Map.of(), LogLevel.WARN);
      case OVERLOADED:
        return new ErrorResponse(code.httpStatus(), storeDetail(reply.getMessage(), code),
            Map.of("Retry-After", "1"), LogLevel.NONE);
      default:
        return simple(code.httpStatus(), storeDetail(reply.getMessage(), code));
    }
  }

  private static ErrorResponse simple(int status, Object detail) {
    Map<String, String> headers = status == 401 ? Map.of("WWW-Authenticate", "Bearer") : Map.of();
    return new ErrorResponse(status, detail, headers, LogLevel.NONE);
  }

  /**
   * The store's detail. A message that is itself a JSON object or array is passed on as structured
   * detail, which is how Pipelit's {@code {"detail": {"validation_errors": [...]}}} answers travel.
   */
  private static Object storeDetail(String message, ErrorCode code) {
    if (message == null || message.isBlank()) {
      return reasonPhrase(code.httpStatus());
    }
    char first = message.charAt(0);
    if (first == '{' || first == '[') {
      try {
        Object value = Json.decodeValue(message);
        if (value instanceof JsonObject || value instanceof JsonArray) {
          return value;
        }
      } catch (DecodeException e) {
        // not JSON after all: a plain message that happens to start with a bracket
      }
    }
    return message;
  }

  private static String reasonPhrase(int status) {
    return HttpResponseStatus.valueOf(status).reasonPhrase();
  }
}
