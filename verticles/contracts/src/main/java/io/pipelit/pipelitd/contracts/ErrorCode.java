package io.pipelit.pipelitd.contracts;

import java.util.HashMap;
import java.util.Map;

/**
 * Every failure pipelitd reports, with an explicit numeric value (carried by {@code message.fail} on the
 * event bus) and the HTTP status the API maps it to. Never derive values from {@code ordinal()}.
 */
public enum ErrorCode {
  /** Malformed request: not JSON, not an object, an unusable parameter. */
  BAD_REQUEST(4000, 400),
  /** Missing or invalid API key. */
  UNAUTHENTICATED(4010, 401),
  /** Authenticated but not allowed (admin-only operation). */
  FORBIDDEN(4030, 403),
  /** Unknown object, or one outside the caller's scope (Pipelit answers 404, not 403). */
  NOT_FOUND(4040, 404),
  /** Unique constraint, illegal state transition, or "already exists". */
  CONFLICT(4090, 409),
  /** Request body over the configured limit. */
  PAYLOAD_TOO_LARGE(4130, 413),
  /** Well-formed JSON with wrong types, missing required fields or out-of-range values. */
  VALIDATION_FAILED(4220, 422),
  /** Unexpected server-side failure; details are logged, not returned. */
  INTERNAL(5000, 500),
  /** The write queue is full; retry after a short pause (HTTP 503 with Retry-After). */
  OVERLOADED(5030, 503),
  /** The database or the store is not reachable, or the daemon is shutting down. */
  UNAVAILABLE(5031, 503),
  /** The database's disk is full (SQLITE_FULL): the write was not saved; reads go on, writes resume once space is freed. */
  INSUFFICIENT_STORAGE(5070, 507);

  private static final Map<Integer, ErrorCode> BY_VALUE = new HashMap<>();

  static {
    for (ErrorCode code : values()) {
      BY_VALUE.put(code.value, code);
    }
  }

  private final int value;
  private final int httpStatus;

  ErrorCode(int value, int httpStatus) {
    this.value = value;
    this.httpStatus = httpStatus;
  }

  /** The number carried on the event bus as the failure code. */
  public int value() {
    return value;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The code for a failure value, or {@link #INTERNAL} for values pipelitd does not define. */
  public static ErrorCode fromValue(int value) {
    return BY_VALUE.getOrDefault(value, INTERNAL);
  }
}
