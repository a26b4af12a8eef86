package io.pipelit.pipelitd.contracts;

import java.nio.charset.StandardCharsets;

/** The password rules, shared by the store and by the CLI (which checks before touching a database). */
public final class Passwords {
  private Passwords() {}

  /** Pipelit's minimum. */
  public static final int MIN_LENGTH = 8;
  /** bcrypt reads only the first 72 bytes; longer passwords would silently collide. */
  public static final int MAX_BYTES = 72;

  /** Why this password is refused, or null when it is acceptable. */
  public static String problem(String password) {
    if (password == null || password.length() < MIN_LENGTH) {
      return "must be at least " + MIN_LENGTH + " characters";
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return "must be at most " + MAX_BYTES + " bytes";
    }
    return null;
  }
}
