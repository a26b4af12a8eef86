package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.crypto.FieldKeyring;

/**
 * Encryption of secret columns at rest with {@code FIELD_ENCRYPTION_KEY} (Fernet, readable by Pipelit's
 * Python code with the same key). Stores call {@link #seal} before writing a secret and {@link #open}
 * after reading one; nothing else touches the keyring.
 *
 * <p>Unlike Pipelit, a value that no key decrypts is never handed out as if it were the secret: it
 * fails the request (and the daemon's start-up check refuses a key that opens nothing at all).
 * Plaintext left by an older database is returned as it is until {@code keys rotate} encrypts it.
 */
public final class FieldSecrets {
  private final FieldKeyring keyring;

  public FieldSecrets(FieldKeyring keyring) {
    this.keyring = keyring;
  }

  /** The value to store: a Fernet token made with the first key ({@code null} and {@code ""} as they are). */
  public String seal(String plaintext) {
    return keyring.encrypt(plaintext);
  }

  /**
   * The secret behind a stored value ({@code null} and {@code ""} as they are).
   *
   * @throws StoreException INTERNAL when no configured key decrypts the value; the detail says what to
   *     check and never contains the value
   */
  public String open(String stored) {
    Decryption decryption = keyring.decrypt(stored);
    return switch (decryption.status()) {
      case OK, NOT_A_TOKEN -> decryption.value();
      case UNDECRYPTABLE -> throw new StoreException(ErrorCode.INTERNAL,
          "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY; check that the key is the one"
              + " the data was written with.");
    };
  }

  /** The keyring, for rotation. */
  public FieldKeyring keyring() {
    return keyring;
  }
}
