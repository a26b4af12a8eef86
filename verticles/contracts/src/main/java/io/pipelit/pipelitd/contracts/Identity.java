package io.pipelit.pipelitd.contracts;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Who is asking: the authenticated user behind a request. Travels in event-bus headers.
 *
 * @param userId {@code user_profiles.id}
 * @param role   {@code admin} or {@code normal}
 */
public record Identity(long userId, String role) {
  public static final String ADMIN = "admin";
  public static final String NORMAL = "normal";

  public boolean isAdmin() {
    return ADMIN.equals(role);
  }

  /** Delivery options carrying this identity, for a {@code pipelit.store.*} request. */
  public DeliveryOptions toDeliveryOptions() {
    return new DeliveryOptions()
        .addHeader(StoreHeaders.USER_ID, Long.toString(userId))
        .addHeader(StoreHeaders.USER_ROLE, role);
  }

  /** Reads the identity from request headers; UNAUTHENTICATED when absent or malformed. */
  public static Identity fromHeaders(MultiMap headers) {
    String id = headers.get(StoreHeaders.USER_ID);
    String role = headers.get(StoreHeaders.USER_ROLE);
    if (id == null || role == null || !(ADMIN.equals(role) || NORMAL.equals(role))) {
      throw new StoreException(ErrorCode.UNAUTHENTICATED, "Not authenticated");
    }
    try {
      return new Identity(Long.parseLong(id), role);
    } catch (NumberFormatException e) {
      throw new StoreException(ErrorCode.UNAUTHENTICATED, "Not authenticated");
    }
  }
}
