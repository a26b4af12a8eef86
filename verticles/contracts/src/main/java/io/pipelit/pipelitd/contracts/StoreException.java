package io.pipelit.pipelitd.contracts;

/**
 * A failure with an {@link ErrorCode} and a detail message meant for the client (never a secret, never
 * SQL). Thrown inside the store and turned into {@code message.fail(code.value(), detail)}.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public StoreException(ErrorCode code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  public static StoreException notFound(String detail) {
    return new StoreException(ErrorCode.NOT_FOUND, detail);
  }

  public static StoreException validation(String detail) {
    return new StoreException(ErrorCode.VALIDATION_FAILED, detail);
  }

  public static StoreException conflict(String detail) {
    return new StoreException(ErrorCode.CONFLICT, detail);
  }
}
