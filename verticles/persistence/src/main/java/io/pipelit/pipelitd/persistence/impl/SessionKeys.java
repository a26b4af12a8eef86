package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The login key: one row per user named {@code "session"} (Pipelit's {@code _rotate_session_key}).
 * Each login replaces its digest and prefix and re-activates it, so the previous login key stops
 * working. Unlike Pipelit, a deactivated user gets no key.
 */
final class SessionKeys {
  private SessionKeys() {}

  static final String NAME = "session";
  static final String INVALID_CREDENTIALS = "Invalid credentials.";

  /** Inside a write: the new full key. UNAUTHENTICATED when the user is missing or deactivated. */
  static String rotate(Connection c, Dialect dialect, long userId) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement("SELECT is_active FROM user_profiles WHERE id = ?"
        + dialect.lockRows("user_profiles"))) {
      statement.setLong(1, userId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next() || !dialect.getBoolean(rows, "is_active")) {
          throw new StoreException(ErrorCode.UNAUTHENTICATED, INVALID_CREDENTIALS);
        }
      }
    }
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT id FROM api_keys WHERE user_id = ? AND name = ? ORDER BY id")) {
      statement.setLong(1, userId);
      statement.setString(2, NAME);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
        }
      }
    }
    String key = ApiKeys.generate();
    if (ids.isEmpty()) {
      try (PreparedStatement statement = c.prepareStatement("INSERT INTO api_keys (user_id, key, name, prefix,"
          + " created_at, is_active) VALUES (?, ?, ?, ?, ?, ?)")) {
        statement.setLong(1, userId);
        statement.setString(2, ApiKeys.hash(key));
        statement.setString(3, NAME);
        statement.setString(4, ApiKeys.prefix(key));
        dialect.setTimestamp(statement, 5, Instant.now());
        dialect.setBoolean(statement, 6, true);
        statement.executeUpdate();
      }
      return key;
    }
    try (PreparedStatement statement = c.prepareStatement(
        "UPDATE api_keys SET key = ?, prefix = ?, is_active = ? WHERE id = ?")) {
      statement.setString(1, ApiKeys.hash(key));
      statement.setString(2, ApiKeys.prefix(key));
      dialect.setBoolean(statement, 3, true);
      statement.setLong(4, ids.get(0));
      statement.executeUpdate();
    }
    // An adopted database may hold several "session" rows: only the first one stays usable.
    for (long extra : ids.subList(1, ids.size())) {
      try (PreparedStatement statement = c.prepareStatement("UPDATE api_keys SET is_active = ? WHERE id = ?")) {
        dialect.setBoolean(statement, 1, false);
        statement.setLong(2, extra);
        statement.executeUpdate();
      }
    }
    return key;
  }
}
