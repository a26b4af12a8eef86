package io.pipelit.pipelitd.checkpoints.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;

/**
 * What differs between the checkpoint tables on SQLite and on PostgreSQL: the DDL, how metadata is
 * stored (LangGraph's SqliteSaver writes UTF-8 JSON bytes into a BLOB; PostgreSQL gets JSONB, as
 * langgraph-checkpoint-postgres has it), the metadata filter and the byte length function. Everything
 * else (ON CONFLICT upserts, BLOB/BYTEA binding with setBytes) is the same SQL on both.
 */
enum Flavor {
  SQLITE {
    /**
     * LangGraph's own {@code SqliteSaver.setup()} DDL, verbatim, so that a file created here is exactly
     * what LangGraph would have created (and vice versa); {@code task_path} is added afterwards, as the
     * newer LangGraph versions do, when an older file lacks it.
     */
    private static final List<String> DDL = List.of(
        "CREATE TABLE IF NOT EXISTS checkpoints (\n"
            + "    thread_id TEXT NOT NULL,\n"
            + "    checkpoint_ns TEXT NOT NULL DEFAULT '',\n"
            + "    checkpoint_id TEXT NOT NULL,\n"
            + "    parent_checkpoint_id TEXT,\n"
            + "    type TEXT,\n"
            + "    checkpoint BLOB,\n"
            + "    metadata BLOB,\n"
            + "    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)\n"
            + ")",
        "CREATE TABLE IF NOT EXISTS writes (\n"
            + "    thread_id TEXT NOT NULL,\n"
            + "    checkpoint_ns TEXT NOT NULL DEFAULT '',\n"
            + "    checkpoint_id TEXT NOT NULL,\n"
            + "    task_id TEXT NOT NULL,\n"
            + "    idx INTEGER NOT NULL,\n"
            + "    channel TEXT NOT NULL,\n"
            + "    type TEXT,\n"
            + "    value BLOB,\n"
            + "    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)\n"
            + ")");

    @Override
    void ensureSchema(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        for (String ddl : DDL) {
          s.execute(ddl);
        }
        boolean hasTaskPath = false;
        try (ResultSet columns = s.executeQuery("PRAGMA table_info(writes)")) {
          while (columns.next()) {
            hasTaskPath |= "task_path".equals(columns.getString("name"));
          }
        }
        if (!hasTaskPath) {
          s.execute("ALTER TABLE writes ADD COLUMN task_path TEXT NOT NULL DEFAULT ''");
        }
      }
    }

    @Override
    String metadataParameter() {
      return "?";
    }

