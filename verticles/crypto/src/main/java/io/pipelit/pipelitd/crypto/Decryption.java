package io.pipelit.pipelitd.crypto;

/**
 * What {@link FieldKeyring#decrypt(String)} found in a stored value. It tells a secret apart from a
 * plaintext left by an older database and from a token that no key opens, so that the last is never
 * mistaken for the secret (Pipelit returns it as the secret, reference §2.3).
 *
 * <p>{@link #toString()} shows the status only, never the value: a {@code Decryption} may be logged.
 */
public final class Decryption {

  /** The three outcomes. */
  public enum Status {
    /** A token one of the keys opened, or a stored null or {@code ""} (kept as is, as Pipelit does). */
    OK,
    /** Not a Fernet token: a plaintext written before encryption existed. Rotation encrypts it. */
    NOT_A_TOKEN,
    /**
     * A Fernet token (or what is left of one) that no key opens: a wrong or missing key, or a damaged
     * value. Its secret is unknown.
     */
    UNDECRYPTABLE
  }

  private static final Decryption UNDECRYPTABLE = new Decryption(Status.UNDECRYPTABLE, null, -1);

  private final Status status;
  private final String value;
  private final int keyIndex;

  private Decryption(Status status, String value, int keyIndex) {
    this.status = status;
    this.value = value;
    this.keyIndex = keyIndex;
  }

  static Decryption ok(String plaintext, int keyIndex) {
    return new Decryption(Status.OK, plaintext, keyIndex);
  }

  static Decryption notAToken(String stored) {
    return new Decryption(Status.NOT_A_TOKEN, stored, -1);
  }

  static Decryption undecryptable() {
    return UNDECRYPTABLE;
  }

  /** Which of the three outcomes. */
  public Status status() {
    return status;
  }

  /** True when {@link #status()} is {@link Status#OK}. */
  public boolean isOk() {
    return status == Status.OK;
  }

  /**
   * The secret: the decrypted text for {@link Status#OK} (null and {@code ""} stay as they were), the
   * stored text itself for {@link Status#NOT_A_TOKEN}.
   *
   * @throws IllegalStateException for {@link Status#UNDECRYPTABLE}: there is no secret to give, and
   *     handing back the stored token instead is exactly the mistake this type exists to prevent
   */
  public String value() {
    if (status == Status.UNDECRYPTABLE) {
      throw new IllegalStateException(
          "the stored value is a token that no key in " + FieldKeyring.CONFIG_KEY + " opens");
    }
    return value;
  }

  /**
   * The position in {@code FIELD_ENCRYPTION_KEY} (0 = the first, primary key) of the key that opened
   * the token; -1 when no key was involved (null, {@code ""}, plaintext, undecryptable).
   */
  public int keyIndex() {
    return keyIndex;
  }

  @Override
  public String toString() {
    return keyIndex >= 0 ? "Decryption[" + status + ", key " + (keyIndex + 1) + "]" : "Decryption[" + status + "]";
  }
}
