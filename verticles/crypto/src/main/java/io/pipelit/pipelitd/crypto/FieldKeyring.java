package io.pipelit.pipelitd.crypto;

import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.crypto.InvalidTokenException.Reason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys of {@code FIELD_ENCRYPTION_KEY} and the rules for encrypted columns.
 *
 * <p>The setting holds one or more comma-separated Fernet keys: the first encrypts, all decrypt, as
 * Python's {@code MultiFernet}. Rotating is therefore: put a new key first, keep the old ones after
 * it, re-encrypt with {@link #rotate(String)} every value for which {@link #needsRotation(String)} is
 * true, then drop the old keys. A single key is exactly what Pipelit uses, so its tokens are read
 * as they are and Python reads ours.
 *
 * <p>Pipelit's rules are kept: null stays null and {@code ""} stays {@code ""} (never encrypted). Its
 * bug is not: a token that no key opens is reported as {@link Decryption.Status#UNDECRYPTABLE}, never
 * returned as if it were the secret.
 *
 * <p>Immutable and thread-safe. Neither its messages nor {@link #toString()} contain key material.
 */
public final class FieldKeyring {
  /** The configuration key this keyring is built from. */
  public static final String CONFIG_KEY = "FIELD_ENCRYPTION_KEY";

  /**
   * Every token begins with these characters (version 0x80 and a timestamp's zero high bytes, until
   * the year 4147). A value that starts so but is not a whole token is a damaged token, not a
   * plaintext: treating it as plaintext would hand ciphertext out as the secret.
   */
  private static final String TOKEN_PREFIX = "gAAAAA";

  private final List<Fernet> keys;

  private FieldKeyring(List<Fernet> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * The keyring of a {@code FIELD_ENCRYPTION_KEY} value, with the system clock.
   *
   * @throws ConfigException when the value is empty or a key in it is malformed; the message says
   *     which key (1st, 2nd...) and what is wrong, never any of its characters
   */
  public static FieldKeyring parse(String value) {
    return parse(value, Clock.systemUTC());
  }

  /**
   * The keyring of a {@code FIELD_ENCRYPTION_KEY} value whose new tokens take their timestamp from
   * {@code clock}.
   *
   * @throws ConfigException as {@link #parse(String)}
   */
  public static FieldKeyring parse(String value, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    if (value == null || value.isBlank()) {
      throw new ConfigException(CONFIG_KEY, "is empty: `scripts/pipelitd keys generate` prints a new key");
    }
    String[] items = value.split(",", -1);
    List<Fernet> keys = new ArrayList<>(items.length);
    for (int i = 0; i < items.length; i++) {
      String item = items[i].strip();
      String which = items.length == 1 ? "" : "(" + ordinal(i + 1) + " of " + items.length + " comma-separated keys) ";
      if (item.isEmpty()) {
        throw new ConfigException(CONFIG_KEY, which + "is empty (a stray comma?)");
      }
      String problem = Fernet.keyProblem(item);
      if (problem != null) {
        throw new ConfigException(CONFIG_KEY, which + problem
            + "; `scripts/pipelitd keys generate` prints a valid key");
      }
      keys.add(new Fernet(item, clock));
    }
    return new FieldKeyring(keys);
  }

  /** A new random key, 44 characters, as Python's {@code Fernet.generate_key()} makes. */
  public static String generateKey() {
    return Fernet.generateKey();
  }

  /** How many keys; the first one encrypts. */
  public int size() {
    return keys.size();
  }

  /**
   * The token to store for {@code plaintext}, made with the first key; null and {@code ""} are
   * returned unchanged (Pipelit stores them so).
   */
  public String encrypt(String plaintext) {
    if (plaintext == null || plaintext.isEmpty()) {
      return plaintext;
    }
    return keys.get(0).encrypt(plaintext);
  }

  /**
   * What a stored value holds. Tries the keys in order; never throws for bad data.
   *
   * @see Decryption
   */
  public Decryption decrypt(String stored) {
    if (stored == null || stored.isEmpty()) {
      return Decryption.ok(stored, -1);
    }
    byte[] data;
    try {
      data = Fernet.parse(stored);
    } catch (InvalidTokenException e) {
      return stored.strip().startsWith(TOKEN_PREFIX) ? Decryption.undecryptable() : Decryption.notAToken(stored);
    }
    for (int i = 0; i < keys.size(); i++) {
      try {
        return Decryption.ok(Fernet.fromUtf8(keys.get(i).open(data)), i);
      } catch (InvalidTokenException e) {
        // Not this key (or a token that is not text): try the next one, as MultiFernet does.
      }
    }
    return Decryption.undecryptable();
  }

  /**
   * Whether {@code stored} has the structure of a Fernet token (see {@link Fernet#isToken}); false for
   * null and {@code ""}.
   */
  public boolean isToken(String stored) {
    return stored != null && !stored.isEmpty() && Fernet.isToken(stored);
  }

  /**
   * Whether {@link #rotate(String)} would change {@code stored}: a plaintext, or a token opened by a
   * key other than the first. False for null, {@code ""}, tokens of the first key, and values no key
   * opens (those cannot be rotated: find them with {@link #decrypt(String)}).
   */
  public boolean needsRotation(String stored) {
    Decryption d = decrypt(stored);
    return switch (d.status()) {
      case NOT_A_TOKEN -> true;
      case OK -> d.keyIndex() > 0;
      case UNDECRYPTABLE -> false;
    };
  }

  /**
   * {@code stored} re-encrypted with the first key: a plaintext is encrypted, a token of another key
   * is re-encrypted keeping its original timestamp (as {@code MultiFernet.rotate}); null, {@code ""}
   * and tokens already made by the first key are returned unchanged, so re-running a rotation is
   * cheap and harmless.
   *
   * @throws InvalidTokenException when no key opens the token; the value must then be left as is
   */
  public String rotate(String stored) throws InvalidTokenException {
    if (stored == null || stored.isEmpty()) {
      return stored;
    }
    Decryption d = decrypt(stored);
    switch (d.status()) {
      case NOT_A_TOKEN:
        return encrypt(stored);
      case UNDECRYPTABLE:
        throw new InvalidTokenException(Fernet.isToken(stored) ? Reason.BAD_HMAC : Reason.MALFORMED);
      default:
        break;
    }
    if (d.keyIndex() == 0) {
      return stored;
    }
    return keys.get(0).encryptAt(Fernet.utf8(d.value()), Fernet.timestamp(Fernet.parse(stored)));
  }

  /** Never shows a key. */
  @Override
  public String toString() {
    return "FieldKeyring[" + keys.size() + (keys.size() == 1 ? " key]" : " keys]");
  }

  /** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st... */
  static String ordinal(int n) {
    int mod100 = n % 100;
    String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    };
    return n + suffix;
  }
}
