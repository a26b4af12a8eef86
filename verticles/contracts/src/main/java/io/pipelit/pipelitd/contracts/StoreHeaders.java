package io.pipelit.pipelitd.contracts;

/** Header names carried by {@code pipelit.store.*} requests. */
public final class StoreHeaders {
  private StoreHeaders() {}

  /** The authenticated caller's {@code user_profiles.id}, as a decimal string. */
  public static final String USER_ID = "pipelit-user-id";
  /** The caller's role: {@code admin} or {@code normal}. */
  public static final String USER_ROLE = "pipelit-user-role";
  /** Optional: the HTTP request id (X-Request-Id), so that the store's log lines can name it. */
  public static final String REQUEST_ID = "pipelit-request-id";
}
