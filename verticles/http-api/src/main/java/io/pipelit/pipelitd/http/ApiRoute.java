package io.pipelit.pipelitd.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * One authenticated REST route: an HTTP method and path under {@code /api/v1}, the store address it
 * forwards to, the status of a successful answer and how the store request is built.
 *
 * @param method        HTTP method
 * @param path          Pipelit's spelling, relative to {@code /api/v1}, usually with a trailing slash
 * @param address       the {@code pipelit.store.*} address
 * @param successStatus 200, 201 or 204 (204 answers without a body)
 * @param parts         the pieces of the store request, in order
 * @param answerWithinMs how long the store may take to answer, in milliseconds; 0 for the HTTP API's
 *                      store timeout (30 s). Longer only for work that takes minutes by nature (backups).
 */
record ApiRoute(HttpMethod method, String path, String address, int successStatus, List<RequestPart> parts,
    long answerWithinMs) {

  ApiRoute {
    parts = List.copyOf(parts);
  }

  ApiRoute(HttpMethod method, String path, String address, int successStatus, List<RequestPart> parts) {
    this(method, path, address, successStatus, parts, 0);
  }

  /** The same route with a longer answer timeout, in milliseconds. */
  ApiRoute answeredWithin(long ms) {
    return new ApiRoute(method, path, address, successStatus, parts, ms);
  }

  /** The send timeout of this route's store request: its own, never shorter than the API's default. */
  long timeoutMs(long storeTimeoutMs) {
    return Math.max(storeTimeoutMs, answerWithinMs);
  }

  /**
   * The path as registered with the Vert.x router. Vert.x ignores a trailing slash only when the
   * declared path has none (exact paths compare without it, parameter paths get an optional {@code /?}),
   * so it is dropped here and both spellings reach the same route.
   */
  String routerPath() {
    String full = HttpApiVerticle.API_PREFIX + path;
    return full.endsWith("/") ? full.substring(0, full.length() - 1) : full;
  }

  /** The store request for this HTTP request; throws {@link ApiError} on a client mistake. */
  JsonObject buildRequest(RoutingContext ctx) {
    JsonObject request = new JsonObject();
    for (RequestPart part : parts) {
      part.addTo(ctx, request);
    }
    return request;
  }

  boolean hasResponseBody() {
    return successStatus != 204;
  }
}
