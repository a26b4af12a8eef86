package io.pipelit.pipelitd.crypto;

/**
 * A Fernet token that cannot be opened: malformed, tampered with, made with another key, or outside
 * its time-to-live. The counterpart of Python's {@code cryptography.fernet.InvalidToken}, with a
 * {@link Reason} added for diagnostics.
 *
 * <p>The message names the reason only: it never contains the token, a key or any plaintext, so it is
 * safe to log. Checked, because a caller that forgets this case would be tempted to use the stored
 * text as if it were the secret (Pipelit's bug, reference §2.3).
 */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a token was refused, in the order the checks run. */
  public enum Reason {
    /** Not url-safe base64, too short, or a ciphertext that is not whole AES blocks. */
    MALFORMED("not a well-formed Fernet token"),
    /** The first byte is not 0x80, the only version the specification defines. */
    BAD_VERSION("unknown Fernet version"),
    /** Older than the time-to-live the caller asked for. */
    EXPIRED("token has expired"),
    /** Timestamp more than 60 s in the future (checked only with a time-to-live, as in Python). */
    FUTURE("token timestamp is in the future"),
    /** HMAC mismatch: another key made it, or the token was altered. */
    BAD_HMAC("signature does not match the key (wrong key or altered token)"),
    /** HMAC fine but the decrypted bytes do not end in valid PKCS7 padding. */
    BAD_PADDING("invalid padding after decryption"),
    /** Opened fine, but the plaintext is not UTF-8 text, so it cannot be a stored string. */
    NOT_UTF8("plaintext is not UTF-8 text");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** A human sentence for this reason, free of any token or key material. */
    public String description() {
      return description;
    }
  }

  private final Reason reason;

  /** A refusal for {@code reason}; the message is derived from the reason alone. */
  public InvalidTokenException(Reason reason) {
    // No cause and no stack-trace suppression games: nothing below us carries data worth chaining,
    // and JCE messages could otherwise leak details of the input.
    super("invalid Fernet token: " + reason.description());
    this.reason = reason;
  }

  /** Why the token was refused. */
  public Reason reason() {
    return reason;
  }
}
