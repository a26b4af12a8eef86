package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.RequestFields;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.crypto.InvalidTokenException;
import io.pipelit.pipelitd.persistence.EncryptedColumns;
import io.pipelit.pipelitd.storage.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * One batch of {@code keys rotate}: reads up to {@code limit} rows of one encrypted column after
 * {@code after_id} (read pool), re-encrypts with the first key what needs it (off the writer), then
 * writes the changes in one write through the writer. Each UPDATE only applies when the stored value is
 * still the one that was read, so a secret changed meanwhile by a live request (which wrote it with the
 * first key already) is left alone. Re-running is harmless: values already on the first key are
 * counted as current and not written.
 */
public final class KeyRotationStore {
  private final Database db;
  private final FieldKeyring keyring;

  public KeyRotationStore(Database db, FieldSecrets secrets) {
    this.db = db;
    this.keyring = secrets.keyring();
  }

  private record Change(long id, String before, String after) {}

  private record Batch(JsonObject summary, List<Change> changes) {}

  /**
   * {@code {"table", "column", "after_id"?, "limit"?}} → {@code {"last_id", "seen", "rotated", "current",
   * "plaintext", "undecryptable_ids": [...], "changed_meanwhile", "done"}}.
   */
  public Future<JsonObject> rotateBatch(JsonObject request) {
    String table = RequestFields.requiredString(request, "table", 100);
    String name = RequestFields.requiredString(request, "column", 100);
    EncryptedColumns.Column column = EncryptedColumns.find(table, name)
        .orElseThrow(() -> StoreException.validation("column: " + table + "." + name + " is not an encrypted column"));
    long afterId = RequestFields.optionalLong(request, "after_id", 0, Long.MAX_VALUE, 0L);
    int limit = RequestFields.optionalLong(request, "limit", 1, 10_000, 200L).intValue();
    String select = "SELECT id, " + column.column() + " FROM " + column.table() + " WHERE id > ? ORDER BY id LIMIT ?";
    String update = "UPDATE " + column.table() + " SET " + column.column() + " = ? WHERE id = ? AND "
        + column.column() + " = ?";
    return db.read(c -> {
      JsonObject result = new JsonObject();
      List<Change> changes = new ArrayList<>();
      JsonArray undecryptable = new JsonArray();
      long lastId = afterId;
      int seen = 0;
      int current = 0;
      int plaintext = 0;
      try (PreparedStatement statement = c.prepareStatement(select)) {
        statement.setLong(1, afterId);
        statement.setInt(2, limit);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            seen++;
            long id = rows.getLong(1);
            lastId = id;
            String stored = rows.getString(2);
            if (stored == null || stored.isEmpty()) {
              continue;
            }
            Decryption d = keyring.decrypt(stored);
            switch (d.status()) {
              case UNDECRYPTABLE -> undecryptable.add(id);
              case OK -> {
                if (d.keyIndex() == 0) {
                  current++;
                } else {
                  changes.add(new Change(id, stored, rotate(stored)));
                }
              }
              case NOT_A_TOKEN -> {
                plaintext++;
                changes.add(new Change(id, stored, keyring.encrypt(stored)));
              }
            }
          }
        }
      }
      result.put("last_id", lastId).put("seen", seen).put("current", current)
          .put("plaintext", plaintext).put("undecryptable_ids", undecryptable).put("done", seen < limit)
          .put("changes", changes.size());
      return new Batch(result, changes);
    }).compose(batch -> {
      JsonObject read = batch.summary();
      List<Change> changes = batch.changes();
      if (changes.isEmpty()) {
        return Future.succeededFuture(read.put("rotated", 0).put("changed_meanwhile", 0));
      }
      return db.write(c -> {
        int written = 0;
        try (PreparedStatement statement = c.prepareStatement(update)) {
          for (Change change : changes) {
            statement.setString(1, change.after());
            statement.setLong(2, change.id());
            statement.setString(3, change.before());
            written += statement.executeUpdate();
          }
        }
        return written;
      }).map(written -> {
        int plaintext = read.getInteger("plaintext");
        int total = changes.size();
        // Plaintext values encrypted count as "plaintext", re-encrypted tokens as "rotated".
        return read.put("rotated", Math.max(0, written - plaintext))
            .put("changed_meanwhile", total - written);
      });
    });
  }

  private String rotate(String stored) {
    try {
      return keyring.rotate(stored);
    } catch (InvalidTokenException e) {
      throw new IllegalStateException("a token that opened no longer opens", e);
    }
  }
}
