package io.pipelit.pipelitd.crypto;

import io.pipelit.pipelitd.crypto.InvalidTokenException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One Fernet key: tokens byte-compatible with Python's {@code cryptography.fernet.Fernet} and the
 * specification at github.com/fernet/spec.
 *
 * <p>Key: 32 bytes as url-safe base64 with padding (44 characters); the first 16 bytes sign
 * (HMAC-SHA256), the last 16 encrypt (AES-128-CBC, PKCS7). Token: url-safe base64, with padding, of
 * {@code 0x80 | timestamp (8 bytes, big-endian seconds) | IV (16) | ciphertext | HMAC (32)}, the HMAC
 * covering everything before it.
 *
 * <p>Accepted token spellings: url-safe base64 with or without its {@code =} padding, surrounded by
 * optional whitespace. Python requires the padding but also skips any character outside the base64
 * alphabet; we accept the one harmless extra (missing padding carries no information, the HMAC still
 * covers every byte) and refuse the junk, which no Fernet implementation writes.
 *
 * <p>Thread-safe: instances are immutable, and each call uses its own {@link Cipher} and {@link Mac}
 * (those JCE objects are not thread-safe, and creating them costs microseconds).
 */
public final class Fernet {
  /** Decoded key length. */
  public static final int KEY_BYTES = 32;
  /** Encoded key length: 32 bytes in base64 with padding. */
  public static final int KEY_CHARS = 44;

  static final byte VERSION = (byte) 0x80;
  static final int TIMESTAMP_BYTES = 8;
  static final int IV_BYTES = 16;
  static final int BLOCK_BYTES = 16;
  static final int HMAC_BYTES = 32;
  static final int HEADER_BYTES = 1 + TIMESTAMP_BYTES + IV_BYTES;
  /** Header, one cipher block (PKCS7 always adds at least one) and the HMAC. */
  static final int MIN_TOKEN_BYTES = HEADER_BYTES + BLOCK_BYTES + HMAC_BYTES;
  /** Python's {@code _MAX_CLOCK_SKEW}: how far in the future a timestamp may be, when a TTL is given. */
  static final long MAX_CLOCK_SKEW_SECONDS = 60;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec signingKey;
  private final SecretKeySpec encryptionKey;
  private final Clock clock;

  /**
   * A Fernet for {@code key}, using the system clock.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes of base64; the message never contains
   *     the key
   */
  public Fernet(String key) {
    this(key, Clock.systemUTC());
  }

