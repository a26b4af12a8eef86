package io.pipelit.pipelitd.http;

import io.vertx.core.buffer.Buffer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBufInputStream;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.InputStream;
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

  /**
   * Adds nothing, but refuses ({@code 403 detail}) a request whose TCP peer is not a loopback address.
   * The peer is the connection's, not a forwarded header: behind a reverse proxy on the same host every
   * request looks local, so such routes must not be exposed through a proxy.
   */
  static RequestPart loopbackOnly(String detail) {
    return (ctx, request) -> {
      io.vertx.core.net.SocketAddress peer = ctx.request().connection().remoteAddress();
      if (!isLoopback(peer == null ? null : peer.hostAddress())) {
        throw new ApiError(403, detail);
      }
    };
  }

  /** True for a loopback IP literal (127.0.0.0/8, ::1); false for anything else, names included. */
  static boolean isLoopback(String hostAddress) {
    if (hostAddress == null || hostAddress.isEmpty() || !(Character.digit(hostAddress.charAt(0), 16) >= 0
        || hostAddress.charAt(0) == ':' || hostAddress.charAt(0) == '[')) {
      return false; // not an IP literal: never resolve a name here (that would block the event loop)
    }
    try {
      return java.net.InetAddress.getByName(hostAddress).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
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
   * Query parameters passed as strings whenever they are present, even empty: for the checkpoint routes,
   * where {@code ?ns=} names the root namespace and an absent {@code ns} means "every namespace" (list).
   * The store validates the values.
   */
  static RequestPart presentQuery(String... names) {
    return (ctx, request) -> {
      for (String name : names) {
        String value = ctx.queryParams().get(name);
        if (value != null) {
          request.put(name, value);
        }
      }
    };
  }

  /**
   * Every {@code metadata.KEY=VALUE} query parameter as {@code filter: {KEY: value}}. A value that
   * parses as a JSON scalar (a number, {@code true}, {@code false}, {@code null}, a quoted string) is
   * taken as that JSON value, anything else as a plain string: {@code metadata.step=3} matches the
   * number 3, {@code metadata.source=loop} the string "loop", {@code metadata.step="3"} the string "3".
   */
  static RequestPart metadataFilter() {
    String prefix = "metadata.";
    return (ctx, request) -> {
      JsonObject filter = new JsonObject();
      for (String name : ctx.queryParams().names()) {
        if (name.startsWith(prefix) && name.length() > prefix.length()) {
          filter.put(name.substring(prefix.length()), jsonScalarOrString(ctx.queryParams().get(name)));
        }
      }
      if (!filter.isEmpty()) {
        request.put("filter", filter);
      }
    };
  }

  private static Object jsonScalarOrString(String text) {
    try {
      Object value = Json.decodeValue(text);
      if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
        return value;
      }
    } catch (DecodeException e) {
      // not JSON: a plain string
    }
    return text;
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

  /**
   * Longest JSON string a request body may hold, in characters: the base64 of the largest checkpoint
   * CHECKPOINTS_MAX_BYTES allows (1 GB), plus a margin. Jackson's default (20,000,000 characters, the
   * base64 of about 15 MiB) would refuse larger checkpoints as "not valid JSON"; the body limits
   * (PIPELITD_HTTP_MAX_BODY_BYTES, and the checkpoint limit for admins) are what bound a body.
   */
  int MAX_JSON_STRING_LENGTH = 1_400_000_000;

  /**
   * Our own factory with the raised string limit, so that the limit holds whatever the order in which
   * classes are loaded: Vert.x 5 builds its factory from {@code StreamReadConstraints.builder()}, whose
   * values are Jackson's built-in ones, not those of {@code overrideDefaultStreamReadConstraints}.
   */
  JsonFactory BODY_JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_JSON_STRING_LENGTH).build())
      .build();

  /** Like {@code Json.decodeValue(buffer)} (same types, same errors), with {@link #BODY_JSON}. */
  static Object decodeBody(Buffer buffer) {
    JsonParser parser;
    try {
      parser = BODY_JSON.createParser((InputStream) new ByteBufInputStream(((BufferInternal) buffer).getByteBuf()));
    } catch (IOException e) {
      throw new DecodeException("Failed to decode: " + e.getMessage(), e);
    }
    return JacksonCodec.fromParser(parser, Object.class);
  }

  private static JsonObject jsonObjectBody(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      return new JsonObject();
    }
    Object value;
    try {
      value = decodeBody(buffer);
    } catch (DecodeException e) {
      throw ApiError.validation("Request body is not valid JSON.");
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw ApiError.validation("Request body must be a JSON object.");
  }
}
