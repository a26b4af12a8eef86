package io.pipelit.pipelitd.storage.backup;

/** A backup, verification or restore that cannot go on; the message is for the operator (no secrets). */
public class BackupException extends RuntimeException {
  public BackupException(String message) {
    super(message);
  }

  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
