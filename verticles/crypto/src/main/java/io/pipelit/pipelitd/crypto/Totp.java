package io.pipelit.pipelitd.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps, 6 digits, base32
 * secrets, as Python's {@code pyotp.TOTP} (what Pipelit uses) and authenticator apps compute them.
 * Pure functions; thread-safe.
 */
public final class Totp {
  private Totp() {}

  /** Step length in seconds. */
  public static final long STEP_SECONDS = 30;
  /** Digits of a code. */
  public static final int DIGITS = 6;

  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new random secret: 20 bytes (160 bits, RFC 4226's recommendation) as 32 base32 characters. */
  public static String generateSecret() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    return base32Encode(bytes);
  }

  /** The time step of a Unix time in seconds. */
  public static long step(long unixSeconds) {
    return Math.floorDiv(unixSeconds, STEP_SECONDS);
  }

  /** The code for a step (RFC 4226 HOTP with the step as counter), {@code digits} long, zero-padded. */
  public static String code(byte[] key, long step, int digits) {
    if (digits < 1 || digits > 9) {
      throw new IllegalArgumentException("digits must be between 1 and 9");
    }
    byte[] message = new byte[8];
    long value = step;
    for (int i = 7; i >= 0; i--) {
      message[i] = (byte) value;
      value >>>= 8;
    }
    byte[] hash;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      hash = mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is missing from this JVM", e);
    }
    int offset = hash[hash.length - 1] & 0x0f;
    int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
        | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
    int modulus = 1;
    for (int i = 0; i < digits; i++) {
      modulus *= 10;
    }
    StringBuilder text = new StringBuilder(Integer.toString(binary % modulus));
    while (text.length() < digits) {
      text.insert(0, '0');
    }
    return text.toString();
  }

  /** The 6-digit code of a base32 secret at a Unix time. */
  public static String codeAt(String base32Secret, long unixSeconds) {
    return code(base32Decode(base32Secret), step(unixSeconds), DIGITS);
  }

  /**
   * The step whose code equals {@code code} among {@code step(unixSeconds) - window ..  + window}, or -1.
   * Compares in constant time per candidate. A code that is not {@link #DIGITS} decimal digits never
   * matches.
   */
  public static long matchingStep(String base32Secret, String code, long unixSeconds, int window) {
    if (code == null || code.length() != DIGITS || !code.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return -1;
    }
    byte[] key = base32Decode(base32Secret);
    long now = step(unixSeconds);
    long found = -1;
    for (long candidate = now - window; candidate <= now + window; candidate++) {
      String expected = code(key, candidate, DIGITS);
      if (MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          code.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) && found < 0) {
        found = candidate;
      }
    }
    return found;
  }

  /** RFC 4648 base32 without padding. */
  public static String base32Encode(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32.charAt((buffer >>> (bits - 5)) & 0x1f));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32.charAt((buffer << (5 - bits)) & 0x1f));
    }
    return out.toString();
  }

  /**
   * RFC 4648 base32, case-insensitive, padding and spaces ignored (as authenticator apps show it).
   *
   * @throws IllegalArgumentException on a character outside the alphabet
   */
  public static byte[] base32Decode(String text) {
    String clean = text.replace("=", "").replace(" ", "").toUpperCase(Locale.ROOT);
    byte[] out = new byte[clean.length() * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int index = 0;
    for (int i = 0; i < clean.length(); i++) {
      int value = BASE32.indexOf(clean.charAt(i));
      if (value < 0) {
        throw new IllegalArgumentException("not a base32 secret");
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out[index++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    return out;
  }
}
