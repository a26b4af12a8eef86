package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.EncryptedColumns;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up wrong-key check: when the database holds encrypted values and not one of them opens
 * with the configured keys, the key is wrong (or missing one), and serving would only fail on every
 * secret or, worse, overwrite secrets with values under a new key. The daemon then refuses to start.
 * Reads only; stops at the first value that opens.
 */
public final class KeyCheck {
  private KeyCheck() {}

  /** Thrown when no stored token opens; the message says what to do and holds no secret. */
  public static final class WrongKeyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    WrongKeyException(String message) {
      super(message);
    }
  }

  /** SQLite "no such table/column", PostgreSQL 42P01 (undefined table) or 42703 (undefined column). */
  private static boolean isMissingTableOrColumn(SQLException e) {
    String state = e.getSQLState();
    String message = String.valueOf(e.getMessage());
    return "42P01".equals(state) || "42703".equals(state) || message.contains("no such table")
        || message.contains("no such column");
  }

  /**
   * Scans the encrypted columns.
   *
   * @throws WrongKeyException when tokens are stored and none opens with {@code keyring}
   */
  public static void verify(Connection c, FieldKeyring keyring) throws SQLException {
    long tokens = 0;
    List<String> checked = new ArrayList<>();
    for (EncryptedColumns.Column column : EncryptedColumns.ALL) {
      long here = 0;
      try (PreparedStatement statement = c.prepareStatement("SELECT " + column.column() + " FROM "
          + column.table() + " WHERE " + column.column() + " IS NOT NULL AND " + column.column() + " <> ''");
           ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          Decryption d = keyring.decrypt(rows.getString(1));
          if (d.status() == Decryption.Status.OK) {
            return; // one value opens: the key is right (rotation reports any other stragglers)
          }
          if (d.status() == Decryption.Status.UNDECRYPTABLE) {
            here++;
          }
        }
      } catch (SQLException e) {
        if (!isMissingTableOrColumn(e)) {
          throw e;
        }
        // The check runs before migrations: an older schema may not have this column yet.
      }
      if (here > 0) {
        tokens += here;
        checked.add(column.qualified());
      }
    }
    if (tokens > 0) {
      throw new WrongKeyException("FIELD_ENCRYPTION_KEY does not decrypt any of the " + tokens
          + " encrypted value(s) stored in the database (checked " + String.join(", ", checked)
          + "): it is not the key they were written with. Set FIELD_ENCRYPTION_KEY to that key, or add it"
          + " after a comma (the first key encrypts, every key decrypts), then start again."
          + " pipelitd refused to start and wrote nothing.");
    }
  }
}
