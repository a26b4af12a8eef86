package io.pipelit.pipelitd.http;

/**
 * A client mistake detected in the HTTP layer itself (bad query parameter, malformed body, missing
 * credentials), answered with {@code status} and {@code {"detail": detail}} without asking the store.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiError(int status, String detail) {
    // No stack trace: these are expected outcomes of bad input, not bugs, and are never logged.
    super(detail, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }

  String detail() {
    return getMessage();
  }

  static ApiError validation(String detail) {
    return new ApiError(422, detail);
  }
}
