package io.pipelit.pipelitd.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One piece of a {@code pipelit.store.*} request taken from the HTTP request: a path parameter, the
 * paging parameters, optional filters or the JSON body. Field names follow the URL, as the request
 * contract in {@link io.pipelit.pipelitd.contracts.StoreAddresses} requires.
 */
@FunctionalInterface
interface RequestPart {

  /** Field that carries the HTTP request body in a store request. */
  String BODY = "body";

  int DEFAULT_LIMIT = 50;
  int MAX_LIMIT = 1000;

  /** Adds this part's fields to {@code request}; throws {@link ApiError} on a client mistake. */
  void addTo(RoutingContext ctx, JsonObject request);

  /** A path parameter copied as a string. */
  static RequestPart path(String name) {
    return (ctx, request) -> request.put(name, ctx.pathParam(name));
  }

  /**
   * A path parameter that must be an integer. A non-integer cannot name an existing object, so it is
   * answered like an unknown one ({@code 404 notFoundDetail}) instead of reaching the store.
   */
  static RequestPart integerPath(String name, String notFoundDetail) {
    return (ctx, request) -> {
      try {
        request.put(name, Long.parseLong(ctx.pathParam(name)));
      } catch (NumberFormatException e) {
        throw new ApiError(404, notFoundDetail);
      }
    };
  }

  /** {@code limit} (default 50, 1..1000) and {@code offset} (default 0, at least 0). */
  static RequestPart paging() {
    return (ctx, request) -> request
        .put("limit", queryInt(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT,
            "limit must be an integer between 1 and " + MAX_LIMIT + "."))
        .put("offset", queryInt(ctx, "offset", 0, 0, Integer.MAX_VALUE,
            "offset must be an integer greater than or equal to 0."));
  }

  /**
   * Optional string filters, passed only when given with a value: Pipelit treats an empty filter as
   * no filter, and the store should not have to guess.
   */
  static RequestPart optionalQuery(String... names) {
    return (ctx, request) -> {
      for (String name : names) {
        String value = ctx.queryParams().get(name);
        if (value != null && !value.isEmpty()) {
          request.put(name, value);
        }
      }
    };
  }

  /**
   * The body as a JSON object under {@code body}. No body at all becomes {@code {}} so that the store,
   * which owns the schemas, answers with its own validation errors for required fields.
   */
  static RequestPart body() {
    return (ctx, request) -> request.put(BODY, jsonObjectBody(ctx.body().buffer()));
  }

  private static int queryInt(RoutingContext ctx, String name, int defaultValue, int min, int max,
      String detail) {
    String text = ctx.queryParams().get(name);
    if (text == null) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // falls through to the same answer as an out-of-range value
    }
    throw ApiError.validation(detail);
  }

  private static JsonObject jsonObjectBody(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      return new JsonObject();
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw ApiError.validation("Request body is not valid JSON.");
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw ApiError.validation("Request body must be a JSON object.");
  }
}
