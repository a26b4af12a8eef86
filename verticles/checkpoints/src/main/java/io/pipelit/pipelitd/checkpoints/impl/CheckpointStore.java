package io.pipelit.pipelitd.checkpoints.impl;

import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.Statements;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The checkpoint operations ({@link io.pipelit.pipelitd.contracts.CheckpointAddresses}) over the two
 * LangGraph tables. Requests are validated on the caller's context (large blobs are decoded on a worker
 * thread), SQL runs on the database's threads, and replies are built there too, so that no base64 work
 * on a large checkpoint lands on an event loop.
 */
public final class CheckpointStore {

  /** Supplies the database, opening it on first use. */
  public interface Access {
    /**
     * The database; when {@code create} is false and it does not exist yet (a SQLite file never written),
     * a null result, so that reads and deletes answer "nothing" without creating the file.
     */
    Future<Database> database(boolean create);
  }

  /** LangGraph's WRITES_IDX_MAP: special channels have fixed negative indexes, one row per task. */
  static final Map<String, Integer> SPECIAL_CHANNELS = Map.of(
      "__error__", -1, "__scheduled__", -2, "__interrupt__", -3, "__resume__", -4);

  /** Blobs longer than this (base64 characters) are decoded on a worker thread, not on the event loop. */
  private static final int INLINE_DECODE_LIMIT = 256 * 1024;
  static final int DEFAULT_LIST_LIMIT = 100;
  static final int MAX_LIST_LIMIT = 1000;
  /** Metadata filter keys: top-level keys only, with the characters LangGraph's metadata uses. */
  private static final Pattern FILTER_KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,128}");

  private static final String TUPLE_COLUMNS =
      "thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata";

  private final Vertx vertx;
  private final Access access;
  private final Flavor flavor;
  private final long maxBytes;

  /**
   * @param url      the checkpoint database's URL (its backend picks the SQL flavor)
   * @param maxBytes largest checkpoint, or batch of writes, accepted (CHECKPOINTS_MAX_BYTES)
   */
  public CheckpointStore(Vertx vertx, Access access, DatabaseUrl url, long maxBytes) {
    this.vertx = vertx;
    this.access = access;
    this.flavor = Schema.flavor(url);
    this.maxBytes = maxBytes;
  }

  // --- put ----------------------------------------------------------------------------------------

  private record Checkpoint(String threadId, String ns, String id, String parentId, String type, byte[] blob,
      JsonObject metadata) {}

  public Future<JsonObject> put(JsonObject request) {
    return decode(request, "checkpoint", this::parseCheckpoint).compose(cp -> access.database(true)
        .compose(db -> db.write(c -> {
          lockThread(c, cp.threadId(), false);
          PreparedStatement s = Statements.prepare(c, "INSERT INTO checkpoints (" + TUPLE_COLUMNS + ")"
              + " VALUES (?, ?, ?, ?, ?, ?, " + flavor.metadataParameter() + ")"
              + " ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET"
              + " parent_checkpoint_id = excluded.parent_checkpoint_id, type = excluded.type,"
              + " checkpoint = excluded.checkpoint, metadata = excluded.metadata");
          s.setString(1, cp.threadId());
          s.setString(2, cp.ns());
          s.setString(3, cp.id());
          s.setString(4, cp.parentId());
          s.setString(5, cp.type());
          s.setBytes(6, cp.blob());
          flavor.bindMetadata(s, 7, cp.metadata());
          s.executeUpdate();
          return null;
        }))
        .map(done -> new JsonObject().put("thread_id", cp.threadId()).put("checkpoint_ns", cp.ns())
            .put("checkpoint_id", cp.id())));
  }

  private Checkpoint parseCheckpoint(JsonObject request) {
    String threadId = Fields.id(request, "thread_id");
    String checkpointId = Fields.id(request, "checkpoint_id");
    String ns = Fields.optionalId(request, "ns", "");
    JsonObject body = Fields.body(request);
    String parentId = Fields.optionalId(body, "parent_checkpoint_id", null);
    String type = Fields.type(body, "type");
    Object metadataValue = body.getValue("metadata");
    if (metadataValue != null && !(metadataValue instanceof JsonObject)) {
      throw StoreException.validation("metadata: must be a JSON object");
    }
    JsonObject metadata = metadataValue == null ? new JsonObject() : (JsonObject) metadataValue;
    byte[] blob = Fields.base64(body, "checkpoint", maxBytes);
    long metadataBytes = metadata.encode().getBytes(StandardCharsets.UTF_8).length;
    if (blob.length + metadataBytes > maxBytes) {
      throw Fields.tooLarge(maxBytes);
    }
    return new Checkpoint(threadId, ns, checkpointId, parentId, type, blob, metadata);
  }

  // --- put_writes ---------------------------------------------------------------------------------

  private record Write(int idx, String channel, String type, byte[] value) {}

  private record Writes(String threadId, String ns, String checkpointId, String taskId, String taskPath,
      List<Write> writes) {}

  public Future<JsonObject> putWrites(JsonObject request) {
    return decode(request, "writes", this::parseWrites).compose(w -> access.database(true)
        .compose(db -> db.write(c -> {
          // LangGraph: special channels replace their row (at their fixed index), other writes never
          // overwrite an existing one.
          String insert = "INSERT INTO writes (thread_id, checkpoint_ns,"
              + " checkpoint_id, task_id, task_path, idx, channel, type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
          PreparedStatement upsert = Statements.prepare(c, insert
              + " ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET"
              + " task_path = excluded.task_path, channel = excluded.channel, type = excluded.type,"
              + " value = excluded.value");
          PreparedStatement ignore = Statements.prepare(c, insert + " ON CONFLICT DO NOTHING");
          lockThread(c, w.threadId(), false);
          for (Write write : w.writes()) {
            PreparedStatement s = SPECIAL_CHANNELS.containsKey(write.channel()) ? upsert : ignore;
            s.setString(1, w.threadId());
            s.setString(2, w.ns());
            s.setString(3, w.checkpointId());
            s.setString(4, w.taskId());
            s.setString(5, w.taskPath());
            s.setInt(6, write.idx());
            s.setString(7, write.channel());
            s.setString(8, write.type());
            s.setBytes(9, write.value());
            s.executeUpdate();
          }
          return null;
        }))
        .map(done -> new JsonObject().put("thread_id", w.threadId()).put("checkpoint_ns", w.ns())
            .put("checkpoint_id", w.checkpointId()).put("task_id", w.taskId()).put("writes", w.writes().size())));
  }

  private Writes parseWrites(JsonObject request) {
    String threadId = Fields.id(request, "thread_id");
    String checkpointId = Fields.id(request, "checkpoint_id");
    String ns = Fields.optionalId(request, "ns", "");
    JsonObject body = Fields.body(request);
    String taskId = Fields.id(body, "task_id");
    String taskPath = Fields.optionalId(body, "task_path", "");
    JsonArray array = Fields.optionalArray(body, "writes");
    if (array == null) {
      throw StoreException.validation("writes: field required");
    }
    if (array.isEmpty()) {
      throw StoreException.validation("writes: must not be empty");
    }
    List<Write> writes = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw StoreException.validation("writes[" + i + "]: must be an object");
      }
      String channel = Fields.id(item, "channel");
      Integer special = SPECIAL_CHANNELS.get(channel);
      // A special channel's index is fixed (WRITES_IDX_MAP), whatever idx the client sent: a row per
      // task and channel, replaced by the next write. Other writes may give their own idx.
      long given = Fields.integer(item, "idx", i, Integer.MIN_VALUE, Integer.MAX_VALUE);
      int idx = special != null ? special : (int) given;
      String type = Fields.type(item, "type");
      byte[] value = Fields.base64(item, "value", maxBytes);
      total += value.length;
      if (total > maxBytes) {
        throw Fields.tooLarge(maxBytes);
      }
      writes.add(new Write(idx, channel, type, value));
    }
    return new Writes(threadId, ns, checkpointId, taskId, taskPath, writes);
  }

  /**
   * Validates and decodes a request: inline when its blobs are small, on a worker thread otherwise
   * (decoding 64 MiB of base64 takes long enough to stall an event loop).
   */
  private <T> Future<T> decode(JsonObject request, String blobField, Function<JsonObject, T> parse) {
    Object body = request.getValue("body");
    boolean large = body instanceof JsonObject b && approximateSize(b.getValue(blobField)) > INLINE_DECODE_LIMIT;
    if (large) {
      return vertx.executeBlocking(() -> parse.apply(request), false);
    }
    try {
      return Future.succeededFuture(parse.apply(request));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static long approximateSize(Object value) {
    if (value instanceof String s) {
      return s.length();
    }
    if (value instanceof JsonArray array) {
      long sum = 0;
      for (Object item : array) {
        if (item instanceof JsonObject o && o.getValue("value") instanceof String s) {
          sum += s.length();
        }
      }
      return sum;
    }
    return 0;
  }

  // --- get_tuple and list -------------------------------------------------------------------------

  public Future<JsonObject> getTuple(JsonObject request) {
    String threadId = Fields.id(request, "thread_id");
    String ns = Fields.optionalId(request, "ns", "");
    String checkpointId = Fields.optionalId(request, "checkpoint_id", null);
    return access.database(false).compose(db -> db == null ? Future.succeededFuture(null) : db.read(c -> {
      PreparedStatement s;
      if (checkpointId == null) {
        s = Statements.prepare(c, "SELECT " + TUPLE_COLUMNS + " FROM checkpoints"
            + " WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1");
      } else {
        s = Statements.prepare(c, "SELECT " + TUPLE_COLUMNS + " FROM checkpoints"
            + " WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?");
        s.setString(3, checkpointId);
      }
      s.setString(1, threadId);
      s.setString(2, ns);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? tuple(c, rows) : null;
      }
    })).map(tuple -> {
      if (tuple == null) {
        throw StoreException.notFound("Checkpoint not found.");
      }
      return tuple;
    });
  }

  public Future<JsonObject> list(JsonObject request) {
    String threadId = Fields.optionalId(request, "thread_id", null);
    String ns = Fields.optionalId(request, "ns", null);
    String before = Fields.optionalId(request, "before", null);
    int limit = (int) Fields.integer(request, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    long offset = Fields.integer(request, "offset", 0, 0, Long.MAX_VALUE);
    Map<String, Object> filter = filter(request);

    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> binds = new ArrayList<>();
    if (threadId != null) {
      where.append(" AND thread_id = ?");
      binds.add(threadId);
    }
    if (ns != null) {
      where.append(" AND checkpoint_ns = ?");
      binds.add(ns);
    }
    if (before != null) {
      where.append(" AND checkpoint_id < ?");
      binds.add(before);
    }
    for (Map.Entry<String, Object> entry : filter.entrySet()) {
      where.append(" AND ").append(flavor.filterPredicate(entry.getValue()));
    }
    String whereSql = where.toString();
    return access.database(false).compose(db -> db == null
        ? Future.succeededFuture(new JsonObject().put("items", new JsonArray()).put("total", 0))
        : db.read(c -> {
          JsonArray items = new JsonArray();
          try (PreparedStatement s = c.prepareStatement("SELECT " + TUPLE_COLUMNS + " FROM checkpoints"
              + whereSql + " ORDER BY checkpoint_id DESC, thread_id, checkpoint_ns LIMIT ? OFFSET ?")) {
            int i = bindWhere(s, binds, filter);
            s.setInt(i, limit);
            s.setLong(i + 1, offset);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                items.add(tuple(c, rows));
              }
            }
          }
          long total;
          try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM checkpoints" + whereSql)) {
            bindWhere(s, binds, filter);
            try (ResultSet rows = s.executeQuery()) {
              rows.next();
              total = rows.getLong(1);
            }
          }
          return new JsonObject().put("items", items).put("total", total);
        }));
  }

  /** {@code filter}: top-level metadata keys to JSON values (strings, numbers, booleans, null, ...). */
  private static Map<String, Object> filter(JsonObject request) {
    Object value = request.getValue("filter");
    Map<String, Object> filter = new LinkedHashMap<>();
    if (value == null) {
      return filter;
    }
    if (!(value instanceof JsonObject object)) {
      throw StoreException.validation("filter: must be a JSON object");
    }
    for (String key : object.fieldNames()) {
      if (!FILTER_KEY.matcher(key).matches()) {
        throw StoreException.validation("filter: metadata key '" + (key.length() > 64 ? key.substring(0, 64) : key)
            + "' must be 1 to 128 letters, digits, '_' or '-'");
      }
      filter.put(key, object.getValue(key));
    }
    return filter;
  }

  private int bindWhere(PreparedStatement s, List<Object> binds, Map<String, Object> filter) throws SQLException {
    int i = 1;
    for (Object bind : binds) {
      s.setString(i++, (String) bind);
    }
    for (Map.Entry<String, Object> entry : filter.entrySet()) {
      i = flavor.bindFilter(s, i, entry.getKey(), entry.getValue());
    }
    return i;
  }

  /** The tuple of the current row, with its pending writes ordered by task_id, idx (LangGraph's order). */
  private JsonObject tuple(Connection c, ResultSet rows) throws SQLException {
    String threadId = rows.getString("thread_id");
    String ns = rows.getString("checkpoint_ns");
    String id = rows.getString("checkpoint_id");
    byte[] blob = rows.getBytes("checkpoint");
    JsonObject tuple = new JsonObject()
        .put("thread_id", threadId)
        .put("checkpoint_ns", ns)
        .put("checkpoint_id", id)
        .put("parent_checkpoint_id", rows.getString("parent_checkpoint_id"))
        .put("type", rows.getString("type"))
        .put("checkpoint", blob == null ? null : Base64.getEncoder().encodeToString(blob))
        .put("metadata", metadata(flavor.metadataText(rows, "metadata")))
        .put("blob_size", blob == null ? 0 : blob.length);
    JsonArray writes = new JsonArray();
    PreparedStatement s = Statements.prepare(c, "SELECT task_id, task_path, idx, channel, type, value FROM writes"
        + " WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? ORDER BY task_id, idx");
    s.setString(1, threadId);
    s.setString(2, ns);
    s.setString(3, id);
    try (ResultSet w = s.executeQuery()) {
      while (w.next()) {
        byte[] value = w.getBytes("value");
        writes.add(new JsonObject()
            .put("task_id", w.getString("task_id"))
            .put("task_path", w.getString("task_path"))
            .put("idx", w.getInt("idx"))
            .put("channel", w.getString("channel"))
            .put("type", w.getString("type"))
            .put("value", value == null ? null : Base64.getEncoder().encodeToString(value)));
      }
    }
    return tuple.put("pending_writes", writes);
  }

  /** Metadata as a JSON object: {@code {}} for SQL NULL (as LangGraph reads it), null when not JSON. */
  private static JsonObject metadata(String text) {
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  // --- delete_thread, copy_thread, stats ----------------------------------------------------------

  public Future<JsonObject> deleteThread(JsonObject request) {
    String threadId = Fields.id(request, "thread_id");
    return access.database(false).compose(db -> db == null ? Future.succeededFuture(counts(0, 0)) : db.write(c -> {
      // Writes first, then checkpoints, as LangGraph and Pipelit do.
      PreparedStatement writes = Statements.prepare(c, "DELETE FROM writes WHERE thread_id = ?");
      writes.setString(1, threadId);
      int deletedWrites = writes.executeUpdate();
      PreparedStatement checkpoints = Statements.prepare(c, "DELETE FROM checkpoints WHERE thread_id = ?");
      checkpoints.setString(1, threadId);
      return counts(checkpoints.executeUpdate(), deletedWrites);
    }));
  }

  private static JsonObject counts(long checkpoints, long writes) {
    return new JsonObject().put("deleted_checkpoints", checkpoints).put("deleted_writes", writes);
  }

  public Future<JsonObject> copyThread(JsonObject request) {
    String source = Fields.id(request, "thread_id");
    String target = Fields.id(Fields.body(request), "target_thread_id");
    if (source.equals(target)) {
      throw StoreException.validation("target_thread_id: must differ from thread_id");
    }
    return access.database(true).compose(db -> db.write(c -> {
      lockThread(c, target, false);
      PreparedStatement exists = Statements.prepare(c, "SELECT 1 FROM checkpoints WHERE thread_id = ? LIMIT 1");
      exists.setString(1, target);
      try (ResultSet rows = exists.executeQuery()) {
        if (rows.next()) {
          throw StoreException.conflict("The target thread already has checkpoints.");
        }
      }
      PreparedStatement checkpoints = Statements.prepare(c, "INSERT INTO checkpoints (" + TUPLE_COLUMNS + ")"
          + " SELECT ?, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata"
          + " FROM checkpoints WHERE thread_id = ?");
      checkpoints.setString(1, target);
      checkpoints.setString(2, source);
      int copied = checkpoints.executeUpdate();
      if (copied == 0) {
        throw StoreException.notFound("Thread not found.");
      }
      PreparedStatement writes = Statements.prepare(c, "INSERT INTO writes (thread_id, checkpoint_ns,"
          + " checkpoint_id, task_id, task_path, idx, channel, type, value)"
          + " SELECT ?, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value"
          + " FROM writes WHERE thread_id = ? ON CONFLICT DO NOTHING");
      writes.setString(1, target);
      writes.setString(2, source);
      int copiedWrites = writes.executeUpdate();
      return new JsonObject().put("thread_id", source).put("target_thread_id", target)
          .put("checkpoints", copied).put("writes", copiedWrites);
    }));
  }

  public Future<JsonObject> stats(JsonObject request) {
    String threadId = Fields.optionalId(request, "thread_id", null);
    int limit = (int) Fields.integer(request, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    long offset = Fields.integer(request, "offset", 0, 0, Long.MAX_VALUE);
    String where = threadId == null ? "" : " WHERE thread_id = ?";
    return access.database(false).compose(db -> db == null
        ? Future.succeededFuture(new JsonObject().put("items", new JsonArray()).put("total", 0))
        : db.read(c -> {
          JsonArray items = new JsonArray();
          try (PreparedStatement s = c.prepareStatement("SELECT thread_id, COUNT(*) AS n, COALESCE(SUM("
              + flavor.byteLength("checkpoint") + "), 0) AS bytes, MAX(checkpoint_id) AS latest FROM checkpoints"
              + where + " GROUP BY thread_id ORDER BY thread_id LIMIT ? OFFSET ?")) {
            int i = 1;
            if (threadId != null) {
              s.setString(i++, threadId);
            }
            s.setInt(i, limit);
            s.setLong(i + 1, offset);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                items.add(new JsonObject().put("thread_id", rows.getString("thread_id"))
                    .put("checkpoints", rows.getLong("n")).put("checkpoint_bytes", rows.getLong("bytes"))
                    .put("latest_checkpoint_id", rows.getString("latest")));
              }
            }
          }
          PreparedStatement w = Statements.prepare(c, "SELECT COUNT(*), COALESCE(SUM("
              + flavor.byteLength("value") + "), 0) FROM writes WHERE thread_id = ?");
          for (int i = 0; i < items.size(); i++) {
            JsonObject item = items.getJsonObject(i);
            w.setString(1, item.getString("thread_id"));
            try (ResultSet rows = w.executeQuery()) {
              rows.next();
              item.put("writes", rows.getLong(1)).put("write_bytes", rows.getLong(2));
            }
          }
          return new JsonObject().put("items", items).put("total", countOfThread(c, "SELECT COUNT(DISTINCT thread_id) FROM checkpoints" + where, threadId));
        }));
  }

  // --- Pipelit's admin listing and batch delete (§3.13) ----------------------------------------------

  /** Pipelit's page size for admin lists. */
  static final int ADMIN_DEFAULT_LIMIT = 50;
  /** Most ids one batch delete accepts. */
  static final int MAX_BATCH_IDS = 10_000;

  /** A {@code SELECT COUNT(...)} whose WHERE clause, when {@code threadId} is given, binds it once. */
  private static long countOfThread(Connection c, String sql, String threadId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      if (threadId != null) {
        s.setString(1, threadId);
      }
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  public Future<JsonObject> adminList(JsonObject request) {
    String threadId = Fields.optionalId(request, "thread_id", null);
    int limit = (int) Fields.integer(request, "limit", ADMIN_DEFAULT_LIMIT, 1, MAX_LIST_LIMIT);
    long offset = Fields.integer(request, "offset", 0, 0, Long.MAX_VALUE);
    String where = threadId == null ? "" : " WHERE thread_id = ?";
    return access.database(false).compose(db -> db == null
        ? Future.succeededFuture(new JsonObject().put("items", new JsonArray()).put("total", 0))
        : db.read(c -> {
          JsonArray items = new JsonArray();
          try (PreparedStatement s = c.prepareStatement("SELECT thread_id, checkpoint_ns, checkpoint_id,"
              + " parent_checkpoint_id, metadata, " + flavor.byteLength("checkpoint") + " AS blob_size"
              + " FROM checkpoints" + where + " ORDER BY checkpoint_id DESC, thread_id, checkpoint_ns LIMIT ? OFFSET ?")) {
            int i = 1;
            if (threadId != null) {
              s.setString(i++, threadId);
            }
            s.setInt(i, limit);
            s.setLong(i + 1, offset);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                JsonObject metadata = metadata(flavor.metadataText(rows, "metadata"));
                Object step = metadata == null ? null : metadata.getValue("step");
                Object source = metadata == null ? null : metadata.getValue("source");
                items.add(new JsonObject()
                    .put("thread_id", rows.getString("thread_id"))
                    .put("checkpoint_ns", rows.getString("checkpoint_ns"))
                    .put("checkpoint_id", rows.getString("checkpoint_id"))
                    .put("parent_checkpoint_id", rows.getString("parent_checkpoint_id"))
                    .put("step", step instanceof Number ? step : null)
                    .put("source", source instanceof String ? source : null)
                    .put("blob_size", rows.getLong("blob_size")));
              }
            }
          }
          return new JsonObject().put("items", items).put("total", countOfThread(c, "SELECT COUNT(*) FROM checkpoints" + where, threadId));
        }));
  }

  public Future<JsonObject> batchDelete(JsonObject request) {
    JsonObject body = Fields.body(request);
    List<String> threadIds = ids(body, "thread_ids");
    List<String> checkpointIds = ids(body, "checkpoint_ids");
    if (threadIds.isEmpty() && checkpointIds.isEmpty()) {
      return Future.succeededFuture(counts(0, 0));
    }
    return access.database(false).compose(db -> db == null ? Future.succeededFuture(counts(0, 0)) : db.write(c -> {
      long writes = 0;
      long checkpoints = 0;
      PreparedStatement threadWrites = Statements.prepare(c, "DELETE FROM writes WHERE thread_id = ?");
      PreparedStatement threadCheckpoints = Statements.prepare(c, "DELETE FROM checkpoints WHERE thread_id = ?");
      for (String id : threadIds) {
        threadWrites.setString(1, id);
        writes += threadWrites.executeUpdate();
        threadCheckpoints.setString(1, id);
        checkpoints += threadCheckpoints.executeUpdate();
      }
      PreparedStatement idWrites = Statements.prepare(c, "DELETE FROM writes WHERE checkpoint_id = ?");
      PreparedStatement idCheckpoints = Statements.prepare(c, "DELETE FROM checkpoints WHERE checkpoint_id = ?");
      for (String id : checkpointIds) {
        idWrites.setString(1, id);
        writes += idWrites.executeUpdate();
        idCheckpoints.setString(1, id);
        checkpoints += idCheckpoints.executeUpdate();
      }
      return counts(checkpoints, writes);
    }));
  }

  /** An optional list of non-empty id strings (at most {@value #MAX_BATCH_IDS}). */
  private static List<String> ids(JsonObject body, String name) {
    JsonArray array = Fields.optionalArray(body, name);
    List<String> ids = new ArrayList<>();
    if (array == null) {
      return ids;
    }
    if (array.size() > MAX_BATCH_IDS) {
      throw StoreException.validation(name + ": at most " + MAX_BATCH_IDS + " ids");
    }
    for (int i = 0; i < array.size(); i++) {
      String field = name + "[" + i + "]";
      ids.add(Fields.id(new JsonObject().put(field, array.getValue(i)), field));
    }
    return ids;
  }

  // --- prune --------------------------------------------------------------------------------------

  /**
   * A prune request.
   *
   * @param keepLast         checkpoints kept per thread and namespace, or -1
   * @param olderThanSeconds age in seconds beyond which a checkpoint may go, or -1
   * @param threadIds        the threads to prune, or null for every thread
   * @param dryRun           count without deleting
   */
  public record PruneRequest(long keepLast, long olderThanSeconds, List<String> threadIds, boolean dryRun) {
    public PruneRequest {
      // -1 is "no count rule"; 0 would keep nothing, which no caller may ask for (see the scheduled
      // prune: CHECKPOINTS_KEEP_LAST 0 means "no count rule" and becomes -1 there).
      if (keepLast == 0 || keepLast < -1) {
        throw new IllegalArgumentException("keepLast must be -1 (no count rule) or at least 1, not " + keepLast);
      }
      if (keepLast < 0 && olderThanSeconds < 0) {
        throw new IllegalArgumentException("a prune needs keepLast or olderThanSeconds");
      }
    }
  }

  public Future<JsonObject> prune(JsonObject request) {
    JsonObject body = Fields.body(request);
    // keep_last 0 would keep nothing and, without an age rule, wipe the thread: refused (at least 1).
    long keepLast = Fields.integer(body, "keep_last", -1, 1, Integer.MAX_VALUE);
    long olderThan = Fields.integer(body, "older_than_seconds", -1, 0, 100L * 365 * 86_400);
    if (keepLast < 0 && olderThan < 0) {
      throw StoreException.validation("keep_last or older_than_seconds: at least one is required");
    }
    List<String> threadIds = body.getValue("thread_ids") == null ? null : ids(body, "thread_ids");
    return prune(new PruneRequest(keepLast, olderThan, threadIds, Fields.bool(body, "dry_run", false)));
  }

  /**
   * Prunes thread by thread, each in its own transaction (on SQLite one queued write per thread, so that
   * checkpoint writes keep flowing between them). A thread's plan and its deletes run in the same
   * transaction: a checkpoint written meanwhile is either seen by the plan or untouched.
   */
  public Future<JsonObject> prune(PruneRequest prune) {
    long cutoff = prune.olderThanSeconds() < 0 ? -1 : System.currentTimeMillis() - prune.olderThanSeconds() * 1000;
    return access.database(false).compose(db -> {
      if (db == null) {
        return Future.succeededFuture(pruneResult(new long[3], prune.dryRun()));
      }
      Future<List<String>> threads = prune.threadIds() != null
          ? Future.succeededFuture(prune.threadIds())
          : db.read(c -> {
            List<String> all = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id");
                 ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                all.add(rows.getString(1));
              }
            }
            return all;
          });
      return threads.compose(list -> pruneEach(db, list, 0, prune, cutoff, new long[3]))
          .map(totals -> pruneResult(totals, prune.dryRun()));
    });
  }

  private static JsonObject pruneResult(long[] totals, boolean dryRun) {
    return new JsonObject().put("deleted_checkpoints", totals[0]).put("deleted_writes", totals[1])
        .put("threads", totals[2]).put("dry_run", dryRun);
  }

  /** One thread after the other (each a future completing later, so the stack does not grow). */
  private Future<long[]> pruneEach(Database db, List<String> threads, int index, PruneRequest prune, long cutoff,
      long[] totals) {
    if (index >= threads.size()) {
      return Future.succeededFuture(totals);
    }
    String threadId = threads.get(index);
    Future<long[]> one = prune.dryRun()
        ? db.read(c -> pruneThread(c, threadId, prune, cutoff))
        : db.write(c -> pruneThread(c, threadId, prune, cutoff));
    return one.compose(counts -> {
      totals[0] += counts[0];
      totals[1] += counts[1];
      totals[2] += counts[0] > 0 ? 1 : 0;
      return pruneEach(db, threads, index + 1, prune, cutoff, totals);
    });
  }

  /** Takes the per-thread lock of {@link Flavor#threadLock} (PostgreSQL only; nothing on SQLite). */
  private void lockThread(Connection c, String threadId, boolean exclusive) throws SQLException {
    String sql = flavor.threadLock(exclusive);
    if (sql == null) {
      return;
    }
    PreparedStatement lock = Statements.prepare(c, sql);
    lock.setString(1, threadId);
    try (ResultSet rows = lock.executeQuery()) {
      rows.next();
    }
  }

  /**
   * Plans one thread (see {@link Pruner}) and deletes, or only counts on a dry run: {checkpoints, writes}.
   * A real prune first locks the thread (exclusive; writes take the lock shared) and its rows, so that
   * on PostgreSQL no put, put_writes or copy into the thread lands between the plan and the deletes.
   */
  private long[] pruneThread(Connection c, String threadId, PruneRequest prune, long cutoff)
      throws SQLException {
    if (!prune.dryRun()) {
      lockThread(c, threadId, true);
    }
    List<Pruner.Node> nodes = new ArrayList<>();
    PreparedStatement select = Statements.prepare(c,
        "SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id FROM checkpoints WHERE thread_id = ?"
            + (prune.dryRun() ? "" : flavor.lockRows()));
    select.setString(1, threadId);
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        nodes.add(new Pruner.Node(rows.getString(1), rows.getString(2), rows.getString(3)));
      }
    }
    List<Pruner.Node> doomed = Pruner.plan(nodes, prune.keepLast(), cutoff);
    long writes = 0;
    long checkpoints = 0;
    if (prune.dryRun()) {
      PreparedStatement count = Statements.prepare(c,
          "SELECT COUNT(*) FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?");
      for (Pruner.Node node : doomed) {
        count.setString(1, threadId);
        count.setString(2, node.ns());
        count.setString(3, node.id());
        try (ResultSet rows = count.executeQuery()) {
          rows.next();
          writes += rows.getLong(1);
        }
      }
      return new long[] {doomed.size(), writes};
    }
    PreparedStatement deleteWrites = Statements.prepare(c,
        "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?");
    PreparedStatement deleteCheckpoint = Statements.prepare(c,
        "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?");
    for (Pruner.Node node : doomed) {
      deleteWrites.setString(1, threadId);
      deleteWrites.setString(2, node.ns());
      deleteWrites.setString(3, node.id());
      writes += deleteWrites.executeUpdate();
      deleteCheckpoint.setString(1, threadId);
      deleteCheckpoint.setString(2, node.ns());
      deleteCheckpoint.setString(3, node.id());
      checkpoints += deleteCheckpoint.executeUpdate();
    }
    return new long[] {checkpoints, writes};
  }
}
