package io.pipelit.pipelitd.persistence.impl;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt in the {@code $2b$} format (Pipelit's hashes keep working), always off the event loop. A login
 * for an unknown user still runs one bcrypt verification, against a dummy hash, so that the answer
 * time does not tell which usernames exist.
 */
final class PasswordHashes {
  /** Cost factor: about 0.2 s per hash on these machines (as AuthStore's setup). */
  static final int COST = 12;

  private final Vertx vertx;
  private volatile String dummyHash;

  PasswordHashes(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<String> hash(String password) {
    return vertx.executeBlocking(() -> hashNow(password), false);
  }

  /** True when {@code password} matches {@code hash}; an absent, empty or unparsable hash never matches. */
  Future<Boolean> verify(String password, String hash) {
    return vertx.executeBlocking(() -> {
      boolean usable = hash != null && hash.startsWith("$2");
      String against = usable ? hash : dummy();
      boolean verified;
      try {
        verified = BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8),
            against.getBytes(StandardCharsets.UTF_8)).verified;
      } catch (RuntimeException e) {
        verified = false; // malformed hash, or a password bcrypt refuses (over 72 bytes)
      }
      return usable && verified;
    }, false);
  }

  private static String hashNow(String password) {
    return BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(COST, password.toCharArray());
  }

  private String dummy() {
    String value = dummyHash;
    if (value == null) {
      synchronized (this) {
        if (dummyHash == null) {
          dummyHash = hashNow("pipelitd-dummy-password-for-unknown-users");
        }
        value = dummyHash;
      }
    }
    return value;
  }
}
