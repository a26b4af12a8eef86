package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ApiKeyDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API keys: 32 random bytes, URL-safe base64 without padding (43 characters, like Pipelit's
 * {@code secrets.token_urlsafe(32)}). Only the SHA-256 digest is stored (column {@code api_keys.key})
 * plus the first 8 characters for display ({@code prefix}). A fast hash is right here: the key has 256
 * bits of entropy, so there is nothing for a slow hash to protect, and auth runs on every request.
 */
public final class ApiKeys {
  private ApiKeys() {}

  public static final int PREFIX_LENGTH = 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored form of a key (see ApiKeyDigest). */
  public static String hash(String key) {
    return ApiKeyDigest.of(key);
  }

  public static String prefix(String key) {
    return key.substring(0, Math.min(PREFIX_LENGTH, key.length()));
  }
}