    @Override
    void bindMetadata(PreparedStatement s, int index, JsonObject metadata) throws SQLException {
      s.setBytes(index, metadata.encode().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    String metadataText(ResultSet rows, String column) throws SQLException {
      // A BLOB from LangGraph, or TEXT from older writers: both read as bytes.
      byte[] bytes = rows.getBytes(column);
      return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** LangGraph's own predicate: {@code json_extract(CAST(metadata AS TEXT), '$.key') = ?}. */
    @Override
    String filterPredicate(Object value) {
      return value == null
          ? "json_extract(CAST(metadata AS TEXT), ?) IS NULL"
          : "json_extract(CAST(metadata AS TEXT), ?) = ?";
    }

    @Override
    int bindFilter(PreparedStatement s, int index, String key, Object value) throws SQLException {
      s.setString(index++, "$.\"" + key + "\"");
      if (value == null) {
        return index;
      }
      // json_extract answers SQL values: integers and reals as numbers, true/false as 1/0, strings as
      // text, objects and arrays as minified JSON text (compared with Vert.x's minified encoding).
      if (value instanceof Boolean b) {
        s.setInt(index, b ? 1 : 0);
      } else if (value instanceof Integer || value instanceof Long) {
        s.setLong(index, ((Number) value).longValue());
      } else if (value instanceof Number n) {
        s.setDouble(index, n.doubleValue());
      } else if (value instanceof JsonObject o) {
        s.setString(index, o.encode());
      } else if (value instanceof JsonArray a) {
        s.setString(index, a.encode());
      } else {
        s.setString(index, value.toString());
      }
      return index + 1;
    }

    @Override
    String byteLength(String column) {
      return "length(" + column + ")";
    }
  },

  POSTGRESQL {
    /**
     * The same two tables with native types. Not langgraph-checkpoint-postgres' layout (which splits
     * channel values into {@code checkpoint_blobs} and keeps the checkpoint as JSONB): LangGraph's
     * serialized checkpoint is kept whole, as on SQLite, so the API is the same on both backends.
     */
    private static final List<String> DDL = List.of(
        "CREATE TABLE IF NOT EXISTS checkpoints ("
            + " thread_id TEXT NOT NULL,"
            + " checkpoint_ns TEXT NOT NULL DEFAULT '',"
            + " checkpoint_id TEXT NOT NULL,"
            + " parent_checkpoint_id TEXT,"
            + " type TEXT,"
            + " checkpoint BYTEA,"
            + " metadata JSONB NOT NULL DEFAULT '{}',"
            + " PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))",
        "CREATE TABLE IF NOT EXISTS writes ("
            + " thread_id TEXT NOT NULL,"
            + " checkpoint_ns TEXT NOT NULL DEFAULT '',"
            + " checkpoint_id TEXT NOT NULL,"
            + " task_id TEXT NOT NULL,"
            + " idx INTEGER NOT NULL,"
            + " channel TEXT NOT NULL,"
            + " type TEXT,"
            + " value BYTEA,"
            + " task_path TEXT NOT NULL DEFAULT '',"
            + " PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx))",
        "ALTER TABLE writes ADD COLUMN IF NOT EXISTS task_path TEXT NOT NULL DEFAULT ''");

    @Override
    void ensureSchema(Connection c) throws SQLException {
      // A langgraph-checkpoint-postgres schema in the same database has a table of the same name with a
      // JSONB checkpoint: refuse clearly instead of failing on the first write.
      try (PreparedStatement s = c.prepareStatement("SELECT data_type FROM information_schema.columns"
          + " WHERE table_schema = current_schema() AND table_name = 'checkpoints' AND column_name = 'checkpoint'")) {
        try (ResultSet rows = s.executeQuery()) {
          if (rows.next() && !"bytea".equalsIgnoreCase(rows.getString(1))) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "The checkpoint database already has a 'checkpoints'"
                + " table of another layout (langgraph-checkpoint-postgres?); point CHECKPOINTS_DATABASE_URL at"
                + " another database.");
          }
        }
      }
      try (Statement s = c.createStatement()) {
        for (String ddl : DDL) {
          s.execute(ddl);
        }
      }
    }

    @Override
    String metadataParameter() {
      return "CAST(? AS jsonb)";
    }

    @Override
    void bindMetadata(PreparedStatement s, int index, JsonObject metadata) throws SQLException {
      s.setString(index, metadata.encode());
    }

    @Override
    String metadataText(ResultSet rows, String column) throws SQLException {
      return rows.getString(column);
    }

    /** JSONB containment, as langgraph-checkpoint-postgres filters: {@code metadata @> '{"key": value}'}. */
    @Override
    String filterPredicate(Object value) {
      return "metadata @> CAST(? AS jsonb)";
    }

    @Override
    int bindFilter(PreparedStatement s, int index, String key, Object value) throws SQLException {
      s.setObject(index, new JsonObject().put(key, value).encode(), Types.VARCHAR);
      return index + 1;
    }

    @Override
    String byteLength(String column) {
      return "octet_length(" + column + ")";
    }

    @Override
    String threadLock(boolean exclusive) {
      // Transaction-scoped, released at commit or rollback; keyed by a hash of the thread id (a
      // collision only makes two threads wait for each other).
      return exclusive ? "SELECT pg_advisory_xact_lock(hashtext(?))"
          : "SELECT pg_advisory_xact_lock_shared(hashtext(?))";
    }

    @Override
    String lockRows() {
      return " FOR UPDATE";
    }
  };

  /**
   * A statement taking a per-thread lock until the transaction ends (one parameter: the thread id), or
   * null when none is needed. Writes to a thread take it shared, a prune exclusive, so that a prune's
   * plan and deletes cannot interleave with writes to that thread (PostgreSQL runs writes in parallel at
   * READ COMMITTED). SQLite: null, its single writer runs writes one at a time.
   */
  String threadLock(boolean exclusive) {
    return null;
  }

  /** Clause locking the rows a SELECT inside a write returns (storage's Dialect.lockRows); SQLite: none. */
  String lockRows() {
    return "";
  }

  /** Creates the tables when missing and adds columns newer LangGraph versions have. Idempotent. */
  abstract void ensureSchema(Connection c) throws SQLException;

  /** The placeholder of the metadata value in an INSERT. */
  abstract String metadataParameter();

  abstract void bindMetadata(PreparedStatement s, int index, JsonObject metadata) throws SQLException;

  /** The metadata column as JSON text, or null. */
  abstract String metadataText(ResultSet rows, String column) throws SQLException;

  /** A WHERE predicate matching one top-level metadata key against {@code value}. */
  abstract String filterPredicate(Object value);

  /** Binds the parameters of {@link #filterPredicate}; returns the next parameter index. */
  abstract int bindFilter(PreparedStatement s, int index, String key, Object value) throws SQLException;

  /** SQL for the length in bytes of a BLOB/BYTEA column. */
  abstract String byteLength(String column);
}