  /**
   * A Fernet for {@code key} whose timestamps (on encryption, and for TTL checks) come from {@code
   * clock}.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes of base64; the message never contains
   *     the key
   */
  public Fernet(String key, Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    String problem = keyProblem(key);
    if (problem != null) {
      throw new IllegalArgumentException("Fernet key " + problem);
    }
    byte[] raw = decodeKey(key);
    try {
      this.signingKey = new SecretKeySpec(raw, 0, 16, "HmacSHA256");
      this.encryptionKey = new SecretKeySpec(raw, 16, 16, "AES");
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** A new random key (32 bytes from {@link SecureRandom}), in the 44-character form Python writes. */
  public static String generateKey() {
    byte[] raw = new byte[KEY_BYTES];
    RANDOM.nextBytes(raw);
    return ENCODER.encodeToString(raw);
  }

  /**
   * Why {@code key} is not a Fernet key, as a phrase to follow "the key", or null when it is one. The
   * phrase gives lengths and kinds of fault only, never characters of the key.
   */
  static String keyProblem(String key) {
    if (key == null) {
      return "is missing";
    }
    String k = key.strip();
    if (k.isEmpty()) {
      return "is empty";
    }
    if (k.length() != KEY_CHARS) {
      return "must be " + KEY_CHARS + " characters of url-safe base64 (32 bytes, ending in '='), found "
          + k.length() + " characters";
    }
    byte[] raw;
    try {
      raw = DECODER.decode(normaliseKey(k));
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the offending character: do not pass it on.
      return "is not valid url-safe base64 (a character outside A-Z a-z 0-9 - _ or a misplaced '=')";
    }
    int length = raw.length;
    Arrays.fill(raw, (byte) 0);
    if (length != KEY_BYTES) {
      return "must decode to " + KEY_BYTES + " bytes, found " + length;
    }
    return null;
  }

  private static byte[] decodeKey(String key) {
    return DECODER.decode(normaliseKey(key.strip()));
  }

  /** Python also accepts keys in the standard alphabet (e.g. from {@code openssl rand -base64 32}). */
  private static String normaliseKey(String key) {
    return key.replace('+', '-').replace('/', '_');
  }

  /** Encrypts the UTF-8 bytes of {@code plaintext} (what Python's {@code value.encode()} gives). */
  public String encrypt(String plaintext) {
    return encrypt(utf8(plaintext));
  }

  /** Encrypts {@code plaintext} with a fresh random IV and the clock's current second. */
  public String encrypt(byte[] plaintext) {
    return encryptAt(plaintext, clock.instant().getEpochSecond());
  }

  /** Encrypts with a fresh random IV and the given timestamp (rotation keeps the original one). */
  String encryptAt(byte[] plaintext, long timestamp) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    return encrypt(plaintext, timestamp, iv);
  }

  /** The deterministic core, for the specification's generate vectors and for rotation. */
  String encrypt(byte[] plaintext, long timestamp, byte[] iv) {
    Objects.requireNonNull(plaintext, "plaintext");
    if (iv.length != IV_BYTES) {
      throw new IllegalArgumentException("IV must be 16 bytes");
    }
    try {
      Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(iv));
      byte[] ciphertext = aes.doFinal(pad(plaintext));

      ByteBuffer token = ByteBuffer.allocate(HEADER_BYTES + ciphertext.length + HMAC_BYTES);
      token.put(VERSION).putLong(timestamp).put(iv).put(ciphertext);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(signingKey);
      mac.update(token.array(), 0, token.position());
      token.put(mac.doFinal());
      return ENCODER.encodeToString(token.array());
    } catch (GeneralSecurityException e) {
      // AES-CBC and HmacSHA256 are mandatory in every Java runtime: this is a broken JDK.
      throw new IllegalStateException("JDK cryptography unavailable", e);
    }
  }

  /**
   * The plaintext bytes of {@code token}, with no time-to-live (what Pipelit does).
   *
   * @throws InvalidTokenException if the token is malformed, altered or made with another key
   */
  public byte[] decrypt(String token) throws InvalidTokenException {
    return decrypt(token, null);
  }

  /**
   * The plaintext bytes of {@code token}, refusing it when older than {@code ttl} (or more than 60 s
   * in the future, as Python does) by the clock; a null {@code ttl} checks no time.
   *
   * @throws InvalidTokenException if the token is malformed, altered, made with another key or
   *     outside its time-to-live
   */
  public byte[] decrypt(String token, Duration ttl) throws InvalidTokenException {
    byte[] data = parse(token);
    if (ttl != null) {
      checkTime(timestamp(data), ttl.getSeconds(), clock.instant().getEpochSecond());
    }
    return open(data);
  }

  /**
   * Like {@link #decrypt(String)}, decoding the plaintext as UTF-8.
   *
   * @throws InvalidTokenException as {@link #decrypt(String)}, and with {@link Reason#NOT_UTF8} when
   *     the plaintext is not valid UTF-8 (Python's {@code .decode()} would fail too)
   */
  public String decryptToString(String token) throws InvalidTokenException {
    return fromUtf8(decrypt(token));
  }

  /**
   * Whether {@code token} has the structure of a Fernet token: url-safe base64 (padding optional,
   * surrounding whitespace ignored), version 0x80, and a length that fits header, whole AES blocks
   * and HMAC. Says nothing about which key made it.
   */
  public static boolean isToken(String token) {
    try {
      parse(token);
      return true;
    } catch (InvalidTokenException e) {
      return false;
    }
  }

