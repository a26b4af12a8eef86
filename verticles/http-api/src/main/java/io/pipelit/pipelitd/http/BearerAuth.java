package io.pipelit.pipelitd.http;

import io.pipelit.pipelitd.contracts.Authenticator;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;

/**
 * Turns {@code Authorization: Bearer <key>} into an {@link Identity} through the store's
 * {@link StoreAddresses#AUTHENTICATE} ({@link Authenticator}: a recently seen key costs no round trip). The
 * key itself is never logged nor kept.
 */
final class BearerAuth {
  static final String NOT_AUTHENTICATED = "Not authenticated";

  private final Authenticator authenticator;

  BearerAuth(Authenticator authenticator) {
    this.authenticator = authenticator;
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
    return authenticator.identify(key);
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
}
