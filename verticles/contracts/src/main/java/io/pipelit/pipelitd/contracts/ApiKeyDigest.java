package io.pipelit.pipelitd.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How an API key is identified without keeping it: the hex SHA-256 of its text. The store keeps this in
 * {@code api_keys.key}; whoever caches AUTHENTICATE answers keys them by it.
 */
public final class ApiKeyDigest {
  private ApiKeyDigest() {}

  public static String of(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
