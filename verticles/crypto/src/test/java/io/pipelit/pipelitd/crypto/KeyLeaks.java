package io.pipelit.pipelitd.crypto;

import static org.junit.jupiter.api.Assertions.fail;

/** Asserts that a message shows no piece of a key or token. */
final class KeyLeaks {
  private KeyLeaks() {}

  /** No 6-character run of {@code secret} (stripped) appears in {@code message}. */
  static void assertNoKeyMaterial(String message, String secret) {
    String s = secret == null ? "" : secret.strip();
    for (int i = 0; i + 6 <= s.length(); i++) {
      if (message.contains(s.substring(i, i + 6))) {
        fail("message shows part of a key or token: " + message);
      }
    }
  }
}