  /** The decoded bytes of a structurally valid token; checks in the specification's order. */
  static byte[] parse(String token) throws InvalidTokenException {
    Objects.requireNonNull(token, "token");
    byte[] data;
    try {
      data = DECODER.decode(token.strip());
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    if (data.length == 0) {
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    if (data[0] != VERSION) {
      throw new InvalidTokenException(Reason.BAD_VERSION);
    }
    if (data.length < MIN_TOKEN_BYTES || (data.length - HEADER_BYTES - HMAC_BYTES) % BLOCK_BYTES != 0) {
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    return data;
  }

  /** The token's timestamp, read as Python does: an unsigned count of seconds since 1970. */
  static long timestamp(byte[] data) {
    return ByteBuffer.wrap(data, 1, TIMESTAMP_BYTES).getLong();
  }

  /** Python's rule: {@code timestamp + ttl < now} is expired, {@code now + 60 < timestamp} too new. */
  static void checkTime(long timestamp, long ttlSeconds, long now) throws InvalidTokenException {
    // The field is unsigned: a negative long is beyond 2^63 seconds, i.e. far in the future.
    if (timestamp >= 0 && timestamp < now - ttlSeconds) {
      throw new InvalidTokenException(Reason.EXPIRED);
    }
    if (timestamp < 0 || timestamp > now + MAX_CLOCK_SKEW_SECONDS) {
      throw new InvalidTokenException(Reason.FUTURE);
    }
  }

  /** Verifies the HMAC (constant time), then decrypts and unpads. */
  byte[] open(byte[] data) throws InvalidTokenException {
    int signedLength = data.length - HMAC_BYTES;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(signingKey);
      mac.update(data, 0, signedLength);
      byte[] expected = mac.doFinal();
      if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(data, signedLength, data.length))) {
        throw new InvalidTokenException(Reason.BAD_HMAC);
      }
      // Only authenticated bytes reach AES, so the padding check below is no padding oracle.
      Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
      aes.init(Cipher.DECRYPT_MODE, encryptionKey, new IvParameterSpec(data, 1 + TIMESTAMP_BYTES, IV_BYTES));
      return unpad(aes.doFinal(data, HEADER_BYTES, signedLength - HEADER_BYTES));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK cryptography unavailable", e);
    }
  }

  /** PKCS7 (RFC 5652 §6.3): always 1 to 16 bytes, each holding the pad length. */
  private static byte[] pad(byte[] plaintext) {
    int n = BLOCK_BYTES - plaintext.length % BLOCK_BYTES;
    byte[] padded = Arrays.copyOf(plaintext, plaintext.length + n);
    Arrays.fill(padded, plaintext.length, padded.length, (byte) n);
    return padded;
  }

  private static byte[] unpad(byte[] padded) throws InvalidTokenException {
    int n = padded[padded.length - 1] & 0xff;
    if (n < 1 || n > BLOCK_BYTES) {
      throw new InvalidTokenException(Reason.BAD_PADDING);
    }
    for (int i = padded.length - n; i < padded.length; i++) {
      if (padded[i] != (byte) n) {
        throw new InvalidTokenException(Reason.BAD_PADDING);
      }
    }
    return Arrays.copyOf(padded, padded.length - n);
  }

  /** Strict UTF-8: a lone surrogate would otherwise become '?' and not round-trip. */
  static byte[] utf8(String text) {
    Objects.requireNonNull(text, "plaintext");
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("plaintext is not valid Unicode text (lone surrogate)");
    }
  }

  /** Strict UTF-8 decoding, as Python's {@code bytes.decode()}. */
  static String fromUtf8(byte[] bytes) throws InvalidTokenException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidTokenException(Reason.NOT_UTF8);
    }
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "Fernet[key hidden]";
  }
}
